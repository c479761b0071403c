"""The store's SQLite schema (SQLAlchemy Core).

Core rather than the ORM: a checkout writes a dozen rows and must commit in a few
milliseconds with synchronous=FULL, and the repositories hand plain domain records
upward anyway. CHECK constraints restate the ledger's invariants so a bug in the code
above cannot store a negative lot or a zero posting.
"""

from __future__ import annotations

from sqlalchemy import (CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table,
                        Text, UniqueConstraint, text)

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

meta = Table("meta", metadata,
             Column("key", String(64), primary_key=True),
             Column("value", Text, nullable=False))

staff = Table("staff", metadata,
              Column("staff_id", String(36), primary_key=True),
              Column("name", String(40), nullable=False),
              Column("role", String(16), nullable=False),
              Column("pin_hash", Text, nullable=False),
              Column("active", Integer, nullable=False, server_default="1"),
              Column("failed_pins", Integer, nullable=False, server_default="0"),
              Column("locked_until", DateTime))

members = Table("members", metadata,
                Column("member_id", String(36), primary_key=True),
                Column("phone", String(20), nullable=False, index=True),
                Column("name", String(40), nullable=False),
                Column("tier", String(16), nullable=False),
                Column("card_no", String(16), nullable=False, unique=True),
                Column("referral_code", String(12), nullable=False, unique=True),
                Column("referred_by", String(36)),
                Column("created_at", DateTime, nullable=False),
                Column("home_store", String(36), nullable=False),
                Column("first_purchase_at", DateTime),
                Column("pin_hash", Text),
                Column("risk_flag", Text),
                Column("merged_into", String(36)))

products = Table("products", metadata,
                 Column("sku", String(32), primary_key=True),
                 Column("name", String(80), nullable=False),
                 Column("category", String(32), nullable=False),
                 Column("price_fen", Integer, nullable=False),
                 Column("barcode", String(32), unique=True),
                 Column("active", Integer, nullable=False, server_default="1"),
                 CheckConstraint("price_fen >= 0", name="price"))

rules = Table("rules", metadata,
              Column("version", Integer, primary_key=True),
              Column("doc", Text, nullable=False),
              Column("effective_at", DateTime, nullable=False))

campaigns = Table("campaigns", metadata,
                  Column("campaign_id", String(36), primary_key=True),
                  Column("name", String(80), nullable=False),
                  Column("starts_at", DateTime, nullable=False),
                  Column("ends_at", DateTime, nullable=False),
                  Column("multiplier_pct", Integer, nullable=False),
                  Column("categories", Text, nullable=False, server_default="[]"),
                  Column("skus", Text, nullable=False, server_default="[]"))

gifts = Table("gifts", metadata,
              Column("gift_id", String(36), primary_key=True),
              Column("name", String(80), nullable=False),
              Column("points_cost", Integer, nullable=False),
              Column("copay_fen", Integer, nullable=False, server_default="0"),
              Column("starts_at", DateTime),
              Column("ends_at", DateTime),
              Column("per_member_limit", Integer),
              Column("min_tier", String(16)),
              Column("image", Text),
              Column("active", Integer, nullable=False, server_default="1"),
              Column("stock", Integer, nullable=False, server_default="0"),
              CheckConstraint("stock >= 0", name="stock"),
              CheckConstraint("points_cost > 0", name="cost"))

coupon_types = Table("coupon_types", metadata,
                     Column("type_id", String(36), primary_key=True),
                     Column("name", String(80), nullable=False),
                     Column("points_cost", Integer, nullable=False),
                     Column("kind", String(8), nullable=False),
                     Column("value", Integer, nullable=False),
                     Column("min_spend_fen", Integer, nullable=False, server_default="0"),
                     Column("max_discount_fen", Integer),
                     Column("valid_days", Integer, nullable=False, server_default="30"),
                     Column("active", Integer, nullable=False, server_default="1"))

coupons = Table("coupons", metadata,
                Column("code", String(24), primary_key=True),
                Column("type_id", String(36), ForeignKey("coupon_types.type_id"), nullable=False),
                Column("member_id", String(36), ForeignKey("members.member_id"), nullable=False, index=True),
                Column("status", String(8), nullable=False),
                Column("expires_at", DateTime, nullable=False),
                Column("bought_event", String(36), nullable=False),
                Column("used_sale", String(36)))

lotteries = Table("lotteries", metadata,
                  Column("lottery_id", String(36), primary_key=True),
                  Column("name", String(80), nullable=False),
                  Column("points_per_draw", Integer, nullable=False),
                  Column("prizes", Text, nullable=False),
                  Column("active", Integer, nullable=False, server_default="1"))

