"""The admin API of the mall's campaigns: the charities members may donate to, and the points game's
settings (plays a day, seconds a play, points a catch, the most a play wins). Operators change them
(the console's campaigns page calls the same use cases); every change goes to the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from hq_server import roles as R
from hq_server.auth import Staff, get_db, now, require
from hq_server.db import Database
from hq_server.programme import charities as C
from hq_server.programme import points_game as G
from hq_server.programme.audit import Actor
from pos_app.domain.points_game import LIMITS
from pos_app.sync.wire import Problem

router = APIRouter(prefix="/api/v1/admin/mall", tags=["mall campaigns"])
PROBLEMS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (401, 403, 404, 422)}
Operator = Depends(require(R.CATALOGUE))
Reader = Depends(require(R.CATALOGUE_READ))


def _actor(who: Staff) -> Actor:
    return Actor(who.username, who.role, who.store_id)


class CharityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=C.MAX_NAME, description="its name as members read it (Chinese)")
    name_en: str = Field("", max_length=60, description="its name in English (empty: the name)")
    about: str = Field("", max_length=C.MAX_ABOUT, description="one line about it")
    about_en: str = Field("", max_length=C.MAX_ABOUT, description="the line in English (empty: the line)")
    listed: bool = Field(True, description="members may donate to it")


class CharityOut(CharityIn):
    key: str
    created_at: str


class GameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plays_per_day: int = Field(strict=True, ge=LIMITS["plays_per_day"][0], le=LIMITS["plays_per_day"][1])
    seconds: int = Field(strict=True, ge=LIMITS["seconds"][0], le=LIMITS["seconds"][1])
    points_per_catch: int = Field(strict=True, ge=LIMITS["points_per_catch"][0], le=LIMITS["points_per_catch"][1])
    max_points_per_play: int = Field(strict=True, ge=LIMITS["max_points_per_play"][0],
                                     le=LIMITS["max_points_per_play"][1],
                                     description="the most one play wins, whatever the page says it caught")
    active: bool = True


def _charity(c: C.Charity) -> CharityOut:
    return CharityOut(key=c.key, name=c.name, name_en=c.name_en, about=c.about, about_en=c.about_en,
                      listed=c.listed, created_at=c.created_at)


@router.get("/charities", response_model=list[CharityOut])
def list_charities(_who: Staff = Reader, db: Database = Depends(get_db)) -> list[CharityOut]:
    """Every charity, listed or not."""
    return [_charity(c) for c in C.charities(db, listed_only=False)]


@router.put("/charities/{key}", response_model=CharityOut, responses=PROBLEMS)
def put_charity(body: CharityIn, key: str = Path(pattern=C.KEY.pattern, description="lower-case letters, digits, -"),
                who: Staff = Operator, db: Database = Depends(get_db)) -> CharityOut:
    """Add a charity, change one, or take one off the list (listed: false; donations made keep naming it)."""
    return _charity(C.put_charity(db, _actor(who), key=key, name=body.name, name_en=body.name_en, about=body.about,
                                  about_en=body.about_en, listed=body.listed, now=now()))


@router.get("/game", response_model=GameIn)
def get_game(_who: Staff = Reader, db: Database = Depends(get_db)) -> GameIn:
    return GameIn(**G.game_settings(db).to_doc())


@router.put("/game", response_model=GameIn, responses=PROBLEMS)
def put_game(body: GameIn, who: Staff = Operator, db: Database = Depends(get_db)) -> GameIn:
    """The points game's settings, from the next play on."""
    return GameIn(**G.put_game_settings(db, _actor(who), body.model_dump(), now()).to_doc())
