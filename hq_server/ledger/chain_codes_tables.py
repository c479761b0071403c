"""The tables of codes any store takes (DESIGN.md 11): device keys every till pulls, the gifts held
for pickup, and each coupon's and pickup's first use chain-wide. Migration 0007s makes them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, String, Table

from hq_server import models as M

# The public halves of the keys that sign pickup codes and coupons: each till's, and HQ's online
# channel's (store "hq", which signs for any store). Every store pulls them (feed item device_key).
device_keys = Table("device_keys", M.metadata,
                    Column("key_id", String(8), primary_key=True),
                    Column("device_id", String(36), nullable=False, index=True),
                    Column("store_id", String(36), nullable=False),
                    Column("public_key", String(64), nullable=False),
                    Column("created_at", DateTime, nullable=False))

# A gift held for pickup: by a till at its store (its redeem_hold), or by HQ for an online order at
# the store the member chose. Whose suspense holds the points, which account gets them once it is
# collected, and which location's stock holds the unit.
pickups = Table("pickups", M.metadata,
                Column("redemption_id", String(36), primary_key=True),
                Column("member_id", String(36), nullable=False),
                Column("gift_id", String(64), nullable=False),
                Column("qty", BigInteger, nullable=False),
                Column("points", BigInteger, nullable=False),
                Column("suspense", String(80), nullable=False),
                Column("redeemed", String(80), nullable=False),
                Column("stock_at", String(36), nullable=False),
                Column("hold_event", String(36), nullable=False),
                Column("created_seq", BigInteger, nullable=False))

# The first use of a code, chain-wide (P:<redemption> a pickup collected or voided, C:<code> a coupon
# taken off a sale): a later use is rule 10's. A coupon given back by a refund frees its row.
code_uses = Table("code_uses", M.metadata,
                  Column("code_key", String(80), primary_key=True),
                  Column("event_id", String(36), nullable=False),
                  Column("store_id", String(36), nullable=False),
                  Column("hq_seq", BigInteger, nullable=False))