events = Table("events", metadata,
               Column("event_id", String(36), primary_key=True),
               Column("device_seq", Integer, nullable=False, unique=True),
               Column("kind", String(20), nullable=False),
               Column("store_id", String(36), nullable=False),
               Column("device_id", String(36), nullable=False),
               Column("device_time", DateTime, nullable=False),
               Column("staff_id", String(36)),
               Column("rule_version", Integer, nullable=False),
               Column("member_id", String(36)),
               Column("payload", Text, nullable=False),
               Column("payload_hash", String(64), nullable=False),
               Index("ix_events_member_time", "member_id", "device_time"),
               # the offline budget's redeemed sum since the last sync (migration 0004)
               Index("ix_events_kind_time", "kind", "device_time"))

postings = Table("postings", metadata,
                 Column("id", Integer, primary_key=True, autoincrement=True),
                 Column("event_id", String(36), ForeignKey("events.event_id"), nullable=False, index=True),
                 Column("account", String(64), nullable=False, index=True),
                 Column("amount", Integer, nullable=False),
                 CheckConstraint("amount <> 0", name="nonzero"))

balances = Table("balances", metadata,
                 Column("account", String(64), primary_key=True),
                 Column("balance", Integer, nullable=False))

lots = Table("lots", metadata,
             Column("lot_id", String(36), primary_key=True),
             Column("event_id", String(36), ForeignKey("events.event_id"), nullable=False),
             Column("account", String(64), nullable=False),
             Column("amount", Integer, nullable=False),
             Column("remaining", Integer, nullable=False),
             Column("available_at", DateTime, nullable=False),
             Column("expires_at", DateTime, nullable=False),
             CheckConstraint("remaining >= 0 AND remaining <= amount", name="remaining"),
             Index("ix_lots_account_expiry", "account", "expires_at"),
             # the live lots alone, covering ledger_repo.lots_of (migration 0005)
             Index("ix_lots_live", "account", "expires_at", "remaining", "available_at", "lot_id",
                   sqlite_where=text("remaining > 0")))

outbox = Table("outbox", metadata,
               Column("device_seq", Integer, primary_key=True),
               Column("event_id", String(36), ForeignKey("events.event_id"), nullable=False, unique=True),
               Column("status", String(16), nullable=False, server_default="pending", index=True),
               Column("hq_seq", Integer),
               Column("answer", Text),
               Column("sent_at", DateTime),
               # HQ's later word on the event (pull item event_status): duplicate_serial, waiting, applied, flagged
               Column("hq_status", String(20)),
               Column("hq_note", Text))

audit_log = Table("audit_log", metadata,
                  Column("id", Integer, primary_key=True, autoincrement=True),
                  Column("at", DateTime, nullable=False),
                  Column("staff_id", String(36)),
                  Column("approver_id", String(36)),
                  Column("action", String(32), nullable=False),
                  Column("subject", String(64)),
                  Column("detail", Text, nullable=False, server_default="{}"))

sales = Table("sales", metadata,
              Column("sale_id", String(36), primary_key=True),
              Column("receipt_no", String(32), nullable=False, unique=True),
              Column("member_id", String(36), ForeignKey("members.member_id")),
              Column("staff_id", String(36), nullable=False),
              Column("guide_id", String(36)),
              Column("created_at", DateTime, nullable=False, index=True),
              Column("subtotal_fen", Integer, nullable=False),
              Column("discount_fen", Integer, nullable=False),
              Column("cash_points", Integer, nullable=False),
              Column("cash_fen", Integer, nullable=False),
              Column("due_fen", Integer, nullable=False),
              Column("tender", Text, nullable=False),
              Column("change_fen", Integer, nullable=False),
              Column("earn_points", Integer, nullable=False),
              Column("guide_points", Integer, nullable=False),
              Column("guide_reversed", Integer, nullable=False, server_default="0"),
              Column("refunded_fen", Integer, nullable=False, server_default="0"),
              Column("coupons", Text, nullable=False, server_default="[]"),
              Column("earn_event", String(36)),
              Column("cash_event", String(36)),
              Column("rule_version", Integer, nullable=False),
              # covering: a member's rolling spend is read from the index alone (migration 0003)
              Index("ix_sales_member_spend", "member_id", "created_at", "due_fen", "refunded_fen"))

sale_lines = Table("sale_lines", metadata,
                   Column("sale_id", String(36), ForeignKey("sales.sale_id"), primary_key=True),
                   Column("line_no", Integer, primary_key=True),
                   Column("sku", String(32), nullable=False),
                   Column("name", String(80), nullable=False),
                   Column("category", String(32), nullable=False),
                   Column("qty", Integer, nullable=False),
                   Column("unit_price_fen", Integer, nullable=False),
                   Column("gross_fen", Integer, nullable=False),
                   Column("discount_fen", Integer, nullable=False),
                   Column("cash_fen", Integer, nullable=False),
                   Column("cash_points", Integer, nullable=False),
                   Column("paid_fen", Integer, nullable=False),
                   Column("points", Integer, nullable=False),
                   Column("refunded_qty", Integer, nullable=False, server_default="0"),
                   Column("refunded_fen", Integer, nullable=False, server_default="0"),
                   Column("refunded_points", Integer, nullable=False, server_default="0"),
                   Column("refunded_cash_points", Integer, nullable=False, server_default="0"),
                   CheckConstraint("refunded_qty <= qty AND refunded_points <= points", name="refund_bound"))

