"""Label batches from the console: the list, a new batch signed with HQ's active label key (the same
plan and signature as the admin API: pos_app.domain.label_batches), and a batch's file again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hq_server import label_keys as K
from hq_server.db import Database
from hq_server.ledger.key_rows import BATCH
from hq_server.errors import HQProblem
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.refusals import BadField, said
from pos_app.domain import codes as C
from pos_app.domain import label_batches as LB
from pos_app.domain.problems import Problem, Refused

FIELDS = {"sku": "sku", "name": "name", "count": "count", "prize": "prizes", "prizes": "prizes"}

# The batch plan's refusals (pos_app.domain, English) as the console says them: with `said`, beside
# the field in the reader's language (the domain's own sentence is kept for a code not listed).
SAID = {
    "label.sku": lambda: said("sku: a SKU is 1 to %(n)s bytes, without spaces", n=C.MAX_SKU),
    "label.name": lambda: said("name: the product's name is 1 to %(n)s printable characters", n=LB.MAX_NAME),
    "label.count": lambda: said("count: a batch has 1 to %(n)s labels", n=f"{C.MAX_BATCH_LABELS:,}"),
    "label.prizes": lambda: said("prizes: POINTS, or POINTS:WEIGHT separated by commas, whole numbers with points "
                                 "1 to %(n)s, e.g. 8:50,28:30,68:5", n=f"{C.MAX_LABEL_POINTS:,}"),
}


def _said(problems: tuple[Problem, ...]) -> str:
    """The first problem, said in the reader's language (the form shows one field's refusal at a time)."""
    first = problems[0]
    return SAID[first.code]() if first.code in SAID else "; ".join(p.message for p in problems)


def batches(db: Database) -> tuple[list[dict[str, Any]], bool]:
    """Every batch, newest first, and whether HQ can sign a new one (an active label key)."""
    with db.read() as conn:
        docs = K._all(conn, BATCH)
        live = {k["key_id"] for k in K._keys(conn) if not k.get("retired_at")}
        has_key = K._signing_key(conn) is not None
    rows = [{"batch": d["batch"], "sku": d["sku"], "name": d["name"], "key_id": d["key_id"],
             "created_at": d["created_at"], "count": len(d["points"]), "total_points": sum(d["points"]),
             "key_active": d["key_id"] in live} for d in docs]
    return sorted(rows, key=lambda d: (d["created_at"], d["batch"]), reverse=True), has_key


def create(db: Database, actor: Actor, *, sku: str, name: str, count: str, prizes: str, now: datetime) -> str:
    if not count.strip().isdigit():
        raise BadField("count", "how many labels: a whole number")
    try:
        plan = LB.plan_batch(sku=sku.strip(), name=name.strip(), count=int(count), prizes=prizes.strip(), now=now)
    except Refused as err:
        code = err.problems[0].code
        raise BadField(FIELDS.get(code.rsplit(".", 1)[-1].split("_")[0], "prizes"), _said(err.problems),
                       code=code) from None
    with db.write() as (conn, _seq):
        K._seal_plain_keys(conn, db)
        signing = K._signing_key(conn)
        if signing is None:
            raise HQProblem(409, "no_label_key", "HQ has no active label key: the chain's admin makes one first")
        while K._get(conn, BATCH + plan.batch) is not None:
            plan = LB.BatchPlan(LB.new_batch_code(), plan.sku, plan.name, plan.created_at, plan.prizes, plan.points)
        K._put(conn, BATCH + plan.batch, {"key_id": signing["key_id"], **plan.to_doc()})
        audit.record(conn, actor, "labels.batch", f"label_batch:{plan.batch}",
                     after={"sku": plan.sku, "name": plan.name, "count": len(plan.points),
                            "total_points": sum(plan.points), "key_id": signing["key_id"]}, at=now)
    return plan.batch


def batch_file(db: Database, batch: str) -> dict[str, Any]:
    """The signed batch file (the store's Labels screen prints its sheet)."""
    with db.read() as conn:
        doc = K._get(conn, BATCH + batch)
        key = doc and K._get(conn, K.KEY + doc["key_id"])
    if doc is None or key is None:
        raise HQProblem(404, "not_found", f"no label batch {batch}")
    return LB.sign_batch(LB.BatchPlan.from_doc(doc), K._private(key, db)).to_json()
