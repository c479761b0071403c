"""Online exchange orders (hq_server.programme.orders) on HQ's one schema; migration 0008s makes them.
The points of an order live in the ledger (HQ's own events), its units in gift stock; this table
holds what the member asked for and where the order stands."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, String, Table, Text, UniqueConstraint

from hq_server.models import metadata

orders = Table("orders", metadata,
               Column("order_id", String(36), primary_key=True),  # also the redemption id of its pickup code
               Column("member_id", String(36), nullable=False),
               Column("idempotency_key", String(64), nullable=False),  # the mall's form: a double submit is one order
               Column("gift_id", String(64), nullable=False),
               Column("qty", BigInteger, nullable=False),
               Column("points", BigInteger, nullable=False),
               Column("copay_fen", BigInteger, nullable=False),
               Column("mode", String(10), nullable=False),  # pickup | delivery
               Column("location", String(36), nullable=False),  # where the unit is reserved: a store, or "hq"
               Column("address", Text),  # delivery: JSON {name, phone, address}
               # placed -> picking -> shipped -> delivered (delivery); placed -> picked_up (pickup); -> cancelled
               Column("status", String(12), nullable=False),
               Column("hold_event", String(36), nullable=False),
               Column("close_event", String(36)),  # the shipment's redeem_post, or the cancel's redeem_void
               Column("carrier", String(40)),
               Column("tracking_no", String(64)),
               Column("note", Text),
               Column("created_at", DateTime, nullable=False),
               Column("updated_at", DateTime, nullable=False),
               UniqueConstraint("member_id", "idempotency_key", name="uq_orders_member_key"),
               Index("ix_orders_member_created", "member_id", "created_at"),
               Index("ix_orders_status_created", "status", "created_at"))
