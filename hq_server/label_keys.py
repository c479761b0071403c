"""HQ's label keys, signed label batches, and members' phone keys (DESIGN.md section 4).

HQ alone holds the private label key: it signs label batches, and stores receive only
public keys, as pull items, so a store verifies labels offline but can never mint one.

Everything lives in the `settings` key/value table (JSON values):

    label_key:<key id>     {"key_id", "public_key", "sealed_private_key", "created_at", "retired_at"}
    label_batch:<code>     a batch's plan (pos_app.domain.label_batches.BatchPlan) and its key id
    member_key:<member>    {"member_id", "key_id", "public_key", "set_at"}

The newest key not retired signs new batches; every key not retired verifies at the
stores (labels already printed stay good when a new key is made). Retiring is final: a
retired key signs nothing more and the stores stop accepting its labels. A batch keeps
only its plan (each label's points): Ed25519 signatures are deterministic, so the batch
downloaded again is the same file, byte for byte in its labels.

Feed items, to every store (CHAIN):
    label_key   key id -> {"key_id", "public_key", "active", "created_at", "retired_at"}
    member_key  member id -> {"member_id", "key_id", "public_key"}
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, select, update

from hq_server import models as M
from hq_server import sealing
from hq_server import roles as R
from hq_server.auth import Staff, get_db, now, require
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from hq_server.ledger.key_rows import BATCH, MEMBER, batch_plan, member_key  # noqa: F401 (re-exported)
from hq_server.programme import catalogue
from hq_server.wire_time import UtcDateTime
from pos_app.domain import codes as C
from pos_app.domain import label_batches as LB
from pos_app.domain.ids import ID_PATTERN
from pos_app.domain.problems import Refused
from pos_app.sync.wire import Problem

router = APIRouter(prefix="/api/v1/admin", tags=["labels"])
PROBLEMS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (401, 403, 404, 409, 422)}
KeyAdmin = Depends(require(R.USERS))         # the label key: the chain's admin alone
Labels = Depends(require(R.CATALOGUE))       # label batches: operators
MemberKeys = Depends(require(R.MEMBERS))     # a member's phone key: customer service

KEY = "label_key:"
KEY_ID = r"^[0-9a-f]{8}$"
BATCH_CODE = r"^[A-Z2-7]{8}$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- settings rows ------------------------------------------------------------------------
def _get(conn: Connection, key: str) -> dict[str, Any] | None:
    value = conn.execute(select(M.settings.c.value).where(M.settings.c.key == key)).scalar()
    return None if value is None else json.loads(value)


def _put(conn: Connection, key: str, doc: dict[str, Any]) -> None:
    value = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    if conn.execute(update(M.settings).where(M.settings.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(M.settings.insert().values(key=key, value=value))


def _all(conn: Connection, prefix: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(M.settings.c.value).where(M.settings.c.key.startswith(prefix, autoescape=True))
                        .order_by(M.settings.c.key)).scalars().all()
    return [json.loads(v) for v in rows]


def trusted_label_keys(conn: Connection) -> dict[str, bytes]:
    """Every label key not retired, by key id: what a store trusts once it pulls (HQ checks a label a
    member scans in the mall against the same keys)."""
    return {k["key_id"]: bytes.fromhex(k["public_key"]) for k in _keys(conn) if not k.get("retired_at")}


def _keys(conn: Connection) -> list[dict[str, Any]]:
    """Every label key, oldest first."""
    return sorted(_all(conn, KEY), key=lambda k: (k["created_at"], k["key_id"]))


def _signing_key(conn: Connection) -> dict[str, Any] | None:
    live = [k for k in _keys(conn) if not k.get("retired_at")]
    return live[-1] if live else None


def _private(doc: dict[str, Any], db: Database) -> Ed25519PrivateKey:
    """The key's private half, unsealed (sealing.py). A key stored before sealing (plain
    "private_key") still signs; the next batch or key made seals it."""
    if "private_key" in doc:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(doc["private_key"]))
    try:
        raw = sealing.unseal(doc["sealed_private_key"], doc["key_id"], db.url)
    except sealing.SealError as err:
        raise HQProblem(409, "label_key_sealed", f"label key {doc['key_id']} cannot be opened: {err}; restore "
                        "that secret, or retire the key and make a new one") from None
    return Ed25519PrivateKey.from_private_bytes(raw)


def _seal_plain_keys(conn: Connection, db: Database) -> None:
    for doc in _keys(conn):
        if "private_key" in doc:
            plain = bytes.fromhex(doc.pop("private_key"))
            _put(conn, KEY + doc["key_id"], {**doc, "sealed_private_key": sealing.seal(plain, doc["key_id"], db.url)})


# --- label keys -----------------------------------------------------------------------------
class LabelKeyOut(BaseModel):
    key_id: str = Field(description="first 4 bytes of SHA-256 of the public key, hex (what labels name)")
    public_key: str = Field(description="raw Ed25519 public key, 64 hex digits (what stores trust)")
    created_at: UtcDateTime
    retired_at: UtcDateTime | None = None
    active: bool = Field(description="not retired: stores accept its labels")
    signing: bool = Field(description="the key new batches are signed with (the newest active key)")


def _out(doc: dict[str, Any], signing: str | None) -> LabelKeyOut:
    return LabelKeyOut(key_id=doc["key_id"], public_key=doc["public_key"], created_at=doc["created_at"],
                       retired_at=doc.get("retired_at"), active=not doc.get("retired_at"),
                       signing=doc["key_id"] == signing)


def _feed_key(feed: FeedWriter, doc: dict[str, Any]) -> None:
    feed.add(M.CHAIN, "label_key", doc["key_id"], {
        "key_id": doc["key_id"], "public_key": doc["public_key"], "active": not doc.get("retired_at"),
        "created_at": doc["created_at"], "retired_at": doc.get("retired_at")})


@router.post("/label-keys", response_model=LabelKeyOut, status_code=201, responses=PROBLEMS)
def create_label_key(_who: Staff = KeyAdmin, db: Database = Depends(get_db)) -> LabelKeyOut:
    """A new Ed25519 label key, made at HQ. Its private half never leaves HQ's database; its
    public half goes to every store. From now on new batches are signed with it."""
    key = Ed25519PrivateKey.generate()
    public = LB.public_bytes(key)
    key_id = C.key_id_for(public)
    doc: dict[str, Any] = {"key_id": key_id, "public_key": public.hex(),
           "sealed_private_key": sealing.seal(key.private_bytes_raw(), key_id, db.url),
           "created_at": now().isoformat(), "retired_at": None}
    with db.write() as (conn, seq):
        _seal_plain_keys(conn, db)
        if _get(conn, KEY + doc["key_id"]) is not None:  # 32 random bits of id: retry rather than collide
            raise HQProblem(409, "key_exists", "a key with this id exists already: try again")
        _put(conn, KEY + doc["key_id"], doc)
        feed = FeedWriter(seq)
        _feed_key(feed, doc)
        feed.flush(conn)
    return _out(doc, doc["key_id"])


@router.get("/label-keys", response_model=list[LabelKeyOut])
def list_label_keys(_who: Staff = Labels, db: Database = Depends(get_db)) -> list[LabelKeyOut]:
    """Every label key, oldest first (public halves only)."""
    with db.read() as conn:
        keys = _keys(conn)
        signing = _signing_key(conn)
    return [_out(k, signing["key_id"] if signing else None) for k in keys]


@router.post("/label-keys/{key_id}/retire", response_model=LabelKeyOut, responses=PROBLEMS)
def retire_label_key(key_id: str = Path(pattern=KEY_ID, description="8 hex digits"), _who: Staff = KeyAdmin,
                     db: Database = Depends(get_db)) -> LabelKeyOut:
    """Retire a label key for good: it signs no more batches, and stores, once they pull,
    refuse labels signed with it (labels already earned stay earned)."""
    with db.write() as (conn, seq):
        doc = _get(conn, KEY + key_id)
        if doc is None:
            raise HQProblem(404, "not_found", f"no label key {key_id}")
        if doc.get("retired_at"):
            raise HQProblem(409, "already_retired", f"label key {key_id} was retired at {doc['retired_at']}")
        doc["retired_at"] = now().isoformat()
        _put(conn, KEY + key_id, doc)
        feed = FeedWriter(seq)
        _feed_key(feed, doc)
        feed.flush(conn)
        signing = _signing_key(conn)
    return _out(doc, signing["key_id"] if signing else None)


# --- label batches ------------------------------------------------------------------------------
class LabelBatchIn(Body):
    sku: str = Field(min_length=1, max_length=C.MAX_SKU, description="the product's SKU (no spaces)")
    name: str = Field(min_length=1, max_length=LB.MAX_NAME, description="the product's name printed on each label")
    count: int = Field(strict=True, ge=1, le=C.MAX_BATCH_LABELS, description="how many labels")
    prizes: str = Field(min_length=1, max_length=400,
                        description="points, fixed (`20`) or a table POINTS:WEIGHT,... (`8:50,28:30,68:5`)")


class PrizeOut(BaseModel):
    points: int
    weight: int


class LabelOut(BaseModel):
    serial: str
    points: int
    payload: str


class LabelBatchOut(BaseModel):
    """A batch file (`pos-app labels sheet`, the store's Labels screen), as `write_batch` writes it."""

    format: str = LB.BATCH_FORMAT
    batch: str
    sku: str
    name: str
    key_id: str
    public_key: str
    created_at: str
    prizes: list[PrizeOut]
    allocation: dict[str, int]
    total_points: int
    labels: list[LabelOut]


class LabelBatchSummary(BaseModel):
    batch: str
    sku: str
    name: str
    key_id: str
    created_at: str
    count: int
    total_points: int
    key_active: bool


@router.post("/label-batches", response_model=LabelBatchOut, status_code=201, responses=PROBLEMS)
def create_label_batch(body: LabelBatchIn, _who: Staff = Labels, db: Database = Depends(get_db)) -> dict[str, Any]:
    """Sign a batch of product labels with the signing label key. Each label's points are
    drawn from the prize table (exactly its shares, shuffled). HQ records the batch, so
    GET /label-batches/{batch} gives the same file again."""
    try:
        plan = LB.plan_batch(sku=body.sku, name=body.name, count=body.count, prizes=body.prizes, now=now())
    except Refused as err:
        raise HQProblem(422, "invalid_batch", "; ".join(p.message for p in err.problems)) from None
    with db.write() as (conn, _seq):
        if catalogue.product(conn, plan.sku) is None:  # its labels would earn at no till: nothing sells it
            raise HQProblem(422, "invalid_batch", f"sku: no product {plan.sku!r} in the catalogue")
        _seal_plain_keys(conn, db)
        signing = _signing_key(conn)
        if signing is None:
            raise HQProblem(409, "no_label_key", "no active label key: make one with POST /api/v1/admin/label-keys")
        while _get(conn, BATCH + plan.batch) is not None:  # 40 random bits: a clash is rare, never reused
            plan = LB.BatchPlan(LB.new_batch_code(), plan.sku, plan.name, plan.created_at, plan.prizes, plan.points)
        _put(conn, BATCH + plan.batch, {"key_id": signing["key_id"], **plan.to_doc()})
    # signed after the commit: HQ's writer lock is not held while a large batch is signed
    return LB.sign_batch(plan, _private(signing, db)).to_json()


@router.get("/label-batches", response_model=list[LabelBatchSummary])
def list_label_batches(_who: Staff = Labels, db: Database = Depends(get_db)) -> list[LabelBatchSummary]:
    with db.read() as conn:
        docs = _all(conn, BATCH)
        live = {k["key_id"] for k in _keys(conn) if not k.get("retired_at")}
    return [LabelBatchSummary(batch=d["batch"], sku=d["sku"], name=d["name"], key_id=d["key_id"],
                              created_at=d["created_at"], count=len(d["points"]), total_points=sum(d["points"]),
                              key_active=d["key_id"] in live)
            for d in sorted(docs, key=lambda d: (d["created_at"], d["batch"]))]


@router.get("/label-batches/{batch}", response_model=LabelBatchOut, responses=PROBLEMS)
def get_label_batch(response: Response, batch: str = Path(pattern=BATCH_CODE, description="8 characters A-Z, 2-7"),
                    _who: Staff = Labels, db: Database = Depends(get_db)) -> dict[str, Any]:
    """The batch file again (same labels, same signatures), named batch-<code>.json for a
    download. A batch of a retired key is still given (for the records), but stores refuse
    its labels."""
    with db.read() as conn:
        doc = _get(conn, BATCH + batch)
        key = doc and _get(conn, KEY + doc["key_id"])
    if doc is None or key is None:
        raise HQProblem(404, "not_found", f"no label batch {batch}")
    response.headers["Content-Disposition"] = f'attachment; filename="batch-{batch}.json"'
    return LB.sign_batch(LB.BatchPlan.from_doc(doc), _private(key, db)).to_json()


# --- members' phone keys ---------------------------------------------------------------------------
class MemberKeyIn(Body):
    public_key: str = Field(pattern=r"^[0-9a-fA-F]{64}$",
                            description="the member's phone's raw Ed25519 public key, 64 hex digits")


class MemberKeyOut(BaseModel):
    member_id: str
    key_id: str
    public_key: str


@router.put("/members/{member_id}/key", response_model=MemberKeyOut, responses=PROBLEMS)
def put_member_key(body: MemberKeyIn, member_id: str = Path(pattern=ID_PATTERN, description="the member's id (a UUID)"), _who: Staff = MemberKeys,
                   db: Database = Depends(get_db)) -> MemberKeyOut:
    """The key of the member's phone, whose dynamic codes (PM1:D) then verify at every store.
    It replaces the member's previous key (a lost phone's codes stop working)."""
    public = bytes.fromhex(body.public_key)
    try:
        Ed25519PublicKey.from_public_bytes(public)
    except ValueError:
        raise HQProblem(422, "invalid_key", "public_key is not an Ed25519 public key") from None
    out = MemberKeyOut(member_id=member_id, key_id=C.key_id_for(public), public_key=public.hex())
    with db.write() as (conn, seq):
        row = conn.execute(select(M.members.c.merged_into).where(M.members.c.member_id == member_id)).first()
        if row is None:
            raise HQProblem(404, "member_unknown", f"no member {member_id}")
        if row.merged_into:
            raise HQProblem(409, "member_merged", f"member {member_id} was merged into {row.merged_into}")
        _put(conn, MEMBER + member_id, {**out.model_dump(), "set_at": now().isoformat()})
        feed = FeedWriter(seq)
        feed.add(M.CHAIN, "member_key", member_id, out.model_dump())
        feed.flush(conn)
    return out
