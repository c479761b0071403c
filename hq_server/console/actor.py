"""The signed-in staff member as the use cases and the audit log name them."""

from __future__ import annotations

from hq_server.auth import Staff
from hq_server.programme.audit import Actor


def actor_of(who: Staff) -> Actor:
    return Actor(who.username, who.role, who.store_id)
