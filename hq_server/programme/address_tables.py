"""The mall's address book and a member's link to the shopping guide they are (staff), on HQ's one schema;
migration 0011A makes them. Neither touches the ledger."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

from hq_server.models import metadata

# Where a member has goods delivered (programme.address_book): at most MAX_ADDRESSES each, one the default.
member_addresses = Table("member_addresses", metadata,
                         Column("address_id", String(36), primary_key=True),
                         Column("member_id", String(36), nullable=False),
                         Column("name", String(40), nullable=False),
                         Column("phone", String(20), nullable=False),
                         Column("address", Text, nullable=False),
                         Column("is_default", Integer, nullable=False, server_default="0"),
                         Column("created_at", DateTime, nullable=False),
                         Column("updated_at", DateTime, nullable=False),
                         Index("ix_member_addresses_member", "member_id", "created_at"))

# A member who is also one of the chain's shopping guides (a staff member): the mall shows their guide
# points, their team of recruits and their withdrawals (programme.team). HQ's staff set the link.
member_guides = Table("member_guides", metadata,
                      Column("member_id", String(36), primary_key=True),
                      Column("staff_id", String(36), nullable=False, unique=True),
                      Column("at", DateTime, nullable=False))
