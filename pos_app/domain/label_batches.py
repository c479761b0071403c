"""Signed product label batches: the part HQ and the store's `pos-app labels` share.

A batch is made in two steps, so HQ can decide a batch under its writer lock and sign
it afterwards: `plan_batch` checks the input and draws each label's points (exactly
the prize table's shares, shuffled); `sign_batch` signs every label with the label
key. Ed25519 signatures are deterministic, so signing a stored plan again gives the
very same payloads: HQ keeps only the plan and re-signs it when a batch is downloaded
again.

The label payload's layout (`PM1:L:<base32 key id | serial | points | sku | sig>`) is
made here; pos_app.scanner.formats reads it and re-exports `label_payload`. No Qt, no
database, no network: only the Ed25519 primitive.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pos_app.domain import codes as C
from pos_app.domain import ledger as L
from pos_app.domain.problems import Problem, Refused, problem

VERSION = "PM1"
BATCH_FORMAT = "pm-label-batch/1"
MAX_NAME = 40


# --- signing ------------------------------------------------------------------------------
def b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id_bytes(key: Ed25519PrivateKey) -> bytes:
    return bytes.fromhex(C.key_id_for(public_bytes(key)))


def signed_payload(kind: str, body: bytes, key: Ed25519PrivateKey) -> str:
    """`PM1:<kind>:` + base32(body + signature over the prefix and the body)."""
    prefix = f"{VERSION}:{kind}:"
    return prefix + b32(body + key.sign(prefix.encode("ascii") + body))


def label_payload(sku: str, serial: str, points: int, key: Ed25519PrivateKey, kid: bytes | None = None) -> str:
    """HQ only: stores hold the public half and cannot mint. `kid`: the key's id bytes, if
    the caller signing many labels has it already."""
    split = C.split_serial(serial)
    raw_sku = sku.encode("utf-8")
    if split is None:
        raise ValueError("a serial is BATCHCODE-NNNNNN")
    if not 0 < len(raw_sku) <= C.MAX_SKU or not 0 < points <= C.MAX_LABEL_POINTS:
        raise ValueError(f"sku 1..{C.MAX_SKU} bytes, points 1..{C.MAX_LABEL_POINTS}")
    batch, number = split
    body = ((kid or key_id_bytes(key)) + base64.b32decode(batch) + number.to_bytes(3, "big") + points.to_bytes(3, "big")
            + bytes([len(raw_sku)]) + raw_sku)
    return signed_payload("L", body, key)


# --- batches -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Label:
    serial: str
    points: int
    payload: str


@dataclass(frozen=True)
class BatchPlan:
    """A checked batch before signing: its code, product, prize table and each label's points."""

    batch: str
    sku: str
    name: str
    created_at: datetime
    prizes: tuple[C.Prize, ...]
    points: tuple[int, ...]  # label n (serial BATCH-00000n) carries points[n - 1]

    def to_doc(self) -> dict[str, Any]:
        return {"batch": self.batch, "sku": self.sku, "name": self.name,
                "created_at": self.created_at.isoformat(timespec="seconds"),
                "prizes": [{"points": p.points, "weight": p.weight} for p in self.prizes],
                "points": list(self.points)}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> BatchPlan:
        return cls(doc["batch"], doc["sku"], doc["name"], datetime.fromisoformat(doc["created_at"]),
                   tuple(C.Prize(int(p["points"]), int(p["weight"])) for p in doc["prizes"]),
                   tuple(int(n) for n in doc["points"]))


@dataclass(frozen=True)
class LabelBatch:
    batch: str
    sku: str
    name: str
    key_id: str
    public_key: bytes
    created_at: datetime
    prizes: tuple[C.Prize, ...]
    labels: tuple[Label, ...]

    @property
    def total_points(self) -> int:
        return sum(label.points for label in self.labels)

    def to_json(self) -> dict[str, Any]:
        return {"format": BATCH_FORMAT, "batch": self.batch, "sku": self.sku, "name": self.name,
                "key_id": self.key_id, "public_key": self.public_key.hex(),
                "created_at": self.created_at.isoformat(timespec="seconds"),
                "prizes": [{"points": p.points, "weight": p.weight} for p in self.prizes],
                "allocation": {str(k): v for k, v in sorted(allocation(self.labels).items())},
                "total_points": self.total_points,
                "labels": [{"serial": lb.serial, "points": lb.points, "payload": lb.payload} for lb in self.labels]}


def allocation(labels: Iterable[Label]) -> dict[int, int]:
    """How many labels carry each number of points."""
    out: dict[int, int] = {}
    for label in labels:
        out[label.points] = out.get(label.points, 0) + 1
    return out


