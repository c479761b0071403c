"""The charities HQ lists for members' donations (issue 15): a key, a name (and its English), a line
about it, listed or not. Kept as settings rows (`charity:<key>`, JSON), like HQ's label keys: a handful
of records an operator edits from the console or the admin API, each change in the audit log. A charity
taken off the list keeps its record: donations already made name it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from hq_server import models as M
from hq_server.db import Database
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.refusals import BadField, said

PREFIX = "charity:"
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
MAX_NAME, MAX_ABOUT = 40, 300


@dataclass(frozen=True)
class Charity:
    key: str
    name: str
    name_en: str
    about: str
    listed: bool
    created_at: str
    about_en: str = ""

    def name_in(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    def about_in(self, lang: str) -> str:
        return self.about_en if lang == "en" and self.about_en else self.about


def _row(conn: Connection, key: str) -> Charity | None:
    value = conn.execute(select(M.settings.c.value).where(M.settings.c.key == PREFIX + key)).scalar()
    return None if value is None else Charity(**json.loads(value))


def charity(conn: Connection, key: str) -> Charity | None:
    """The charity `key` (listed or not), inside a caller's transaction."""
    return _row(conn, key) if isinstance(key, str) and KEY.match(key) else None


def charities(db: Database, *, listed_only: bool = True) -> list[Charity]:
    s = M.settings.c
    with db.read() as conn:
        rows = conn.execute(select(s.value).where(s.key.startswith(PREFIX, autoescape=True)).order_by(s.key)).scalars()
        found = [Charity(**json.loads(v)) for v in rows]
    return [c for c in found if c.listed or not listed_only]


# Each field's refusal, said so the console shows it in the reader's language (the English as before).
AT_MOST: dict[str, Callable[[int], str]] = {
    "name": lambda most: said("name is at most %(most)s printable characters", most=most),
    "name_en": lambda most: said("name_en is at most %(most)s printable characters", most=most),
    "about": lambda most: said("about is at most %(most)s printable characters", most=most),
    "about_en": lambda most: said("about_en is at most %(most)s printable characters", most=most),
}


def _text(value: object, field: str, most: int, *, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise BadField(field, f"{field} is needed")
    if len(text) > most or not text.isprintable():
        raise BadField(field, AT_MOST[field](most) if field in AT_MOST
                       else f"{field} is at most {most} printable characters")
    return text


def put_charity(db: Database, actor: Actor, *, key: str, name: str, name_en: str = "", about: str = "",
                about_en: str = "", listed: bool = True, now: datetime) -> Charity:
    """Add a charity to the list or change one (its key stays)."""
    if not isinstance(key, str) or not KEY.match(key):
        raise BadField("key", "a key is 1 to 32 lower-case letters, digits or '-', starting with a letter or digit")
    doc: dict[str, Any] = {"key": key, "name": _text(name, "name", MAX_NAME, required=True), "name_en": _text(name_en, "name_en", 60),
           "about": _text(about, "about", MAX_ABOUT), "about_en": _text(about_en, "about_en", MAX_ABOUT),
           "listed": bool(listed)}
    with db.write() as (conn, _seq):
        before = _row(conn, key)
        got = Charity(**doc, created_at=before.created_at if before else now.isoformat(timespec="seconds"))
        value = json.dumps(asdict(got), ensure_ascii=False, sort_keys=True)
        s = M.settings.c
        if conn.execute(update(M.settings).where(s.key == PREFIX + key).values(value=value)).rowcount == 0:
            conn.execute(M.settings.insert().values(key=PREFIX + key, value=value))
        audit.record(conn, actor, "charity.put", f"charity:{key}", before=before and asdict(before),
                     after=asdict(got), at=now)
    return got

