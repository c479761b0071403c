"""What a scanned code means once its bytes have been read and its signature checked.

The wire layouts live in pos_app.scanner.formats; this module holds the meaning that
services, HQ and the scanner agree on: the kinds of code, why one is refused, the
30-second steps of dynamic member codes, the replay rule, key ids and trust
registries, label serials and prize tables. Pure Python: no Qt, no database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from pos_app.domain.members import luhn_ok
from pos_app.domain.problems import Problem, problem

STEP_SECONDS = 30
# A phone's clock may be a little off from the store's (skew-corrected) clock; one step
# either side keeps honest codes working without letting an old screenshot live long.
STEP_TOLERANCE = 1
KEY_ID_BYTES = 4
MAX_PLAIN_CODE = 48  # longest Code128 product code we accept: longer text is not a barcode of ours
MAX_SKU = 32  # label_claims.sku
MAX_LABEL_POINTS = 100_000
MAX_BATCH_LABELS = 100_000
BATCH_CODE_LEN = 8  # base32 characters: 40 random bits per batch
_BATCH_CODE = re.compile(r"^[A-Z2-7]{8}$")
_SERIAL = re.compile(r"^([A-Z2-7]{8})-(\d{6})$")


class Reason(StrEnum):
    UNKNOWN_FORMAT = "unknown_format"
    MALFORMED = "malformed"
    FORGED = "forged"
    TAMPERED = "tampered"
    CHECK_DIGIT = "check_digit"  # a plain number (EAN-13, card) misread or mistyped: no signature involved
    EXPIRED = "expired"
    REPLAYED = "replayed"


_MESSAGES = {
    Reason.UNKNOWN_FORMAT: "this is not a code this shop uses",
    Reason.MALFORMED: "the code is damaged or incomplete: scan it again",
    Reason.FORGED: "the code is not signed by a key this store trusts",
    Reason.TAMPERED: "the code's signature does not match its contents: it was altered or forged",
    Reason.CHECK_DIGIT: "the check digit is wrong: a digit was misread or mistyped",
    Reason.EXPIRED: "the code has expired: ask the member to refresh it",
    Reason.REPLAYED: "this code was already used: ask the member to show a fresh one",
}


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a scanned text is not accepted. A value, never an exception: the UI shows it."""

    reason: Reason
    message: str = ""

    def __post_init__(self) -> None:
        if not self.message:
            object.__setattr__(self, "message", _MESSAGES[self.reason])

    @property
    def code(self) -> str:
        return f"scan.{self.reason.value}"

    def problem(self) -> Problem:
        return problem(self.code, self.message)


@dataclass(frozen=True, slots=True)
class MemberCard:
    """The printed card: enough to find the member and earn, never to spend."""

    card_no: str


@dataclass(frozen=True, slots=True)
class DynamicMemberCode:
    """The member's phone proves the member is at the counter (instead of the PIN)."""

    member_id: str
    key_id: str
    step: int

    @property
    def replay_key(self) -> str:
        return f"D:{self.member_id}:{self.step}"

    @property
    def expires_at(self) -> datetime:
        """When no store would still accept this code: the replay record can go after it."""
        return step_start(self.step + STEP_TOLERANCE + 1)


@dataclass(frozen=True, slots=True)
class ProductLabel:
    sku: str
    serial: str
    points: int
    key_id: str

    @property
    def batch(self) -> str:
        return self.serial.split("-", 1)[0]


# A device key of HQ's (its online channel, the store id "hq") signs codes for any store: an online order's
# pickup names the store the member chose.
HQ_STORE = "hq"


@dataclass(frozen=True, slots=True)
class PickupCode:
    """A held gift: which redemption, which store holds it, which device signed it. Codes made since
    DESIGN.md 11 also say what is collected (gift, quantity) and whose it is, so any store of the chain
    can hand it over offline; an older code names the redemption only (its own store looks it up)."""

    redemption_id: str
    store_id: str
    key_id: str
    gift_id: str | None = None
    qty: int = 0
    member_id: str | None = None

    @property
    def use_key(self) -> str:
        """What "used once chain-wide" counts it by (tills' and HQ's code_uses)."""
        return f"P:{self.redemption_id}"


