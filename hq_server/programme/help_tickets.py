"""A member's message to customer service becomes a ticket that HQ's console lists and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme.mall_tables import help_tickets
from pos_app.domain.ids import new_id

TOPICS = ("points", "order", "account", "store", "other")
MAX_MESSAGE = 1000
MAX_ANSWER = 2000
PER_DAY = 10  # tickets one member may open in 24 hours: enough for a real need, not for a flood
STATUSES = ("open", "answered", "closed")


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    member_id: str
    topic: str
    message: str
    status: str
    created_at: datetime
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None


def _text(value: object, most: int, what: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    # line breaks are a message's own; any other control or format character is not text
    if not text or len(text) > most or not all(ch.isprintable() or ch in "\n\r\t" for ch in text):
        raise HQProblem(422, f"invalid_{what}", f"the {what} is 1 to {most} characters of text")
    return text


def open_ticket(db: Database, member_id: str, *, topic: str, message: str, now: datetime) -> Ticket:
    if topic not in TOPICS:
        raise HQProblem(422, "invalid_topic", f"the topic is one of {', '.join(TOPICS)}")
    message = _text(message, MAX_MESSAGE, "message")
    t = help_tickets.c
    ticket = Ticket(new_id(), member_id, topic, message, "open", now, None, None, None)
    with db.side_write() as conn:
        recent = conn.execute(select(func.count()).select_from(help_tickets).where(
            t.member_id == member_id, t.created_at > now - timedelta(days=1))).scalar_one()
        if recent >= PER_DAY:
            raise HQProblem(429, "too_many_tickets", f"{PER_DAY} messages a day at most: customer service will "
                                                     "answer the ones you sent", retry_after=3600)
        conn.execute(help_tickets.insert().values(ticket_id=ticket.ticket_id, member_id=member_id, topic=topic,
                                                  message=message, status="open", created_at=now))
    return ticket


def member_tickets(db: Database, member_id: str, limit: int = 50) -> list[Ticket]:
    t = help_tickets.c
    with db.read() as conn:
        rows = conn.execute(select(help_tickets).where(t.member_id == member_id)
                            .order_by(t.created_at.desc()).limit(limit)).all()
    return [Ticket(**r._mapping) for r in rows]


def tickets(db: Database, *, status: str | None = "open", before: datetime | None = None,
            limit: int = 50) -> list[Ticket]:
    """For HQ's console: tickets by status, oldest open first (answer in order), paged by created_at."""
    if status is not None and status not in STATUSES:
        raise HQProblem(422, "invalid_filter", f"status is one of {', '.join(STATUSES)}")
    t = help_tickets.c
    q = select(help_tickets)
    if status:
        q = q.where(t.status == status)
    if before:
        q = q.where(t.created_at < before)
    with db.read() as conn:
        rows = conn.execute(q.order_by(t.created_at.desc() if before else t.created_at).limit(limit)).all()
    return [Ticket(**r._mapping) for r in rows]


def answer_ticket(db: Database, ticket_id: str, *, staff: str, answer: str, close: bool, now: datetime) -> Ticket:
    """Customer service's answer, shown to the member in the mall's help page."""
    answer = _text(answer, MAX_ANSWER, "answer")
    t = help_tickets.c
    with db.side_write() as conn:
        done = conn.execute(update(help_tickets).where(t.ticket_id == ticket_id, t.status != "closed").values(
            answer=answer, answered_by=staff[:40], answered_at=now, status="closed" if close else "answered"))
        row = conn.execute(select(help_tickets).where(t.ticket_id == ticket_id)).first()
    if row is None:
        raise HQProblem(404, "not_found", f"no ticket {ticket_id}")
    if done.rowcount == 0:
        raise HQProblem(409, "ticket_closed", "this ticket is closed")
    return Ticket(**row._mapping)