def check_batch_input(sku: str, name: str, count: int) -> tuple[Problem, ...]:
    problems = []
    sku_ok = isinstance(sku, str)
    raw_sku = sku.encode("utf-8") if sku_ok else b""
    if not sku_ok or not 0 < len(raw_sku) <= C.MAX_SKU or not sku.isprintable() or sku != sku.strip() \
            or " " in sku:
        problems.append(problem("label.sku", f"a SKU is 1 to {C.MAX_SKU} bytes without spaces"))
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME or not name.isprintable():
        problems.append(problem("label.name", f"the product name is 1 to {MAX_NAME} printable characters"))
    if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= C.MAX_BATCH_LABELS:
        problems.append(problem("label.count", f"a batch has 1 to {C.MAX_BATCH_LABELS} labels"))
    return tuple(problems)


def new_batch_code() -> str:
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii")


def plan_batch(*, sku: str, name: str, count: int, prizes: str, now: datetime, batch_code: str | None = None,
               shuffle: Callable[[list[int]], None] | None = None) -> BatchPlan:
    """Refuses bad input (Refused, with every problem at once); signs nothing."""
    table, table_problems = C.parse_prize_table(prizes if isinstance(prizes, str) else "")
    problems = check_batch_input(sku, name, count) + table_problems
    if batch_code is not None and not (len(batch_code) == 8 and C.split_serial(batch_code + "-000001")):
        problems += (problem("label.batch_code", "a batch code is 8 characters of A-Z and 2-7"),)
    if problems:
        raise Refused(problems)
    points = C.draw_points(table, count, shuffle or secrets.SystemRandom().shuffle)
    return BatchPlan(batch_code or new_batch_code(), sku, name.strip(), now.replace(microsecond=0), table,
                     tuple(points))


def sign_batch(plan: BatchPlan, key: Ed25519PrivateKey) -> LabelBatch:
    raw = public_bytes(key)
    kid = bytes.fromhex(C.key_id_for(raw))
    labels = tuple(Label(serial, pts, label_payload(plan.sku, serial, pts, key, kid))
                   for serial, pts in ((C.serial_for(plan.batch, n), pts) for n, pts in enumerate(plan.points, 1)))
    return LabelBatch(plan.batch, plan.sku, plan.name, C.key_id_for(raw), raw, plan.created_at, plan.prizes, labels)


def create_batch(*, sku: str, name: str, count: int, prizes: str, key: Ed25519PrivateKey, now: datetime,
                 batch_code: str | None = None, shuffle: Callable[[list[int]], None] | None = None) -> LabelBatch:
    """Refuses bad input (Refused, with every problem at once) before signing anything."""
    return sign_batch(plan_batch(sku=sku, name=name, count=count, prizes=prizes, now=now, batch_code=batch_code,
                                 shuffle=shuffle), key)


def claim_problem(serial: object, sku: object, points: object,
                  plan_of: Callable[[str], BatchPlan | None]) -> str | None:
    """Why a label a store says it scanned is not one HQ issued as claimed (None: it is).

    `plan_of(batch_code)` gives the batch's BatchPlan, or None when HQ never made that batch.
    A store verifies each label's signature offline, so an honest till never claims one of
    these; a claim that fails here came from a till whose software or data was tampered
    with, or from a batch HQ lost."""
    split = C.split_serial(serial) if isinstance(serial, str) else None
    if split is None:
        return f"serial {str(serial)[:40]!r} is not the serial of a label HQ issued"
    code, number = split
    plan = plan_of(code)
    if plan is None:
        return f"label batch {code} was never issued by HQ"
    if not 1 <= number <= len(plan.points):
        return f"label batch {code} has labels 1 to {len(plan.points)}, so no label {serial}"
    if sku != plan.sku:
        return f"label {serial} is for {plan.sku}, but the claim says {str(sku)[:40]}"
    if points != plan.points[number - 1]:
        return f"label {serial} carries {plan.points[number - 1]} points, but the claim says {points}"
    return None


def label_credit(postings: list[tuple[str, int]], member_id: str | None, store_id: str) -> int | None:
    """The points a label earn's postings credit: the store's issued account gives P and only the
    member's own accounts (their points, their debt repaid) take it. None: postings of another shape
    (HQ checks what was credited, not what the payload says)."""
    if not member_id:
        return None
    issued = L.store_issued(store_id)
    mine = (f"member:{member_id}:", L.debt_account(member_id))
    given = credited = 0
    for account, amount in postings:
        if account == issued and amount < 0:
            given -= amount
        elif account.startswith(mine) and amount > 0:
            credited += amount
        else:
            return None
    return given if given == credited and given > 0 else None