@dataclass(frozen=True, slots=True)
class CouponCode:
    """A coupon shown as a QR code: any store of the chain takes it offline, once chain-wide.

    Signed by the device that issued it (a till, or HQ's online channel). `points` is what the member
    paid for it (0: a free coupon HQ handed out), which a second use is costed by (rule 10)."""

    code: str
    member_id: str | None  # None: a general coupon, any member (or none) may use it
    type_id: str
    expires_at: datetime
    points: int
    store_id: str
    key_id: str

    @property
    def use_key(self) -> str:
        return f"C:{self.code}"


@dataclass(frozen=True, slots=True)
class ProductBarcode:
    code: str
    symbology: str  # "EAN13" or "CODE128"


Scanned = MemberCard | DynamicMemberCode | ProductLabel | PickupCode | CouponCode | ProductBarcode


# --- time steps of dynamic member codes ----------------------------------------------
def _utc(at: datetime) -> datetime:
    # The store keeps naive UTC times; an aware time is converted, never reinterpreted.
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def time_step(at: datetime) -> int:
    return int(_utc(at).timestamp()) // STEP_SECONDS


def step_start(step: int) -> datetime:
    return datetime.fromtimestamp(step * STEP_SECONDS, UTC).replace(tzinfo=None)


def step_fresh(step: int, now: datetime, tolerance: int = STEP_TOLERANCE) -> Rejected | None:
    current = time_step(now)
    if step < current - tolerance:
        return Rejected(Reason.EXPIRED)
    if step > current + tolerance:
        return Rejected(Reason.EXPIRED, "the code's time is ahead of the store's: check the phone's clock")
    return None


# --- replay ----------------------------------------------------------------------------
def is_replayed(seen: Container[str], code: DynamicMemberCode) -> bool:
    """The rule itself: one use per member per step, whatever the store."""
    return code.replay_key in seen


class ReplayGuard(Protocol):
    """Remembers used dynamic codes. The services back it with the store's seen_codes."""

    def claim(self, key: str, expires_at: datetime) -> bool:
        """Record `key`; False if it was already recorded (and not yet expired)."""


@dataclass
class MemoryReplayGuard:
    """In-process guard for tests and the camera preview; forgets keys once expired."""

    seen: dict[str, datetime] = field(default_factory=dict)

    def claim(self, key: str, expires_at: datetime) -> bool:
        if key in self.seen:
            return False
        self.seen[key] = expires_at
        return True

    def prune(self, now: datetime) -> None:
        now = _utc(now).replace(tzinfo=None)
        self.seen = {k: until for k, until in self.seen.items() if until > now}


def claim(guard: ReplayGuard, code: DynamicMemberCode) -> Rejected | None:
    return None if guard.claim(code.replay_key, code.expires_at) else Rejected(Reason.REPLAYED)


# --- keys ------------------------------------------------------------------------------
def key_id_for(public_key: bytes) -> str:
    """Derived from the key itself, so HQ, stores and phones agree without a counter."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return hashlib.sha256(public_key).digest()[:KEY_ID_BYTES].hex()


class LabelKeys(Protocol):
    def label_key(self, key_id: str) -> bytes | None:
        """HQ's label public key with this id, if this store trusts it."""


class MemberKeys(Protocol):
    def member_key(self, member_id: str, key_id: str) -> bytes | None:
        """The member's current public key with this id (pulled from HQ with the member)."""


@dataclass(frozen=True, slots=True)
class DeviceKey:
    store_id: str
    public_key: bytes


class DeviceKeys(Protocol):
    def device_key(self, key_id: str) -> DeviceKey | None:
        """A store device's public key (pulled from HQ), with the store it belongs to."""


