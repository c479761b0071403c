"""Identifiers: UUIDv7 everywhere an id is made on a device.

UUIDv7 sorts by creation time, so ids made offline at many stores still index well
and never collide without coordination.
"""

from __future__ import annotations

import re
import uuid

import uuid6


# An id as new_id() writes it (lower-case hex, hyphenated): what HQ accepts where an id enters.
ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def new_id() -> str:
    return str(uuid6.uuid7())


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


_MADE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_made_id(text: object) -> bool:
    """An id as new_id makes it: a UUID, lowercase, hyphenated, nothing around it. What HQ accepts
    as a member id from a till (anything else, a `%` say, is not one of ours)."""
    return isinstance(text, str) and _MADE_ID.fullmatch(text) is not None
