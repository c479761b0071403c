"""Staff sign-in and accounts: login (throttled, see hq_server.login), logout, one's own password,
and the admin's management of users, roles, sessions and locks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from hq_server import admin_users
from hq_server.auth import SignedIn, Staff, get_db, now, require
from hq_server.db import Database
from hq_server.login import Login, client_address, new_session
from hq_server.roles import USERS, StaffRole
from hq_server.wire_time import UtcDateTime
from pos_app.sync.wire import Problem

router = APIRouter(prefix="/api/v1/admin", tags=["staff"])


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem} for code in codes}


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Body):
    username: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)


class Token(BaseModel):
    token: str
    expires_at: UtcDateTime
    username: str
    role: StaffRole


def login_use_case(request: Request) -> Login:
    app = request.app
    return Login(app.state.db, app.state.settings, app.state.hash_gate)


def address_of(request: Request) -> str:
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), request.app.state.settings.trusted_proxies)


@router.post("/login", response_model=Token, responses=_problems(401, 422, 423, 429))
def login(body: LoginIn, request: Request, use: Annotated[Login, Depends(login_use_case)]) -> Token:
    """A session token for HQ's staff. Wrong logins are throttled per username and per address (429 with
    Retry-After); many in a row lock the account (423) until an admin unlocks it."""
    session = use.login(body.username, body.password, address_of(request), now())
    return Token(token=session.token, expires_at=session.expires_at, username=session.username, role=session.role)


@router.post("/logout", status_code=204, responses=_problems(401))
def logout(who: SignedIn, db: Database = Depends(get_db)) -> None:
    """End this session."""
    admin_users.logout(db, who.token_hash)


class Me(BaseModel):
    username: str
    role: StaffRole
    store_id: str | None


@router.get("/me", response_model=Me, responses=_problems(401))
def me(who: SignedIn) -> Me:
    return Me(username=who.username, role=who.role, store_id=who.store_id)


class PasswordIn(Body):
    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


@router.post("/password", response_model=Token, responses=_problems(401, 403, 422, 429))
def change_password(body: PasswordIn, who: SignedIn, request: Request,
                    use: Annotated[Login, Depends(login_use_case)]) -> Token:
    """Change one's own password: every session of the user ends, and a new one is handed back."""
    with use.gate:
        admin_users.change_password(use.db, who.username, body.old_password, body.new_password)
    with use.db.side_write() as conn:
        session = new_session(conn, who.username, who.role, address_of(request), now(), use.s.session_hours)
    return Token(token=session.token, expires_at=session.expires_at, username=who.username, role=who.role)


class UserIn(Body):
    role: StaffRole
    store_id: str | None = Field(default=None, min_length=1, max_length=36)
    password: str | None = Field(default=None, min_length=1, max_length=200,
                                 description="set or reset it: every session of the user ends")
    active: bool = True


class UserOut(BaseModel):
    username: str
    role: StaffRole
    store_id: str | None
    active: bool
    locked: bool
    created_at: UtcDateTime
    password_changed_at: UtcDateTime | None
    sessions: int


def _out(u: admin_users.StaffUser) -> UserOut:
    return UserOut(**u.__dict__)


Admin = Annotated[Staff, Depends(require(USERS))]


@router.get("/users", response_model=list[UserOut], responses=_problems(401, 403))
def list_users(_who: Admin, db: Database = Depends(get_db)) -> list[UserOut]:
    return [_out(u) for u in admin_users.list_users(db)]


@router.put("/users/{username}", response_model=UserOut, responses=_problems(401, 403, 404, 422))
def put_user(username: str, body: UserIn, _who: Admin, db: Database = Depends(get_db)) -> UserOut:
    """Create or change a user: role (and a store manager's store), password, active."""
    return _out(admin_users.put_user(db, username, role=body.role, store_id=body.store_id, password=body.password,
                                     active=body.active))


@router.post("/users/{username}/unlock", status_code=204, responses=_problems(401, 403, 404))
def unlock(username: str, _who: Admin, db: Database = Depends(get_db)) -> None:
    """Lift the lock that wrong passwords put on a username."""
    admin_users.unlock(db, username)


class Ended(BaseModel):
    sessions_ended: int


@router.post("/users/{username}/revoke-sessions", response_model=Ended, responses=_problems(401, 403, 404))
def revoke_sessions(username: str, _who: Admin, db: Database = Depends(get_db)) -> Ended:
    """End every session of the user (a lost laptop, someone leaving)."""
    return Ended(sessions_ended=admin_users.revoke_sessions(db, username))