@dataclass
class KeyRing:
    """A plain in-memory registry: what the services fill from the store's synced keys."""

    labels: dict[str, bytes] = field(default_factory=dict)
    members: dict[tuple[str, str], bytes] = field(default_factory=dict)
    devices: dict[str, DeviceKey] = field(default_factory=dict)

    def trust_label_key(self, public_key: bytes) -> str:
        kid = key_id_for(public_key)
        self.labels[kid] = public_key
        return kid

    def trust_member_key(self, member_id: str, public_key: bytes) -> str:
        kid = key_id_for(public_key)
        self.members[(member_id, kid)] = public_key
        return kid

    def trust_device_key(self, store_id: str, public_key: bytes) -> str:
        kid = key_id_for(public_key)
        self.devices[kid] = DeviceKey(store_id, public_key)
        return kid

    def label_key(self, key_id: str) -> bytes | None:
        return self.labels.get(key_id)

    def member_key(self, member_id: str, key_id: str) -> bytes | None:
        return self.members.get((member_id, key_id))

    def device_key(self, key_id: str) -> DeviceKey | None:
        return self.devices.get(key_id)


# --- plain barcodes ----------------------------------------------------------------------
def ean13_ok(code: str) -> bool:
    if len(code) != 13 or not code.isascii() or not code.isdigit():
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code[:12]))
    return (10 - total % 10) % 10 == int(code[12])


def card_no_ok(card_no: str) -> bool:
    return len(card_no) == 12 and card_no.isascii() and luhn_ok(card_no)


# --- labels: serials and prize tables ------------------------------------------------------
def serial_for(batch_code: str, number: int) -> str:
    if not _BATCH_CODE.match(batch_code) or not 0 < number < 1_000_000:
        raise ValueError("a serial is an 8-character batch code and a number 1..999999")
    return f"{batch_code}-{number:06d}"


def split_serial(serial: str) -> tuple[str, int] | None:
    m = _SERIAL.match(serial)
    return (m.group(1), int(m.group(2))) if m else None


@dataclass(frozen=True, slots=True)
class Prize:
    points: int
    weight: int  # share of the batch's labels that carry these points


def parse_prize_table(text: str) -> tuple[tuple[Prize, ...], tuple[Problem, ...]]:
    """`8:50,28:30,68:5` (points:weight) or a single fixed `20`."""
    text = (text or "").strip()
    bad = (problem("label.prizes", "prizes are POINTS or POINTS:WEIGHT,... with whole numbers, "
                                   f"points 1..{MAX_LABEL_POINTS}, e.g. 8:50,28:30,68:5"),)
    prizes: dict[int, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        pts, sep, weight = part.partition(":")
        if not pts.isdigit() or (sep and not weight.isdigit()):
            return (), bad
        points, w = int(pts), int(weight) if sep else 1
        if not 0 < points <= MAX_LABEL_POINTS or w <= 0 or points in prizes:
            return (), bad
        prizes[points] = w
    if not prizes:
        return (), bad
    return tuple(Prize(p, w) for p, w in sorted(prizes.items())), ()


def allocate_prizes(table: tuple[Prize, ...], count: int) -> dict[int, int]:
    """How many labels of a batch carry each prize: the table's shares exactly (largest
    remainder), so HQ knows a batch's total points before a single label is scanned."""
    if not table or count <= 0:
        return {}
    total_weight = sum(p.weight for p in table)
    exact = [(p.points, count * p.weight / total_weight) for p in table]
    counts = {pts: int(share) for pts, share in exact}
    left = count - sum(counts.values())
    # ties go to the smaller prize: a batch never pays more than its table promises
    for pts, share in sorted(exact, key=lambda e: (-(e[1] - int(e[1])), e[0]))[:left]:
        counts[pts] += 1
    return {pts: n for pts, n in counts.items() if n}


def draw_points(table: tuple[Prize, ...], count: int, shuffle: Callable[[list[int]], None]) -> list[int]:
    """Each label's points, in serial order; `shuffle` (e.g. SystemRandom().shuffle) mixes them."""
    points = [pts for pts, n in sorted(allocate_prizes(table, count).items()) for _ in range(n)]
    shuffle(points)
    return points
