"""The replica router's decisions, without a standby (tests/ops/test_replica.py has the real one):
which alias each read and write gets, and how long a verdict on the standby is kept."""

import threading

import pytest
from django.db import router, transaction
from django.test import override_settings

from exports.models import Shipment
from ops.replica import PRIMARY, REPLICA, StandbyState, StandbyWatch, configured, judge, measure
from ops.routers import ReplicaRouter, reads_from_replica


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Measured:
    """What the standby says when measured, and how often it was."""

    def __init__(self, state: StandbyState):
        self.state, self.calls = state, 0

    def __call__(self):
        self.calls += 1
        return self.state


def router_with(state: StandbyState) -> ReplicaRouter:
    return ReplicaRouter(StandbyWatch(measure=Measured(state)))


UP = StandbyState(ok=True, lag=0.2)
DOWN = StandbyState(ok=False, error="OperationalError: connection refused")


def test_the_router_is_installed():
    assert any(isinstance(installed, ReplicaRouter) for installed in router.routers)


def test_reads_outside_a_scope_go_to_the_primary_even_with_a_standby_up():
    assert router_with(UP).db_for_read(Shipment) == PRIMARY


def test_reads_in_a_scope_go_to_a_standby_that_is_up():
    chosen = router_with(UP)
    with reads_from_replica():
        assert chosen.db_for_read(Shipment) == REPLICA
    assert chosen.db_for_read(Shipment) == PRIMARY


def test_reads_in_a_scope_stay_on_the_primary_when_the_standby_is_down():
    with reads_from_replica():
        assert router_with(DOWN).db_for_read(Shipment) == PRIMARY


def test_every_write_goes_to_the_primary_and_pins_the_scope_to_it():
    chosen = router_with(UP)
    assert chosen.db_for_write(Shipment) == PRIMARY
    with reads_from_replica():
        assert chosen.db_for_read(Shipment) == REPLICA
        assert chosen.db_for_write(Shipment) == PRIMARY
        assert chosen.db_for_read(Shipment) == PRIMARY
    with reads_from_replica():  # a new scope has written nothing
        assert chosen.db_for_read(Shipment) == REPLICA


def test_a_nested_scope_shares_the_writes_of_the_outer_one():
    chosen = router_with(UP)
    with reads_from_replica():
        with reads_from_replica():
            assert chosen.db_for_read(Shipment) == REPLICA
            chosen.db_for_write(Shipment)
        assert chosen.db_for_read(Shipment) == PRIMARY
        with reads_from_replica():
            assert chosen.db_for_read(Shipment) == PRIMARY


def test_a_decorated_function_gets_a_scope_of_its_own_on_each_call():
    chosen = router_with(UP)

    @reads_from_replica()
    def read_then_write():
        read = chosen.db_for_read(Shipment)
        chosen.db_for_write(Shipment)
        return read

    assert read_then_write() == REPLICA
    assert read_then_write() == REPLICA


def test_a_scope_is_not_seen_by_another_thread():
    chosen, seen = router_with(UP), []
    with reads_from_replica():
        thread = threading.Thread(target=lambda: seen.append(chosen.db_for_read(Shipment)))
        thread.start()
        thread.join()
        assert chosen.db_for_read(Shipment) == REPLICA
    assert seen == [PRIMARY]


@pytest.mark.django_db(transaction=True)
def test_reads_inside_an_atomic_block_on_the_primary_stay_there():
    chosen = router_with(UP)
    with reads_from_replica():
        assert chosen.db_for_read(Shipment) == REPLICA
        with transaction.atomic():
            assert chosen.db_for_read(Shipment) == PRIMARY
        assert chosen.db_for_read(Shipment) == REPLICA


@pytest.mark.skipif(configured(), reason="DATABASE_REPLICA_URL is set for this run")
def test_without_a_replica_configured_reads_in_a_scope_stay_on_the_primary():
    with reads_from_replica():
        assert router.db_for_read(Shipment) == PRIMARY
    assert measure() == StandbyState(ok=False, error="no replica configured")


def test_a_verdict_is_kept_for_a_few_seconds_then_measured_again():
    clock, measured = Clock(), Measured(DOWN)
    watch = StandbyWatch(measure=measured, every=5.0, clock=clock)
    assert [watch.usable() for _ in range(100)] == [False] * 100
    assert measured.calls == 1
    clock.now += 4.9
    assert not watch.usable() and measured.calls == 1
    measured.state = UP
    clock.now += 0.2
    assert watch.usable() and measured.calls == 2


def test_refresh_measures_at_once():
    clock, measured = Clock(), Measured(UP)
    watch = StandbyWatch(measure=measured, every=5.0, clock=clock)
    assert watch.usable()
    measured.state = DOWN
    assert watch.refresh() == DOWN and not watch.usable()
    assert measured.calls == 2


@override_settings(DATABASE_REPLICA_MAX_LAG=30)
@pytest.mark.parametrize(("lag", "ok"), [(0, True), (-0.3, True), (29.9, True), (30, True), (30.1, False), (None, False)])
def test_a_standby_further_behind_than_the_setting_is_not_used(lag, ok):
    state = judge(lag)
    assert state.ok is ok
    assert (state.error == "") is ok


def test_the_standby_is_never_migrated_and_rows_of_both_may_be_related():
    chosen = ReplicaRouter()
    assert chosen.allow_migrate(REPLICA, "exports", "shipment") is False
    assert chosen.allow_migrate(PRIMARY, "exports", "shipment") is None
    from_replica, from_primary = Shipment(), Shipment()
    from_replica._state.db, from_primary._state.db = REPLICA, PRIMARY
    assert chosen.allow_relation(from_replica, from_primary) is True
    from_primary._state.db = "other"
    assert chosen.allow_relation(from_replica, from_primary) is None
