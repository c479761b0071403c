"""The programme: products, gifts, coupon types, campaigns and lotteries (one list and form each),
the earn rules and the label batches. Forms are checked with the tills' own rules and name the wrong
field; every change goes to the stores by pull and into the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hq_server import roles as R
from hq_server.auth import Staff, now
from hq_server.console import nav
from hq_server.console.actor import actor_of
from hq_server.console.field_errors import field_errors
from hq_server.console.lists import show
from hq_server.console.pages import PAGES, PREFIX
from hq_server.console.words import CHOICE_WORDS
from hq_server.errors import HQProblem
from hq_server.programme import catalogue_admin as C
from hq_server.programme import label_batch_admin, rules_admin
from hq_server.programme.listing import ListQuery, Page
from hq_server.programme.refusals import BadField
from hq_server.web import flash
from hq_server.web.i18n import N_
from hq_server.web.listing import Column, list_query
from hq_server.web.staff import StaffForm, staff_form, staff_page

BASE = PREFIX + "/programme"
router = APIRouter(prefix=BASE, include_in_schema=False)
Reader = Annotated[Staff, Depends(staff_page(R.CATALOGUE_READ))]
Operator = Annotated[StaffForm, Depends(staff_form(R.CATALOGUE))]
nav.add(BASE, N_("Programme"), R.CATALOGUE_READ)

TITLES = {"product": N_("Products"), "gift": N_("Gifts"), "coupon_type": N_("Coupon types"),
          "campaign": N_("Campaigns"), "lottery": N_("Lotteries"), "tier": N_("Tiers")}
# The list shows the key and these fields (the form shows them all).
SHOWN = {"product": ("name", "category", "price_fen", "barcode", "active"),
         "gift": ("name", "points_cost", "copay_fen", "starts_at", "ends_at", "active"),
         "coupon_type": ("name", "points_cost", "kind", "value", "valid_days", "active"),
         "campaign": ("name", "starts_at", "ends_at", "multiplier_pct"),
         "lottery": ("name", "points_per_draw", "active"),
         "tier": ("name", "min_spend_fen", "min_points", "multiplier_pct")}
KIND_OF = {"yuan": "yuan", "int": "points", "time": "time", "bool": "bool"}


def _columns(type_: str) -> list[Column]:
    fields = {f.name: f for f in C.TYPES[type_]}
    return [Column("key", N_("Key"), "code", link=lambda r: f"{BASE}/{type_}/{r['key']}"),
            *[Column(n, fields[n].label, KIND_OF.get(fields[n].kind, "text"), sortable=False) for n in SHOWN[type_]],
            Column("updated_at", N_("Changed"), "time")]


def _type(type_: str) -> str:
    if type_ not in C.TYPES:
        raise HQProblem(404, "not_found", f"no such part of the programme: {type_}")
    return type_


@router.get("")
def overview(request: Request, who: Reader) -> Response:
    return PAGES.render(request, "console/programme.html", {"titles": TITLES, "may_edit": who.may(R.CATALOGUE)})


# --- rules ------------------------------------------------------------------------------------

RULE_COLUMNS = [Column("version", N_("Version")), Column("effective_at", N_("Effective from"), "time"),
                Column("doc", N_("Rules"), "json", sortable=False)]


def _rules_page(request: Request, who: Staff, *, status: int = 200, errors: dict[str, str] | None = None,
                typed: dict[str, Any] | None = None) -> Response:
    import json
    db = request.app.state.db
    query = list_query(request, sorts=["version", "effective_at"])
    return PAGES.render(request, "console/rules.html", {
        "page": rules_admin.versions(db, query), "columns": RULE_COLUMNS, "may_edit": who.may(R.CATALOGUE),
        "errors": errors or {}, "typed": typed or {"doc": json.dumps(rules_admin.latest_doc(db), indent=2,
                                                                       ensure_ascii=False), "effective_at": ""}},
        status=status)


@router.get("/rules")
def rules(request: Request, who: Reader) -> Response:
    return _rules_page(request, who)


@router.post("/rules")
def publish_rules(request: Request, posted: Operator) -> Response:
    typed = {"doc": posted.text("doc", 60_000), "effective_at": posted.text("effective_at", 20)}
    try:
        version = rules_admin.publish(request.app.state.db, actor_of(posted.who), typed["doc"],
                                      typed["effective_at"], now())
    except BadField as bad:
        return _rules_page(request, posted.who, status=bad.status, errors=field_errors(bad), typed=typed)
    response = RedirectResponse(f"{BASE}/rules", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", N_("Rules version %(v)s published."), v=version)
    return response


# --- label batches ----------------------------------------------------------------------------

def _labels_page(request: Request, who: Staff, *, status: int = 200, errors: dict[str, str] | None = None,
                 typed: dict[str, Any] | None = None) -> Response:
    rows, has_key = label_batch_admin.batches(request.app.state.db)
    return PAGES.render(request, "console/labels.html", {"batches": rows, "has_key": has_key,
                                                         "may_edit": who.may(R.CATALOGUE), "errors": errors or {},
                                                         "typed": typed or {}}, status=status)


@router.get("/labels")
def labels(request: Request, who: Reader) -> Response:
    return _labels_page(request, who)


@router.post("/labels")
def new_batch(request: Request, posted: Operator) -> Response:
    typed = {k: posted.text(k, 400) for k in ("sku", "name", "count", "prizes")}
    try:
        batch = label_batch_admin.create(request.app.state.db, actor_of(posted.who), now=now(), **typed)
    except BadField as bad:
        return _labels_page(request, posted.who, status=bad.status, errors=field_errors(bad), typed=typed)
    response = RedirectResponse(f"{BASE}/labels", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", N_("Label batch %(b)s made."), b=batch)
    return response


@router.get("/labels/{batch}.json")
def batch_file(batch: str, request: Request, _who: Annotated[Staff, Depends(staff_page(R.CATALOGUE))]) -> Response:
    return JSONResponse(label_batch_admin.batch_file(request.app.state.db, batch),
                        headers={"Content-Disposition": f'attachment; filename="batch-{batch}.json"'})


# --- catalogue records ------------------------------------------------------------------------

@router.get("/{type_}")
def records(type_: str, request: Request, who: Reader) -> Response:
    db = request.app.state.db
    gettext = PAGES.gettext(request)
    choices = [f.name for f in C.TYPES[_type(type_)] if f.kind == "choice"]

    def fetch(q: ListQuery) -> Page:
        page = C.find(db, type_, q)
        return type(page)([{**r, **{n: _choice(r.get(n), gettext) for n in choices if n in r}} for r in page.rows],
                          page.total, page.query)
    return show(request, title=TITLES[type_], columns=_columns(type_), filename=type_,
                fetch=fetch, search_hint=N_("key or any text in the record"),
                template="console/records.html", extra={"type_": type_, "may_edit": who.may(R.CATALOGUE)})


def _choice(value: Any, gettext: Any) -> Any:
    """A choice field's value in the reader's language (a coupon's kind), a value no word lists as it is."""
    return str(gettext(CHOICE_WORDS[value])) if isinstance(value, str) and value in CHOICE_WORDS else value


def _form(request: Request, type_: str, record: dict[str, Any] | None, *, status: int = 200,
          errors: dict[str, str] | None = None, new: bool) -> Response:
    return PAGES.render(request, "console/record.html", {
        "type_": type_, "title": TITLES[type_], "fields": C.TYPES[type_], "r": record or {}, "new": new,
        "errors": errors or {}, "choice_words": CHOICE_WORDS}, status=status)


@router.get("/{type_}/new")
def new_record(type_: str, request: Request, _who: Annotated[Staff, Depends(staff_page(R.CATALOGUE))]) -> Response:
    return _form(request, _type(type_), {"active": True}, new=True)


@router.get("/{type_}/{key}")
def edit_record(type_: str, key: str, request: Request, _who: Reader) -> Response:
    return edit_form(request, type_, key)


def edit_form(request: Request, type_: str, key: str, *, status: int = 200,
              errors: dict[str, str] | None = None) -> Response:
    """A record's form as it is stored (after a refused picture upload too)."""
    record = C.item(request.app.state.db, _type(type_), key)
    if record is None:
        raise HQProblem(404, "not_found", f"no {type_} {key}")
    return _form(request, type_, record, new=False, status=status, errors=errors)


@router.post("/{type_}/save")
def save_record(type_: str, request: Request, posted: Operator) -> Response:
    _type(type_)
    form = {k: v for k, v in posted.form.items() if isinstance(v, str)}
    key, seen = (form.get("key") or "").strip(), form.get("seq", "")
    new = not seen
    try:
        data = C.read_form(type_, form)
        C.save(request.app.state.db, actor_of(posted.who), type_, key, data,
               seen_seq=None if new else int(seen) if seen.isdigit() else -1, now=now())
    except BadField as bad:
        typed = {**form, "key": key}
        return _form(request, type_, {**typed, "raw": True}, status=bad.status,
                     errors=field_errors(bad, {f.name: f.label for f in C.TYPES[type_]}), new=new)
    response = RedirectResponse(f"{BASE}/{type_}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", N_("%(key)s saved: the stores get it at their "
                                                                        "next sync."), key=key)
    return response


@router.post("/{type_}/{key}/remove")
def remove_record(type_: str, key: str, request: Request, posted: Operator) -> Response:
    C.remove(request.app.state.db, actor_of(posted.who), _type(type_), key, now())
    response = RedirectResponse(f"{BASE}/{type_}", status_code=303)
    flash.add(response, request, request.state.session_secret, "ok", N_("%(key)s removed."), key=key)
    return response
