"""The members' mall's own tables (SMS codes, members' sessions, help tickets, game plays), on HQ's one
schema (hq_server.models.metadata); migrations 0005w and 0006m make them. Kept beside the use cases that
own them so the mall's schema reads in one place; nothing here touches the ledger."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, Integer, String, Table, Text

from hq_server import models as M
from hq_server.models import metadata

_ID = BigInteger().with_variant(Integer, "sqlite")

# One-time sign-in codes sent by SMS. Only an HMAC of the code is kept (keyed by a pepper sealed with
# HQ's secret: a 6-digit code's plain SHA-256 is reversed in a second). Rows also count sends per phone
# and per address for the rate limit, so they stay a day after expiry.
sms_codes = Table("sms_codes", metadata,
                  Column("id", _ID, primary_key=True, autoincrement=True),
                  Column("phone", String(20), nullable=False),
                  Column("address", String(64), nullable=False),
                  Column("code_hash", String(64), nullable=False),
                  Column("created_at", DateTime, nullable=False),
                  Column("expires_at", DateTime, nullable=False),
                  Column("tries", Integer, nullable=False, server_default="0"),
                  Column("used_at", DateTime),
                  Index("ix_sms_codes_phone_created", "phone", "created_at"),
                  Index("ix_sms_codes_address_created", "address", "created_at"))

# The development sender's outbox: messages HQ would have texted, for HQ's console to show (no real
# SMS provider configured). Pruned as they expire.
dev_sms = Table("dev_sms", metadata,
                Column("id", _ID, primary_key=True, autoincrement=True),
                Column("phone", String(20), nullable=False, index=True),
                Column("text", Text, nullable=False),
                Column("created_at", DateTime, nullable=False),
                Column("expires_at", DateTime, nullable=False))

# Members' sessions (the mall's cookie): only the token's hash is kept; logging out deletes the row.
# signed_in_at is when an SMS code was last proven: a credential change (PIN, phone key) needs it recent.
member_sessions = Table("member_sessions", metadata,
                        Column("token_hash", String(64), primary_key=True),
                        Column("member_id", String(36), nullable=False, index=True),
                        Column("created_at", DateTime, nullable=False),
                        Column("signed_in_at", DateTime, nullable=False),
                        Column("expires_at", DateTime, nullable=False),
                        Column("address", String(64)))

# A member's message to customer service: a ticket HQ's console lists and answers.
help_tickets = Table("help_tickets", metadata,
                     Column("ticket_id", String(36), primary_key=True),
                     Column("member_id", String(36), nullable=False, index=True),
                     Column("topic", String(20), nullable=False),
                     Column("message", Text, nullable=False),
                     Column("status", String(12), nullable=False),  # open | answered | closed
                     Column("created_at", DateTime, nullable=False),
                     Column("answer", Text),
                     Column("answered_by", String(40)),
                     Column("answered_at", DateTime),
                     Index("ix_help_tickets_status_created", "status", "created_at"))

# A member's plays of the points game (programme.points_game): a row when a play starts (so the plays a
# day are counted, and a play's result is taken once), finished with what the page said it caught, what
# HQ counted, the award and the award's ledger event. `day` is the chain's local day of the start.
game_plays = Table("game_plays", metadata,
                   Column("play_id", String(36), primary_key=True),
                   Column("member_id", String(36), nullable=False),
                   Column("game", String(16), nullable=False),
                   Column("day", Date, nullable=False),
                   Column("started_at", DateTime, nullable=False),
                   Column("seconds", Integer, nullable=False),
                   Column("status", String(10), nullable=False),  # playing | finished
                   Column("finished_at", DateTime),
                   Column("catches_sent", Integer),
                   Column("catches_counted", Integer),
                   Column("award", Integer),
                   Column("event_id", String(36)),
                   Index("ix_game_plays_member_day", "member_id", "game", "day"))

# The invitations page lists the members who joined with a member's code (programme.referrals): by
# this index, not a scan of a million members (bench.mall found it). Declared here, beside the mall's
# tables, on HQ's members table.
Index("ix_members_referred_by", M.members.c.referred_by)
