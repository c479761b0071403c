"""Gift pictures uploaded from the console (hq_server.programme.gift_pictures), kept in HQ's database so
every HQ worker serves them on SQLite and PostgreSQL alike; migration 0012B makes the table."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, LargeBinary, String, Table

from hq_server.models import metadata

gift_pictures = Table("gift_pictures", metadata,
                      Column("name", String(40), primary_key=True),  # its content's hash + ".png": never changes
                      Column("gift_id", String(64), nullable=False, index=True),
                      Column("png", LargeBinary, nullable=False),
                      Column("width", Integer, nullable=False),
                      Column("height", Integer, nullable=False),
                      Column("uploaded_at", DateTime, nullable=False),
                      Column("uploaded_by", String(40), nullable=False))
