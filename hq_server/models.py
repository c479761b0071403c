"""HQ's schema (SQLAlchemy 2 Core tables).

Core rather than ORM classes: a push applies hundreds of events in a handful of
multi-row statements, which is what makes ingest keep up with raw inserts. The
ledger tables restate the store's invariants as CHECK constraints.

Ordering: `hq_seq` numbers (events and pull feed rows) come from the one-row
`hq_counter`, read FOR UPDATE at the start of every write transaction and written
back at its end. That row lock serializes HQ's writers on PostgreSQL (SQLite's
BEGIN IMMEDIATE does the same), so numbers become visible in commit order and a pull
that has seen `hq_seq` n can never later meet a new row below n.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, DateTime, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

CHAIN = "*"  # feed rows every store pulls (catalogue, rules, label claims)
HQ_ORIGIN = "hq"  # store_id / device_id of HQ's own correction events

hq_counter = Table("hq_counter", metadata,
                   Column("name", String(16), primary_key=True),
                   Column("value", BigInteger, nullable=False))

settings = Table("settings", metadata,
                 Column("key", String(64), primary_key=True),
                 Column("value", Text, nullable=False))

stores = Table("stores", metadata,
               Column("store_id", String(36), primary_key=True),
               Column("name", String(80), nullable=False),
               Column("created_at", DateTime, nullable=False),
               Column("offline_limits", Text))  # JSON; NULL = the chain's default

enrol_tokens = Table("enrol_tokens", metadata,
                     Column("token_hash", String(64), primary_key=True),
                     Column("store_id", String(36), nullable=False),
                     Column("created_at", DateTime, nullable=False),
                     Column("expires_at", DateTime, nullable=False),
                     Column("used_at", DateTime),
                     Column("device_id", String(36)))

devices = Table("devices", metadata,
                Column("device_id", String(36), primary_key=True),
                Column("store_id", String(36), nullable=False, index=True),
                Column("name", String(64), nullable=False),
                Column("key_hash", String(64), nullable=False),
                Column("created_at", DateTime, nullable=False),
                Column("revoked", Integer, nullable=False, server_default="0"),
                # the per-device sanity check: events HQ holds from it (answered ok/exists)
                Column("acked_count", BigInteger, nullable=False, server_default="0"),
                Column("acked_hash", String(64), nullable=False, server_default="0" * 64),
                # the highest device_seq answered (held or rejected): a push's turn (ingest.push)
                Column("acked_max_seq", BigInteger, nullable=False, server_default="0"),
                Column("clock_skew_s", Integer, nullable=False, server_default="0"),  # hq_time - device_time
                Column("last_seen", DateTime))

# HQ's staff: the chain's admin, operators, customer service, finance, store managers (hq_server.roles).
admins = Table("admins", metadata,
               Column("username", String(40), primary_key=True),
               Column("password_hash", Text, nullable=False),
               Column("created_at", DateTime, nullable=False),
               Column("role", String(20), nullable=False, server_default="admin"),
               Column("store_id", String(36)),  # a store manager's store
               Column("active", Integer, nullable=False, server_default="1"),
               Column("password_changed_at", DateTime))

# Server-side sessions (a Bearer token for the API, a cookie for the console): only the token's hash is kept.
# Logging out deletes the row; a password change deletes every row of the user.
admin_tokens = Table("admin_tokens", metadata,
                     Column("token_hash", String(64), primary_key=True),
                     Column("username", String(40), nullable=False, index=True),
                     Column("expires_at", DateTime, nullable=False),
                     Column("created_at", DateTime),
                     Column("address", String(64)))

# Wrong logins in the throttle's window, by key (user:<name> or addr:<client address>); rows older
# than the window are pruned as new ones come. Keyed by the name typed, whether or not it exists,
# so throttling says nothing about which usernames are real.
login_failures = Table("login_failures", metadata,
                       Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                              autoincrement=True),
                       Column("key", String(120), nullable=False),
                       Column("at", DateTime, nullable=False),
                       Index("ix_login_failures_key_at", "key", "at"))

# Wrong passwords in a row per username typed (real or not, so a lock says nothing about which names
# exist); at Settings.login_lock_after the name is locked until an admin unlocks it (or
# `hq-server create-admin` resets its password). A right password deletes the row.
login_locks = Table("login_locks", metadata,
                    Column("username", String(40), primary_key=True),
                    Column("failures", Integer, nullable=False),
                    Column("locked_at", DateTime))

events = Table("events", metadata,
               Column("event_id", String(36), primary_key=True),
               Column("hq_seq", BigInteger, nullable=False, unique=True),
               Column("store_id", String(36), nullable=False),
               Column("device_id", String(36), nullable=False),
               Column("device_seq", BigInteger, nullable=False),
               Column("kind", String(20), nullable=False),
               Column("device_time", DateTime, nullable=False),
               Column("received_at", DateTime, nullable=False),
               Column("staff_id", String(36)),
               Column("rule_version", Integer, nullable=False),
               Column("member_id", String(36), index=True),
               Column("payload", Text, nullable=False),
               Column("payload_hash", String(64), nullable=False),
               # applied | waiting (for a lot it takes from) | duplicate_serial | correction
               # | refused (woken, its lot another holder's: never applied; hq_server.ledger.authority)
               Column("status", String(20), nullable=False),
               Column("flags", Text, nullable=False, server_default=""),
               UniqueConstraint("device_id", "device_seq"))

postings = Table("postings", metadata,
                 Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
                 Column("event_id", String(36), nullable=False, index=True),
                 Column("account", String(80), nullable=False, index=True),
                 Column("amount", BigInteger, nullable=False),
                 CheckConstraint("amount <> 0", name="nonzero"))

balances = Table("balances", metadata,
                 Column("account", String(80), primary_key=True),
                 Column("balance", BigInteger, nullable=False))

lots = Table("lots", metadata,
             Column("lot_id", String(36), primary_key=True),
             Column("event_id", String(36), nullable=False),
             Column("account", String(80), nullable=False),
             Column("amount", BigInteger, nullable=False),
             Column("remaining", BigInteger, nullable=False),
             Column("available_at", DateTime, nullable=False),
             Column("expires_at", DateTime, nullable=False),
             CheckConstraint("remaining >= 0 AND remaining <= amount", name="remaining"),
             Index("ix_lots_account_expiry", "account", "expires_at"))

# An event that takes from a lot HQ has not seen yet (rule 5) waits here for it.
waiting_lots = Table("waiting_lots", metadata,
                     Column("lot_id", String(36), primary_key=True),
                     Column("event_id", String(36), primary_key=True))

label_serials = Table("label_serials", metadata,
                      Column("serial", String(40), primary_key=True),
                      Column("event_id", String(36), nullable=False),
                      Column("store_id", String(36), nullable=False),
                      Column("member_id", String(36)),
                      Column("points", BigInteger, nullable=False),
                      Column("hq_seq", BigInteger, nullable=False))

# A member's dynamic code (D:<member>:<step>) that proved them present for a spend: the first use.
# A till refuses a code it has seen; another till, at this store or another, has not seen it.
member_codes = Table("member_codes", metadata,
                     Column("code_key", String(80), primary_key=True),
                     Column("event_id", String(36), nullable=False),
                     Column("store_id", String(36), nullable=False),
                     Column("hq_seq", BigInteger, nullable=False))

members = Table("members", metadata,
                Column("member_id", String(36), primary_key=True),
                Column("phone", String(20), nullable=False, index=True),
                Column("name", String(40), nullable=False),
                Column("tier", String(16), nullable=False),
                Column("card_no", String(16), nullable=False, index=True),
                Column("referral_code", String(12)),
                Column("referred_by", String(36)),
                Column("home_store", String(36), nullable=False),
                Column("created_at", DateTime, nullable=False),
                Column("pin_hash", Text),
                Column("risk_flag", Text),
                Column("merged_into", String(36)),
                Column("extra", Text, nullable=False, server_default="{}"),  # other patched fields (birthday, note)
                Column("updated_seq", BigInteger, nullable=False))

# Which stores get a member's changes: home store, stores that recorded events for
# the member, stores that looked the member up.
follows = Table("follows", metadata,
                Column("member_id", String(36), primary_key=True),
                Column("store_id", String(36), primary_key=True))

# The pull feed: one row per item per store (or CHAIN), numbered from hq_counter. Every
# device of the store pulls the row, except skip_device: a till's own event fanned out to
# the other tills of its store (the till that made it already holds it).
feed = Table("feed", metadata,
             Column("seq", BigInteger, primary_key=True, autoincrement=False),
             Column("store_id", String(36), nullable=False),
             Column("type", String(20), nullable=False),
             Column("key", String(80), nullable=False),
             Column("data", Text, nullable=False),
             Column("skip_device", String(36)),
             Index("ix_feed_store_seq", "store_id", "seq"))

catalog = Table("catalog", metadata,
                Column("type", String(20), primary_key=True),
                Column("key", String(64), primary_key=True),
                Column("data", Text, nullable=False),
                Column("seq", BigInteger, nullable=False),
                Column("updated_at", DateTime, nullable=False))

rules = Table("rules", metadata,
              Column("version", Integer, primary_key=True, autoincrement=False),
              Column("doc", Text, nullable=False),
              Column("effective_at", DateTime, nullable=False))

staff = Table("staff", metadata,
              Column("staff_id", String(36), primary_key=True),
              Column("store_id", String(36), nullable=False, index=True),
              Column("name", String(40), nullable=False),
              Column("role", String(16), nullable=False),
              Column("pin_hash", Text, nullable=False),
              Column("active", Integer, nullable=False, server_default="1"))

# Every merge decision, with the events it made (its ids are deterministic).
conflicts = Table("conflicts", metadata,
                  Column("conflict_id", String(36), primary_key=True),
                  Column("hq_seq", BigInteger, nullable=False, index=True),
                  Column("rule", Integer, nullable=False),
                  Column("kind", String(32), nullable=False),
                  Column("event_id", String(36)),
                  Column("store_id", String(36)),
                  Column("member_id", String(36)),
                  Column("status", String(12), nullable=False),  # resolved | open (a merge task)
                  Column("detail", Text, nullable=False),
                  Column("made_events", Text, nullable=False, server_default="[]"),
                  Column("created_at", DateTime, nullable=False))

# Customer service's point adjustments (hq_server.programme.adjustments). One above the approval
# threshold waits, `pending`, for a second person; applied, it is an ordinary ledger event (event_id).
adjustments = Table("adjustments", metadata,
                    Column("adjustment_id", String(36), primary_key=True),
                    Column("member_id", String(36), nullable=False, index=True),
                    Column("points", BigInteger, nullable=False),
                    Column("reason", Text, nullable=False),
                    Column("requested_by", String(40), nullable=False),
                    Column("requested_at", DateTime, nullable=False),
                    Column("status", String(12), nullable=False),  # pending | applied | refused
                    Column("decided_by", String(40)),
                    Column("decided_at", DateTime),
                    Column("event_id", String(36)),
                    Column("note", Text))

# Coupons HQ issued to members (hq_server.programme.coupons); the issue is a ledger event too.
coupons = Table("coupons", metadata,
                Column("code", String(16), primary_key=True),
                Column("type_id", String(64), nullable=False),
                Column("member_id", String(36), nullable=False, index=True),
                Column("status", String(8), nullable=False),  # active | used | void
                Column("expires_at", DateTime, nullable=False),
                Column("issued_event", String(36), nullable=False),
                Column("issued_by", String(40)),
                Column("issued_at", DateTime, nullable=False))

# The scheduled jobs (hq_server.programme.jobs): when each last ran, read and written under HQ's
# writer lock, so of several workers (or hosts) one runs a job per period.
job_runs = Table("job_runs", metadata,
                 Column("job", String(40), primary_key=True),
                 Column("last_run_at", DateTime, nullable=False),
                 Column("result", Text, nullable=False))

# Withdrawals of earned points as cash (hq_server.programme.withdrawals): a request holds the points,
# HQ approves (a payout finance exports) or refuses (the points go back). No payment gateway.
withdrawals = Table("withdrawals", metadata,
                    Column("withdrawal_id", String(36), primary_key=True),
                    Column("holder", String(36), nullable=False, index=True),  # a member, or a staff guide
                    Column("point_type", String(12), nullable=False),
                    Column("points", BigInteger, nullable=False),
                    Column("amount_fen", BigInteger, nullable=False),
                    Column("status", String(12), nullable=False),  # pending | approved | refused
                    Column("requested_by", String(40), nullable=False),
                    Column("requested_at", DateTime, nullable=False),
                    Column("decided_by", String(40)),
                    Column("decided_at", DateTime),
                    Column("hold_event", String(36), nullable=False),
                    Column("settle_event", String(36)),
                    Column("note", Text),
                    Column("exported_at", DateTime))

# Who recruited a shopping guide (another guide): the guides' network (hq_server.programme.network).
# Agents' network is the members' referrals (members.referred_by).
guide_recruits = Table("guide_recruits", metadata,
                       Column("staff_id", String(36), primary_key=True),
                       Column("recruited_by", String(36), nullable=False, index=True),
                       Column("at", DateTime, nullable=False))

# A retail store an agent recruited (hq_server.programme.network): the agent, and the two above them
# by referral, earn agent points on the store's sales at HQ's per-level shares.
store_recruits = Table("store_recruits", metadata,
                       Column("store_id", String(36), primary_key=True),
                       Column("agent_id", String(36), nullable=False, index=True),  # a member (an agent)
                       Column("at", DateTime, nullable=False))

# The level-1 rewards and store sales the network job rewarded recruiters for, so a refund's reversal
# finds them by sale and takes back its share of what they paid (reversed: level-1 points reversed so far).
network_sources = Table("network_sources", metadata,
                        Column("event_id", String(36), primary_key=True),
                        Column("role", String(8), nullable=False),  # guide | agent | store
                        Column("store_id", String(36), nullable=False),
                        Column("sale_id", String(36)),
                        Column("points", BigInteger, nullable=False),
                        Column("reversed", BigInteger, nullable=False, server_default="0"),
                        Column("paid", Text, nullable=False),  # JSON [[account, level, points, lot_id], ...]
                        Index("ix_network_sources_sale", "store_id", "sale_id"))
