"""Demo data goes only into a stand-alone store: never into one enrolled with HQ, whose
events would reach the chain as real members and sales."""

from sqlalchemy import func, select

from pos_app.services.demo import seed_demo
from pos_app.services.setup import open_store
from pos_app.store import tables as T
from pos_app.sync import state


def counts(ctx) -> tuple[int, int, int]:
    with ctx.db.read() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar()
                     for t in (T.staff, T.members, T.events))


def test_an_enrolled_store_without_staff_yet_gets_no_demo_data(tmp_path):
    ctx = open_store(tmp_path / "till")
    with ctx.db.write() as conn:  # what enrolment leaves before the first pull brings the staff
        state.put(conn, "hq_url", "http://hq.invalid")
        state.put(conn, "device_key", "k" * 43)
    assert seed_demo(ctx) is False
    assert counts(ctx) == (0, 0, 0)
    ctx.db.close()


def test_a_new_stand_alone_store_gets_demo_data_once(tmp_path):
    ctx = open_store(tmp_path / "till")
    assert seed_demo(ctx) is True
    staff, members, events = counts(ctx)
    assert staff == 3 and members == 5 and events > 10
    assert seed_demo(ctx) is False
    assert counts(ctx) == (staff, members, events)
    ctx.db.close()
