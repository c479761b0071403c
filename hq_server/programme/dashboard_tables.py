"""The dashboard's rollup of the ledger (hq_server.programme.dashboard_rollup) on HQ's one schema;
migration 0011C makes them. Days are the chain's local calendar days of the events' device times."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, String, Table

from hq_server.models import metadata

CHAIN = "*"  # the scope of a chain-wide row in dashboard_last_active and dashboard_active

# One row per day and store (the event's store_id; HQ's own events under "hq").
dashboard_days = Table("dashboard_days", metadata,
                       Column("day", Date, primary_key=True),
                       Column("store_id", String(36), primary_key=True),
                       Column("events", BigInteger, nullable=False, server_default="0"),
                       Column("sales_fen", BigInteger, nullable=False, server_default="0"),
                       # points out of any store's issued account / out of this store's own, by its events
                       Column("issued_any", BigInteger, nullable=False, server_default="0"),
                       Column("issued_own", BigInteger, nullable=False, server_default="0"),
                       # points out of this store's issued account by any store's events (the stores' ranking)
                       Column("issued_acct", BigInteger, nullable=False, server_default="0"),
                       Column("redeemed_any", BigInteger, nullable=False, server_default="0"),
                       Column("redeemed_own", BigInteger, nullable=False, server_default="0"),
                       Column("expired", BigInteger, nullable=False, server_default="0"))

# Units of each gift redeemed (redeem_post events), per day and store.
dashboard_gifts = Table("dashboard_gifts", metadata,
                        Column("day", Date, primary_key=True),
                        Column("store_id", String(36), primary_key=True),
                        Column("gift_id", String(64), primary_key=True),
                        Column("qty", BigInteger, nullable=False))

# A member's last day with an event, chain-wide (scope "*") and at each store.
dashboard_last_active = Table("dashboard_last_active", metadata,
                              Column("member_id", String(36), primary_key=True),
                              Column("scope", String(36), primary_key=True),
                              Column("day", Date, nullable=False))

# How many members have their last day with an event (in a scope) on each day: the members active since
# a day are the sum from that day on, since every period ends today.
dashboard_active = Table("dashboard_active", metadata,
                         Column("scope", String(36), primary_key=True),
                         Column("day", Date, primary_key=True),
                         Column("members", BigInteger, nullable=False))

# New members (not merged into another) per local day of their created_at and home store: each day a fold
# sees a registration or a merge of is counted again from the members (migration 0013K makes it).
dashboard_new = Table("dashboard_new", metadata,
                      Column("day", Date, primary_key=True),
                      Column("store_id", String(36), primary_key=True),
                      Column("members", BigInteger, nullable=False))

# seq: the hq_seq the rollup has folded in up to; outstanding: the sum of the members' positive balances then.
dashboard_state = Table("dashboard_state", metadata,
                        Column("name", String(16), primary_key=True),
                        Column("value", BigInteger, nullable=False))
