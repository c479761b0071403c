"""The console's menu: each area with the roles that may open it (the same sets its pages check),
so nobody is shown a link that would answer 403."""

from __future__ import annotations

from dataclasses import dataclass

from hq_server.auth import Staff
from hq_server.roles import StaffRole
from hq_server.web.staff import EVERYONE


@dataclass(frozen=True)
class Area:
    path: str
    label: str  # msgid
    roles: frozenset[StaffRole]


AREAS: list[Area] = [Area("/console/", "Home", EVERYONE)]


def add(path: str, label: str, roles: frozenset[StaffRole]) -> None:
    """A page module adds its area when it is mounted (in the menu's order)."""
    if all(a.path != path for a in AREAS):
        AREAS.append(Area(path, label, roles))


def menu(who: Staff | None) -> list[Area]:
    return [a for a in AREAS if who is not None and who.may(a.roles)]
