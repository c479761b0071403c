"""Scale-out (issue 17): two HQ instances, each its own `hq-server serve` on its own port, over one PostgreSQL
database, behind an ordinary load balancer (a round-robin TCP proxy: each new connection goes to the
next HQ). The multi-store state machine (tests/sync/test_multistore_properties.py) runs its tills
through the balancer, so a till's handshake, pushes (several batches in flight on connections of
their own), pulls and lookups land on either HQ; the second HQ serves pulls and lookups through its
read-replica path (HQ_REPLICA_URL, here the same database: a replica with no lag). HQ killed
(kill -9) is the first instance: the second goes on serving meanwhile.

At the end every invariant of the multi-store test must hold: every store's balances, lots and
member records equal HQ's, every event at HQ exactly once and posted once, nothing waiting, the
acknowledged count and hash agreed, postings summing to zero, every label serial earned once.
HQ_TWO_EXAMPLES (default 6) sets the number of runs.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.hq.server import HQServer, need_postgres, postgres_database
from tests.sync.multistore import open_till
from tests.sync.proxy import RoundRobinProxy
from tests.sync.test_multistore_properties import PHASES, STEPS, TALLY, MultiStore

# long property runs: CI runs them in a pytest of their own beside the rest (scripts/test.sh), sharing the CPUs
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

EXAMPLES = int(os.environ.get("HQ_TWO_EXAMPLES", 6))


@pytest.fixture(scope="module")
def two_hqs(tmp_path_factory):
    from pos_app.store.db import open_database
    need_postgres()
    template = tmp_path_factory.mktemp("two-hq-template") / "store.sqlite3"
    open_database(template).close()
    logs = tmp_path_factory.mktemp("two-hq-logs")
    with postgres_database() as url:
        with HQServer(url, workers=1, log=logs / "hq1.log") as first, \
                HQServer(url, workers=1, log=logs / "hq2.log", env={"HQ_REPLICA_URL": url}) as second:
            balancer = RoundRobinProxy([first.port, second.port])
            try:
                yield first, second, balancer, template
            finally:
                balancer.close()


class TwoHQs(MultiStore):
    balancer: RoundRobinProxy

    def _open_till(self, i: int):
        # Enrolled through the balancer: the till keeps its address and reaches either HQ from then on.
        front = SimpleNamespace(url=self.balancer.url, enrolment_token=self.hq.enrolment_token)
        return open_till(front, self.root / self.run / f"s{i}", self.template, f"s{i}", f"two-{self.run}-{i}",
                         self.label_public)


def test_tills_behind_a_load_balancer_over_two_hqs_converge(two_hqs, tmp_path):
    first, second, balancer, template = two_hqs
    TwoHQs.hq, TwoHQs.template, TwoHQs.root, TwoHQs.balancer = first, template, tmp_path, balancer
    run_state_machine_as_test(TwoHQs, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None, derandomize=True,
        phases=PHASES, suppress_health_check=list(HealthCheck)))
    print("\n[two HQs] " + ", ".join(f"{k} x{n}" for k, n in sorted(TALLY.items())), balancer.connections)
    ran, _ = dict(TALLY), TALLY.clear()  # the multi-store test's own tally starts empty
    assert ran.get("steps", 0) >= EXAMPLES * 5, ran
    # both HQs really served: the balancer handed each of them connections, and both are still up
    assert min(balancer.connections) > 10, balancer.connections
    for hq in (first, second):
        assert hq.proc is not None and hq.proc.poll() is None


def test_a_fixed_run_kills_the_first_hq_after_it_commits_and_the_tills_converge(two_hqs, tmp_path):
    """The kill, not left to the examples' luck (the derandomized runs stopped reaching it when the
    machine gained rules): two stores sell and sync through the balancer, the first HQ commits a push
    and is killed before answering, the second serves meanwhile; once the first is back, every
    invariant of the multi-store test holds."""
    first, second, balancer, template = two_hqs
    TwoHQs.hq, TwoHQs.template, TwoHQs.root, TwoHQs.balancer = first, template, tmp_path, balancer
    TALLY.clear()
    machine = TwoHQs()
    try:
        machine.open_stores(2)
        steps = [lambda: machine.sale(0, 0, [("TEA-PUER", 1)], 0), lambda: machine.hq_dies_before_answering(0),
                 lambda: machine.share_member(1, 0), lambda: machine.sale(1, 0, [("TEA-PUER", 2)], 100),
                 lambda: machine.sync(1), lambda: machine.sync(0)]
        machine.run_steps(steps)
    finally:
        machine.teardown()
    reached, _ = dict(TALLY), TALLY.clear()
    assert reached.get("HQ killed after commit", 0) == 1, reached
    for hq in (first, second):
        assert hq.proc is not None and hq.proc.poll() is None
