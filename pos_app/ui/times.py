"""Times as people at the counter read them: the store's own clock, not UTC."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def local(at: datetime, tz: tzinfo | None) -> datetime:
    """The store's times are naive UTC; people read their own clock."""
    return at.replace(tzinfo=UTC).astimezone(tz) if tz is not None else at


def minute(at: datetime, tz: tzinfo | None) -> str:
    return local(at, tz).strftime("%Y-%m-%d %H:%M")
