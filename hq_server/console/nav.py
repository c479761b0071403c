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


# The menu's order: the day's work first, the admin's last (modules add their areas as they load).
ORDER = ["/console/", "/console/dashboard", "/console/members", "/console/members/approvals", "/console/orders",
         "/console/withdrawals", "/console/programme", "/console/stock", "/console/stores", "/console/conflicts",
         "/console/sms-codes", "/console/users", "/console/audit"]


def menu(who: Staff | None) -> list[Area]:
    rank = {p: i for i, p in enumerate(ORDER)}
    shown = [a for a in AREAS if who is not None and who.may(a.roles)]
    return sorted(shown, key=lambda a: rank.get(a.path, len(ORDER)))


def current(path: str) -> str | None:
    """The area a page belongs to: the longest area path that the page's path starts with."""
    found = [a.path for a in AREAS if path == a.path or (a.path != "/console/" and path.startswith(a.path + "/"))
             or path == a.path.rstrip("/")]
    return max(found, key=len) if found else None
