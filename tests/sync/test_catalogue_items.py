"""HQ's catalogue items applied to a store database: a deleted item stays, inactive (old
sales, redemptions and coupons still name it), and comes back when HQ sends it again."""

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import text

from hq_server.errors import HQProblem
from hq_server.programme.catalogue import check_record
from pos_app.store.db import open_database
from pos_app.sync import catalogue, pull
from tests.domain.test_record_parsers import records

ITEMS = [
    (catalogue.apply_product, "products", "sku", "TEA-1", {"name": "Tea", "category": "tea", "price_fen": 900}),
    (catalogue.apply_gift, "gifts", "gift_id", "G-1", {"name": "Cup", "points_cost": 500, "stock": 3}),
    (catalogue.apply_coupon_type, "coupon_types", "type_id", "C-1",
     {"name": "5 off", "kind": "amount", "value": 500, "points_cost": 100}),
    (catalogue.apply_lottery, "lotteries", "lottery_id", "L-1",
     {"name": "Spin", "points_per_draw": 50, "prizes": [{"code": "P", "name": "Pen", "weight": 1, "points": 0}]}),
]


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "store.db")
    yield database
    database.close()


@pytest.mark.parametrize("apply, table, key, item_id, data", ITEMS, ids=[i[1] for i in ITEMS])
def test_a_deleted_item_is_kept_inactive_and_can_return(db, apply, table, key, item_id, data):
    def state() -> list[tuple]:
        with db.read() as conn:
            return conn.execute(text(f"SELECT {key}, active FROM {table} WHERE {key} = :k"), {"k": item_id}).all()

    with db.write() as conn:
        apply(conn, item_id, data)
    assert state() == [(item_id, 1)]
    with db.write() as conn:
        apply(conn, item_id, {"deleted": True})
    assert state() == [(item_id, 0)]
    with db.write() as conn:
        apply(conn, item_id, data)
    assert state() == [(item_id, 1)]


def test_deleting_an_unknown_item_writes_nothing(db):
    with db.write() as conn:
        catalogue.apply_product(conn, "NOPE", {"deleted": True})
    with db.read() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM products WHERE sku = 'NOPE'")).scalar() == 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=records())
def test_a_record_hq_accepts_every_till_applies(db, record):
    """HQ's check (hq_server.programme.catalogue) before a till's apply (pos_app.sync.catalogue):
    whatever HQ accepts, the till applies without a problem."""
    type_, data = record
    try:
        check_record(type_, "K-1", data)
    except HQProblem as refused:
        assert refused.status == 422 and refused.message
        return
    if type_ == "tier":
        return  # a till keeps a tier as HQ's record (pull.KEEP) and reads it with parse_tier
    with db.write() as conn:
        pull.APPLY[type_](conn, "K-1", {"key": "K-1", **data})
