"""HQ staff on a page: the session cookie (the admin session table's token, the same sessions the
JSON API hands out), the role check every page makes, and its forms' CSRF check.

    Who = Annotated[Staff, Depends(staff_page(roles.MEMBERS_READ))]
    Posted = Annotated[StaffForm, Depends(staff_form(roles.MEMBERS))]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fastapi import Depends, Request
from starlette.datastructures import FormData

from hq_server.auth import Staff, session_staff
from hq_server.errors import HQProblem
from hq_server.programme.refusals import said
from hq_server.roles import ADMIN, StaffRole
from hq_server.web.csrf import checked_form
from hq_server.web.faces import SignInNeeded

COOKIE = "hq_session"
LOGIN_PATH = "/console/login"
EVERYONE = frozenset(StaffRole)  # a page any signed-in member of staff may open


def _signed_in(request: Request) -> Staff:
    token = request.cookies.get(COOKIE)
    who = session_staff(request.app.state.db, token) if token else None
    if who is None:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(LOGIN_PATH, back if request.method == "GET" else request.url.path)
    request.state.session_secret = token
    request.state.staff = who
    return who


def refuse_unless(who: Staff, roles: Iterable[StaffRole]) -> None:
    allowed = frozenset(roles)
    if not who.may(allowed):
        names = ", ".join(sorted({ADMIN, *allowed}))
        raise HQProblem(403, "forbidden", said("your role (%(role)s) may not open this page; it needs one of: %(roles)s",
                                                     role=who.role, roles=names))


def staff_page(roles: Iterable[StaffRole]) -> Callable[[Request], Staff]:
    """A dependency: the signed-in staff member if their role may see the page; a redirect to the
    sign-in page without a session; a 403 page for the wrong role."""
    allowed = frozenset(roles)

    def page(request: Request) -> Staff:
        who = _signed_in(request)
        refuse_unless(who, allowed)
        return who
    return page


@dataclass(frozen=True)
class StaffForm:
    who: Staff
    form: FormData

    def text(self, name: str, max_len: int = 400) -> str:
        value = self.form.get(name)
        if not isinstance(value, str):
            return ""
        if len(value) > max_len:
            raise HQProblem(422, "too_long", said("%(field)s is at most %(n)s characters", field=name, n=max_len))
        return value.strip()


def staff_form(roles: Iterable[StaffRole]) -> Callable[..., object]:
    """A dependency for a POST: the role check, then the CSRF check (a stale form changes nothing)."""
    check = staff_page(roles)

    async def posted(request: Request, who: Staff = Depends(check)) -> StaffForm:
        return StaffForm(who, await checked_form(request, request.state.session_secret))
    return posted
