"""The programme's versioned rules, as HQ publishes them.

A rules document is plain JSON-able data; `parse_rules` validates it and returns
either `Rules` or the problems found, so a bad document from HQ or a config file is
refused whole instead of half-applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pos_app.domain.problems import Problem, problem
from pos_app.domain.tiers import Tier


DEFAULT_EXPIRY_DAYS = 365


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    """Which actions need a manager's PIN besides the cashier's."""

    redeem_points_over: int = 5000  # a redemption above this many points
    refund: bool = True
    adjust: bool = True
    void_redemption: bool = True


@dataclass(frozen=True, slots=True)
class Rules:
    version: int
    # base earn rate: `base_points` points per `base_per_fen` fen actually paid
    base_points: int = 1
    base_per_fen: int = 100
    product_points: dict[str, int] = field(default_factory=dict)  # sku -> fixed points per unit
    category_pct: dict[str, int] = field(default_factory=dict)  # category -> percent of base rate
    excluded_skus: frozenset[str] = frozenset()
    excluded_categories: frozenset[str] = frozenset()
    daily_cap: int | None = None  # most points one member may earn per day (sales)
    lock_days: int = 0  # days before earned points can be spent
    expiry_days: int = DEFAULT_EXPIRY_DAYS
    tiers: tuple[Tier, ...] = (Tier("basic", "Basic", 0),)
    # shopping-guide points: percent of the sale's base points credited to the guide
    guide_pct: int = 0
    referral_bonus: int = 0  # referrer's agent points on the referee's first purchase
    # points as cash: `cash_points` points pay `cash_fen` fen, up to `cash_max_pct` of a bill
    cash_points: int = 100
    cash_fen: int = 100
    cash_max_pct: int = 50
    approval: ApprovalPolicy = ApprovalPolicy()
    max_adjust_points: int = 100_000


_INT_FIELDS = ("base_points", "base_per_fen", "lock_days", "expiry_days", "guide_pct", "referral_bonus",
               "cash_points", "cash_fen", "cash_max_pct", "max_adjust_points")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def parse_rules(doc: dict[str, Any]) -> Rules | tuple[Problem, ...]:
    problems: list[Problem] = []

    def bad(key: str, why: str) -> None:
        problems.append(problem("rules.invalid", f"rules field {key!r}: {why}", field=key))

    if not isinstance(doc, dict):
        return (problem("rules.invalid", "rules document must be an object"),)
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        bad("version", "must be a positive integer")
    kwargs: dict[str, Any] = {}
    for key in _INT_FIELDS:
        if key in doc:
            v = doc[key]
            if not _is_int(v) or v < 0:
                bad(key, "must be a non-negative integer")
            else:
                kwargs[key] = v
    for key in ("base_per_fen", "cash_points", "cash_fen"):
        if kwargs.get(key) == 0:
            bad(key, "must be positive")
    if kwargs.get("expiry_days") == 0:
        bad("expiry_days", "must be positive (points would expire the moment they are earned)")
    if "lock_days" in kwargs and kwargs["lock_days"] >= kwargs.get("expiry_days", DEFAULT_EXPIRY_DAYS):
        bad("lock_days", "must be less than expiry_days (locked points would expire before they could be spent)")
    if kwargs.get("cash_max_pct", 0) > 100:
        bad("cash_max_pct", "must be at most 100")
    if "daily_cap" in doc and doc["daily_cap"] is not None:
        if not _is_int(doc["daily_cap"]) or doc["daily_cap"] <= 0:
            bad("daily_cap", "must be a positive integer or null")
        else:
            kwargs["daily_cap"] = doc["daily_cap"]
    for key in ("product_points", "category_pct"):
        mapping = doc.get(key, {})
        if not isinstance(mapping, dict) or not all(isinstance(k, str) and _is_int(v) and v >= 0
                                                    for k, v in mapping.items()):
            bad(key, "must map names to non-negative integers")
        else:
            kwargs[key] = dict(mapping)
    for key in ("excluded_skus", "excluded_categories"):
        items = doc.get(key, [])
        if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
            bad(key, "must be a list of strings")
        else:
            kwargs[key] = frozenset(items)
    tiers_doc = doc.get("tiers")
    if tiers_doc is not None:
        tiers = _parse_tiers(tiers_doc, bad)
        if tiers:
            kwargs["tiers"] = tiers
    appr = doc.get("approval")
    if appr is not None:
        switches = ("refund", "adjust", "void_redemption")
        if (not isinstance(appr, dict) or not _is_int(appr.get("redeem_points_over", 0))
                or not all(isinstance(appr.get(k, True), bool) for k in switches)):
            # a switch must be a real boolean: bool("false") would read as True
            bad("approval", "must be an object with integer redeem_points_over and true/false switches")
        else:
            kwargs["approval"] = ApprovalPolicy(
                redeem_points_over=appr.get("redeem_points_over", 5000),
                refund=appr.get("refund", True),
                adjust=appr.get("adjust", True),
                void_redemption=appr.get("void_redemption", True))
    if problems or not isinstance(version, int):
        return tuple(problems)
    return Rules(version=version, **kwargs)


def _parse_tiers(tiers_doc: Any, bad: Callable[[str, str], None]) -> tuple[Tier, ...]:
    if not isinstance(tiers_doc, list) or not tiers_doc:
        bad("tiers", "must be a non-empty list")
        return ()
    tiers: list[Tier] = []
    for t in tiers_doc:
        ok = (isinstance(t, dict) and isinstance(t.get("code"), str) and t.get("code")
              and isinstance(t.get("name", ""), str)
              and _is_int(t.get("min_spend_fen")) and t["min_spend_fen"] >= 0
              and _is_int(t.get("multiplier_pct", 100)) and t.get("multiplier_pct", 100) > 0
              # a list of strings: a bare string would otherwise become a tuple of its letters
              and isinstance(t.get("benefits", []), list) and all(isinstance(b, str) for b in t.get("benefits", [])))
        if not ok:
            bad("tiers", f"bad tier {t!r}")
            return ()
        tiers.append(Tier(t["code"], t.get("name", t["code"]), t["min_spend_fen"], t.get("multiplier_pct", 100),
                          tuple(t.get("benefits", ()))))
    if len({t.code for t in tiers}) != len(tiers) or not any(t.min_spend_fen == 0 for t in tiers):
        bad("tiers", "codes must be unique and one tier must start at 0 spend")
        return ()
    return tuple(tiers)


def rules_to_doc(rules: Rules) -> dict[str, Any]:
    doc: dict[str, Any] = {k: getattr(rules, k) for k in _INT_FIELDS}
    doc.update(version=rules.version, daily_cap=rules.daily_cap, product_points=dict(rules.product_points),
               category_pct=dict(rules.category_pct), excluded_skus=sorted(rules.excluded_skus),
               excluded_categories=sorted(rules.excluded_categories),
               tiers=[{"code": t.code, "name": t.name, "min_spend_fen": t.min_spend_fen,
                       "multiplier_pct": t.multiplier_pct, "benefits": list(t.benefits)} for t in rules.tiers],
               approval={"redeem_points_over": rules.approval.redeem_points_over, "refund": rules.approval.refund,
                         "adjust": rules.approval.adjust, "void_redemption": rules.approval.void_redemption})
    return doc