refunds = Table("refunds", metadata,
                Column("refund_id", String(36), primary_key=True),
                Column("sale_id", String(36), ForeignKey("sales.sale_id"), nullable=False, index=True),
                Column("staff_id", String(36), nullable=False),
                Column("approver_id", String(36)),
                Column("created_at", DateTime, nullable=False, index=True),
                Column("fen", Integer, nullable=False),
                Column("points", Integer, nullable=False),
                Column("lines", Text, nullable=False),
                Column("reason", Text, nullable=False))

redemptions = Table("redemptions", metadata,
                    Column("redemption_id", String(36), primary_key=True),
                    Column("member_id", String(36), ForeignKey("members.member_id"), nullable=False, index=True),
                    Column("gift_id", String(36), ForeignKey("gifts.gift_id"), nullable=False),
                    Column("qty", Integer, nullable=False),
                    Column("points", Integer, nullable=False),
                    Column("copay_fen", Integer, nullable=False),
                    Column("status", String(12), nullable=False),
                    Column("pickup_code", String(64), nullable=False, unique=True),
                    Column("hold_event", String(36), nullable=False),
                    Column("staff_id", String(36), nullable=False),
                    Column("approver_id", String(36)),
                    Column("created_at", DateTime, nullable=False, index=True),
                    Column("closed_at", DateTime))

label_claims = Table("label_claims", metadata,
                     Column("serial", String(40), primary_key=True),
                     Column("sku", String(32), nullable=False),
                     Column("points", Integer, nullable=False),
                     Column("member_id", String(36), nullable=False),
                     Column("event_id", String(36), nullable=False),
                     Column("claimed_at", DateTime, nullable=False))

seen_codes = Table("seen_codes", metadata,
                   Column("code_key", String(128), primary_key=True),
                   Column("seen_at", DateTime, nullable=False, index=True))

# --- sync (pos_app.sync) -------------------------------------------------------------
# Events that did not happen on this device (other stores', HQ's corrections, member
# snapshots fetched from HQ) live in `events` with device_seq 0 or below, so the
# device's own sequence (max + 1) stays gapless; their hq_seq is kept here.
remote_events = Table("remote_events", metadata,
                      Column("event_id", String(36), ForeignKey("events.event_id"), primary_key=True),
                      Column("hq_seq", Integer, nullable=False, index=True),
                      Column("origin", String(12), nullable=False))  # event | snapshot

# A member unknown locally, fetched from HQ: its balances and lots as of HQ's hq_seq.
# Pulled events of the member at or below as_of_hq_seq are already in the snapshot.
member_snapshots = Table("member_snapshots", metadata,
                         Column("member_id", String(36), primary_key=True),
                         Column("as_of_hq_seq", Integer, nullable=False),
                         Column("event_id", String(36), nullable=False),
                         Column("fetched_at", DateTime, nullable=False))

# Pulled items with no table of their own (tiers, offline limits, balance snapshots) and
# items the store could not apply (with the problem), so one bad item never blocks the cursor.
hq_records = Table("hq_records", metadata,
                   Column("type", String(20), primary_key=True),
                   Column("key", String(80), primary_key=True),
                   Column("hq_seq", Integer, nullable=False),
                   Column("data", Text, nullable=False),
                   Column("problem", Text))

# Gift stock HQ keeps for this store (DESIGN.md 11, pos_app.sync.stock): HQ's count of a gift here after
# everything up to hq_seq as_of. A gift HQ never stocked here has no row: its count is the till's alone.
stock_hq = Table("stock_hq", metadata,
                 Column("gift_id", String(36), primary_key=True),
                 Column("qty", Integer, nullable=False),
                 Column("as_of", Integer, nullable=False))

# This device's own changes of its store's gift stock (a redemption, its void or return, a pickup from
# another store handed over here), by event: the ones HQ had not applied by a stock row's as_of are
# taken off HQ's count (migration 0006s).
stock_own = Table("stock_own", metadata,
                  Column("event_id", String(36), ForeignKey("events.event_id"), primary_key=True),
                  Column("gift_id", String(36), nullable=False, index=True),
                  Column("delta", Integer, nullable=False))

# Codes used once chain-wide (DESIGN.md 11): a pickup collected or voided (P:<redemption>) or a coupon
# taken off a sale (C:<code>), by this device or anywhere in the chain (pulled code_used items). A code
# with a row here is refused (migration 0007s).
code_uses = Table("code_uses", metadata,
                  Column("code_key", String(80), primary_key=True),
                  Column("event_id", String(36), nullable=False),
                  Column("store_id", String(36), nullable=False),
                  Column("used_at", DateTime, nullable=False))

UniqueConstraint  # re-exported for migrations that need it
