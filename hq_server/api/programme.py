"""The programme's JSON routes for HQ's staff: adjustments (four eyes above a threshold), coupons
issued to members, the chain's tiers, the scheduled jobs. Thin: parse, call hq_server.programme, answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from hq_server import roles as R
from hq_server.auth import Staff, get_db, now, require
from hq_server.db import Database
from hq_server.programme import adjustments, catalogue, coupons, earnings, jobs, network, team, tiers, withdrawals
from hq_server.wire_time import UtcDateTime
from pos_app.domain.ids import ID_PATTERN
from pos_app.domain.network import LevelRewards
from pos_app.domain.point_policy import PointPolicy
from pos_app.sync.wire import Problem

router = APIRouter(prefix="/api/v1/admin", tags=["programme"])
PROBLEMS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (401, 403, 404, 409, 422)}
Members = Depends(require(R.MEMBERS))
MembersRead = Depends(require(R.MEMBERS_READ))
ChainAdmin = Depends(require(R.USERS))
Catalogue = Depends(require(R.CATALOGUE))
CatalogueRead = Depends(require(R.CATALOGUE_READ))
Finance = Depends(require(frozenset({R.FINANCE})))  # withdrawals and payouts
MemberId = Path(pattern=ID_PATTERN, description="the member's id (a UUID)")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- adjustments ------------------------------------------------------------------------------
class AdjustmentIn(Body):
    member_id: str = Field(pattern=ID_PATTERN)
    points: int = Field(strict=True, ge=-10**9, le=10**9, description="added (> 0) or taken (< 0); not 0")
    reason: str = Field(min_length=1, max_length=adjustments.MAX_REASON)


class AdjustmentOut(BaseModel):
    adjustment_id: str
    member_id: str
    points: int
    reason: str
    requested_by: str
    requested_at: UtcDateTime
    status: Literal["pending", "applied", "refused"]
    decided_by: str | None = None
    decided_at: UtcDateTime | None = None
    event_id: str | None = None
    note: str | None = None


class RefuseIn(Body):
    note: str = Field(min_length=1, max_length=adjustments.MAX_REASON)


class ThresholdIn(Body):
    points: int = Field(strict=True, ge=0, le=10**9)


class ThresholdOut(BaseModel):
    points: int


@router.post("/adjustments", response_model=AdjustmentOut, status_code=201, responses=PROBLEMS)
def request_adjustment(body: AdjustmentIn, who: Staff = Members, db: Database = Depends(get_db)) -> dict[str, Any]:
    """Move a member's points with a reason: applied at once up to the threshold (status `applied`),
    above it `pending` until someone else approves."""
    a = adjustments.request_adjustment(db, member_id=body.member_id, points=body.points, reason=body.reason,
                                       staff=who.username, now=now())
    return a.__dict__


@router.get("/adjustments", response_model=list[AdjustmentOut])
def list_adjustments(status: Literal["pending", "applied", "refused"] | None = None,
                     member_id: str | None = Query(None, pattern=ID_PATTERN), limit: int = Query(200, ge=1, le=1000),
                     _who: Staff = MembersRead, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    return [a.__dict__ for a in adjustments.list_adjustments(db, status=status, member_id=member_id, limit=limit)]


@router.post("/adjustments/{adjustment_id}/approve", response_model=AdjustmentOut, responses=PROBLEMS)
def approve_adjustment(adjustment_id: str = Path(pattern=ID_PATTERN), who: Staff = Members,
                       db: Database = Depends(get_db)) -> dict[str, Any]:
    return adjustments.approve_adjustment(db, adjustment_id=adjustment_id, staff=who.username, now=now()).__dict__


@router.post("/adjustments/{adjustment_id}/refuse", response_model=AdjustmentOut, responses=PROBLEMS)
def refuse_adjustment(body: RefuseIn, adjustment_id: str = Path(pattern=ID_PATTERN), who: Staff = Members,
                      db: Database = Depends(get_db)) -> dict[str, Any]:
    return adjustments.refuse_adjustment(db, adjustment_id=adjustment_id, staff=who.username, note=body.note,
                                         now=now()).__dict__


@router.get("/adjustment-threshold", response_model=ThresholdOut)
def get_threshold(_who: Staff = MembersRead, db: Database = Depends(get_db)) -> dict[str, Any]:
    return {"points": adjustments.approval_threshold(db)}


@router.put("/adjustment-threshold", response_model=ThresholdOut, responses=PROBLEMS)
def set_threshold(body: ThresholdIn, _who: Staff = ChainAdmin, db: Database = Depends(get_db)) -> dict[str, Any]:
    """Adjustments moving more points than this need a second person (the chain's admin sets it)."""
    return {"points": adjustments.set_approval_threshold(db, points=body.points)}


# --- coupons issued to members ---------------------------------------------------------------
class CouponIn(Body):
    type_id: str = Field(min_length=1, max_length=64)
    paid: bool = Field(False, description="the member pays the type's points_cost; false: HQ gives it free")


class CouponOut(BaseModel):
    code: str
    type_id: str
    member_id: str
    expires_at: UtcDateTime
    event_id: str
    points: int
    status: str


@router.post("/members/{member_id}/coupons", response_model=CouponOut, status_code=201, responses=PROBLEMS)
def issue_coupon(body: CouponIn, member_id: str = MemberId, who: Staff = Members,
                 db: Database = Depends(get_db)) -> dict[str, Any]:
    """Issue a coupon to the member (a ledger event the member's tills pull)."""
    return coupons.issue_coupon(db, member_id=member_id, type_id=body.type_id, staff=who.username, now=now(),
                                paid=body.paid).__dict__


@router.get("/members/{member_id}/coupons", response_model=list[CouponOut], responses=PROBLEMS)
def member_coupons(member_id: str = MemberId, _who: Staff = MembersRead, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    return [c.__dict__ for c in coupons.member_coupons(db, member_id)]


# --- tiers ----------------------------------------------------------------------------------
class TierOut(BaseModel):
    code: str
    name: str
    min_spend_fen: int | None
    min_points: int | None
    multiplier_pct: int
    benefits: list[str]


class CatalogRecordOut(BaseModel):
    type: str
    key: str
    hq_seq: int
    data: dict[str, Any]


@router.get("/tiers", response_model=list[TierOut])
def tiers_in_force(_who: Staff = CatalogueRead, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    """The chain's tiers as every till uses them: the rules' tiers with HQ's tier records over them."""
    return [{"code": t.code, "name": t.name, "min_spend_fen": t.min_spend_fen, "min_points": t.min_points,
             "multiplier_pct": t.multiplier_pct, "benefits": list(t.benefits)}
            for t in tiers.tiers_in_force(db, now=now())]


@router.put("/tiers", response_model=list[CatalogRecordOut], responses=PROBLEMS)
def put_tiers(records: dict[str, dict[str, Any]], _who: Staff = Catalogue, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    """Replace HQ's tier records as one set ({code: record}), e.g. to move the tiers from spend to points;
    one record alone is PUT /catalog/tier/{code}."""
    return [r.__dict__ for r in catalogue.put_tiers(db, records=records, now=now())]


# --- point types' policies and withdrawals --------------------------------------------------------
class PolicyOut(BaseModel):
    withdraw: bool
    min_withdraw_points: int
    fen_per_100_points: int


class WithdrawalIn(Body):
    holder: str = Field(min_length=1, max_length=36, description="a member's id, or a staff guide's")
    point_type: Literal["consumer", "guide", "agent"]
    points: int = Field(strict=True, ge=1, le=10**12)


class WithdrawalOut(BaseModel):
    withdrawal_id: str
    holder: str
    point_type: str
    points: int
    amount_fen: int
    status: Literal["pending", "approved", "refused"]
    requested_by: str
    requested_at: UtcDateTime
    hold_event: str
    decided_by: str | None = None
    decided_at: UtcDateTime | None = None
    settle_event: str | None = None
    note: str | None = None
    exported_at: UtcDateTime | None = None


@router.get("/point-policies", response_model=dict[str, PolicyOut])
def point_policies(_who: Staff = CatalogueRead, db: Database = Depends(get_db)) -> dict[str, Any]:
    """What each point type may be used for (withdrawn as cash, from how many points, at what rate)."""
    return {str(t): _policy(p) for t, p in withdrawals.point_policies(db).items()}


@router.put("/point-policies", response_model=dict[str, PolicyOut], responses=PROBLEMS)
def set_point_policies(doc: dict[str, dict[str, Any]], _who: Staff = ChainAdmin, db: Database = Depends(get_db)) -> dict[str, Any]:
    return {str(t): _policy(p) for t, p in withdrawals.set_point_policies(db, doc=doc).items()}


def _policy(p: PointPolicy) -> dict[str, Any]:
    return {"withdraw": p.withdraw, "min_withdraw_points": p.min_withdraw_points,
            "fen_per_100_points": p.fen_per_100_points}


@router.post("/withdrawals", response_model=WithdrawalOut, status_code=201, responses=PROBLEMS)
def request_withdrawal(body: WithdrawalIn, who: Staff = Members, db: Database = Depends(get_db)) -> dict[str, Any]:
    """A holder's request to withdraw points as cash (customer service on their behalf; the mall calls
    hq_server.programme.withdrawals itself): the points are held until finance decides."""
    return withdrawals.request_withdrawal(db, holder=body.holder, point_type=body.point_type, points=body.points,
                                          requested_by=who.username, now=now()).__dict__


@router.get("/withdrawals", response_model=list[WithdrawalOut])
def list_withdrawals(status: Literal["pending", "approved", "refused"] | None = None,
                     holder: str | None = Query(None, max_length=36), _who: Staff = Finance,
                     db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    return [w.__dict__ for w in withdrawals.list_withdrawals(db, status=status, holder=holder)]


@router.post("/withdrawals/{withdrawal_id}/approve", response_model=WithdrawalOut, responses=PROBLEMS)
def approve_withdrawal(withdrawal_id: str = Path(pattern=ID_PATTERN), who: Staff = Finance,
                       db: Database = Depends(get_db)) -> dict[str, Any]:
    return withdrawals.approve_withdrawal(db, withdrawal_id=withdrawal_id, staff=who.username, now=now()).__dict__


@router.post("/withdrawals/{withdrawal_id}/refuse", response_model=WithdrawalOut, responses=PROBLEMS)
def refuse_withdrawal(body: RefuseIn, withdrawal_id: str = Path(pattern=ID_PATTERN), who: Staff = Finance,
                      db: Database = Depends(get_db)) -> dict[str, Any]:
    return withdrawals.refuse_withdrawal(db, withdrawal_id=withdrawal_id, staff=who.username, note=body.note,
                                         now=now()).__dict__


@router.get("/payouts.csv", response_class=PlainTextResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "the payout file"}})
def payouts_csv(again: bool = Query(False, description="every approved payout, exported or not"),
                _who: Staff = Finance, db: Database = Depends(get_db)) -> PlainTextResponse:
    """Approved withdrawals not exported yet, as CSV for finance to pay (then marked exported)."""
    return PlainTextResponse(withdrawals.payout_csv(db, now=now(), again=again), media_type="text/csv",
                             headers={"Content-Disposition": 'attachment; filename="payouts.csv"'})


# --- guides' and agents' networks ------------------------------------------------------------------
class LevelRewardsIO(Body):
    guide_pct: list[int] = Field(default_factory=list, description="levels 2 and 3: percent of the guide's points")
    agent_pct: list[int] = Field(default_factory=list, description="levels 2 and 3: percent of the referral bonus")
    store_pct: list[int] = Field(default_factory=list, description="levels 1 to 3: percent of the points a "
                                 "recruited store's sales earned, to its agent and the two who referred them")


class RecruiterIn(Body):
    recruited_by: str = Field(min_length=1, max_length=36)


class GuideLinkIn(Body):
    staff_id: str = Field(min_length=1, max_length=36, description="the shopping guide (staff) this member is")


class StoreRecruiterIn(Body):
    agent_id: str = Field(pattern=ID_PATTERN, description="the member (an agent) who recruited the store")


def _levels(r: LevelRewards) -> dict[str, Any]:
    return {"guide_pct": list(r.guide_pct), "agent_pct": list(r.agent_pct), "store_pct": list(r.store_pct)}


@router.get("/level-rewards", response_model=LevelRewardsIO)
def level_rewards(_who: Staff = CatalogueRead, db: Database = Depends(get_db)) -> dict[str, Any]:
    return _levels(network.level_rewards(db))


@router.put("/level-rewards", response_model=LevelRewardsIO, responses=PROBLEMS)
def set_level_rewards(body: dict[str, Any], _who: Staff = Catalogue, db: Database = Depends(get_db)) -> dict[str, Any]:
    """HQ's shares for the recruiters of a guide or a referrer (two levels above at most) and for the agents
    above a recruited store (three levels at most): 422 beyond."""
    return _levels(network.set_level_rewards(db, doc=body))


@router.put("/staff/{staff_id}/recruiter", status_code=204, responses=PROBLEMS)
def set_recruiter(body: RecruiterIn, staff_id: str = Path(min_length=1, max_length=36), _who: Staff = Catalogue,
                  db: Database = Depends(get_db)) -> None:
    """Who recruited this shopping guide (another guide)."""
    network.set_recruiter(db, staff_id=staff_id, recruited_by=body.recruited_by, now=now())


@router.put("/members/{member_id}/guide", status_code=204, responses=PROBLEMS)
def link_guide(body: GuideLinkIn, member_id: str = Path(min_length=1, max_length=36), _who: Staff = Catalogue,
               db: Database = Depends(get_db)) -> None:
    """This member is the chain's shopping guide `staff_id`: the mall shows them their guide points, the
    guides they recruited and their guide withdrawals (programme.team)."""
    team.link_guide(db, member_id=member_id, staff_id=body.staff_id, now=now())


@router.put("/stores/{store_id}/recruiter", status_code=204, responses=PROBLEMS)
def set_store_recruiter(body: StoreRecruiterIn, store_id: str = Path(min_length=1, max_length=36),
                        _who: Staff = Catalogue, db: Database = Depends(get_db)) -> None:
    """The agent who recruited this retail store: from now on they (and the two who referred them) earn
    agent points on its sales, at HQ's store_pct."""
    network.set_store_recruiter(db, store_id=store_id, agent_id=body.agent_id, now=now())


class EarningLineOut(BaseModel):
    hq_seq: int
    event_id: str
    kind: str
    what: str
    points: int
    store_id: str
    at: UtcDateTime
    level: int | None = None
    sale_id: str | None = None


class EarningsOut(BaseModel):
    holder: str
    point_type: str
    balance: int
    earned: int
    spent: int
    held: int
    owed: int
    lines: list[EarningLineOut]
    next_before: int | None


@router.get("/holders/{holder}/earnings", response_model=EarningsOut, responses=PROBLEMS)
def holder_earnings(holder: str = Path(min_length=1, max_length=36),
                    point_type: Literal["consumer", "guide", "agent"] = Query(...),
                    before: int | None = Query(None, ge=1), limit: int = Query(earnings.PAGE, ge=1, le=earnings.MAX_PAGE),
                    _who: Staff = MembersRead, db: Database = Depends(get_db)) -> dict[str, Any]:
    """A guide's (a staff id) or an agent's (a member id) statement of one point type: balance, earned, spent,
    held for withdrawals, owed, and the lines newest first (each reward's level, each refund's reversal)."""
    got = earnings.earnings(db, holder=holder, point_type=point_type, before=before, limit=limit)
    return {**got.__dict__, "lines": [line.__dict__ for line in got.lines]}


# --- scheduled jobs --------------------------------------------------------------------------
class JobRunOut(BaseModel):
    job: str
    ran: bool
    result: dict[str, Any]


class JobStateOut(BaseModel):
    job: str
    last_run_at: UtcDateTime
    result: dict[str, Any]


class JobsIn(Body):
    force: bool = Field(False, description="run every job now, due or not")


@router.post("/jobs/run", response_model=list[JobRunOut], responses=PROBLEMS)
def run_jobs(body: JobsIn | None = None, _who: Staff = ChainAdmin, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    """Run the scheduled jobs (expiry, tier downgrades) now; HQ also runs them by itself."""
    at: datetime = now()
    force = bool(body and body.force)
    return [r.__dict__ for r in (jobs.run_job(db, j, now=at, force=force) for j in jobs.JOBS)]


@router.get("/jobs", response_model=list[JobStateOut])
def job_states(_who: Staff = ChainAdmin, db: Database = Depends(get_db)) -> list[dict[str, Any]]:
    return [{"job": j, "last_run_at": at, "result": result} for j, (at, result) in sorted(jobs.last_runs(db).items())]
