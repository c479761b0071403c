"""The console's tables (migration 0005c): the audit log, and adjustments waiting for a second person.

They sit on HQ's one metadata (hq_server.models) so Alembic and the tests see one schema; they live
here, beside the use cases that write them, because nothing else in HQ reads them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text

from hq_server.models import metadata

# Every change made from the console: who (and their role), when, what (an action name and its
# target), the record before and after (JSON; NULL where there was none), and a note. Rows are only
# ever added: the log is the history staff search when something looks wrong.
audit_log = Table("audit_log", metadata,
                  Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
                  Column("at", DateTime, nullable=False, index=True),
                  Column("actor", String(40), nullable=False),
                  Column("role", String(20), nullable=False),
                  Column("action", String(40), nullable=False),
                  Column("target", String(120), nullable=False),
                  Column("before", Text),
                  Column("after", Text),
                  Column("note", Text),
                  Index("ix_audit_log_actor_at", "actor", "at"),
                  Index("ix_audit_log_action_at", "action", "at"),
                  Index("ix_audit_log_target", "target"))

# An adjustment above the approval threshold waits here until a second person approves or refuses
# it; only an approval writes the ledger event (so a refused one leaves the ledger untouched).
approvals = Table("approvals", metadata,
                  Column("approval_id", String(36), primary_key=True),
                  Column("kind", String(20), nullable=False),  # adjust
                  Column("member_id", String(36), nullable=False, index=True),
                  Column("request", Text, nullable=False),  # JSON: what to do once approved
                  Column("requested_by", String(40), nullable=False),
                  Column("requested_at", DateTime, nullable=False),
                  Column("status", String(12), nullable=False),  # pending | approved | refused
                  Column("decided_by", String(40)),
                  Column("decided_at", DateTime),
                  Column("event_id", String(36)),
                  Index("ix_approvals_status", "status", "requested_at"))
