"""How the faces write numbers and times: money in yuan from integer fen (never a float), points with
thousands separators, HQ's stored UTC times in the chain's local time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

CHAIN_TZ = ZoneInfo("Asia/Shanghai")


def yuan(fen: int | None) -> str:
    """12345 -> '123.45' (integer arithmetic: fen stay exact)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def points(n: int | None) -> str:
    return "" if n is None else f"{int(n):,}"


def local_time(at: datetime | date | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time (naive UTC, as HQ keeps them) in the chain's local time."""
    if at is None or at == "":
        return ""
    if isinstance(at, str):
        try:
            parsed = datetime.fromisoformat(at)
        except ValueError:
            return at
        at = parsed
    if isinstance(at, datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return at.astimezone(CHAIN_TZ).strftime(fmt)
    if isinstance(at, date):
        return at.isoformat()
    return str(at)


def cell(value: Any, kind: str) -> str:
    """One table or CSV cell of a column of this kind."""
    if kind == "yuan":
        return yuan(value)
    if kind == "points":
        return "" if value is None else str(int(value))
    if kind == "time":
        return local_time(value)
    if kind == "json":
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if kind == "bool":
        return "1" if value else "0"
    return "" if value is None else str(value)


def pretty_json(value: Any) -> str:
    """A record for a person to read (the page escapes it; tojson's HTML-safe escapes are for scripts)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
