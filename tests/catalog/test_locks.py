"""The per-store bulk lease: one bulk catalog or inventory operation per store at a time."""

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connections
from django.db import connection as db_connection
from django.utils import timezone

from catalog.locks import (
    StoreBulkLock,
    StoreBusy,
    StoreLockLost,
    store_bulk_lock,
    store_lock_holder,
)
from catalog.models import StoreLock
from dataflows.context import RunContext, RunDeferred
from dataflows.models import Dataflow, Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_import_ctx(connection):
    """The context of a running run, current in this thread (as while a flow works)."""
    dataflow = Dataflow.objects.get(connection=connection, kind="full_stock_update")
    run = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.MANUAL)
    ctx = RunContext(run=run, dataflow=dataflow, client=None, lease_seconds=60)
    with ctx.working(heartbeat=False):
        yield ctx


def test_one_holder_at_a_time_per_store():
    first = StoreBulkLock("store1", label="Full Stock Update")
    second = StoreBulkLock("store1", label="Product Match")
    elsewhere = StoreBulkLock("store2", label="Product Match")

    assert first.try_acquire()
    assert not second.try_acquire()
    assert elsewhere.try_acquire()
    assert store_lock_holder(store_hash="store1").label == "Full Stock Update"

    first.release()
    assert store_lock_holder(store_hash="store1") is None
    assert second.try_acquire()


def test_an_expired_lease_is_taken_over_and_its_old_holder_stops_at_its_next_renewal():
    stalled = StoreBulkLock("store1", label="Stalled")
    assert stalled.try_acquire()
    StoreLock.objects.filter(store_hash="store1").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    newcomer = StoreBulkLock("store1", label="Newcomer")

    assert newcomer.try_acquire()
    with pytest.raises(StoreLockLost):
        stalled.renew()
    newcomer.renew()
    stalled.release()  # a no-op: it no longer holds it
    assert store_lock_holder(store_hash="store1").label == "Newcomer"


def test_a_busy_store_hands_the_run_back_to_the_queue_naming_the_holder():
    StoreBulkLock("store1", label="Product Match of connection 'A' (run 4)").try_acquire()

    with pytest.raises(StoreBusy) as exc:
        with store_bulk_lock("store1", label="Push", retry_s=45):
            pytest.fail("must not get the lock")

    assert "busy with 'Product Match of connection 'A' (run 4)'" in str(exc.value)
    # The engine puts the run back in the queue instead of a worker waiting for the store.
    assert isinstance(exc.value, RunDeferred) and exc.value.countdown == 45


def test_a_run_waiting_for_a_holder_whose_lease_ends_soon_looks_again_then():
    """A killed holder no longer renews: the store is free when its lease ends, so the
    deferred run comes back then instead of a whole retry period later."""
    StoreBulkLock("store1", label="Product Match (killed)", lease_seconds=3).try_acquire()

    with pytest.raises(StoreBusy) as exc:
        with store_bulk_lock("store1", label="Push", retry_s=45):
            pytest.fail("must not get the lock")

    assert 1 <= exc.value.countdown <= 4


def test_a_busy_store_tells_the_engine_whether_it_is_still_busy():
    holder = StoreBulkLock("store1", label="Product Match")
    holder.try_acquire()
    with pytest.raises(StoreBusy) as exc:
        with store_bulk_lock("store1", label="Push"):
            pytest.fail("must not get the lock")

    assert exc.value.still_blocked() is True
    holder.release()  # the engine then sends the deferred run again at once
    assert exc.value.still_blocked() is False


def test_the_store_lock_is_renewed_by_the_running_run_heartbeat(order_import_ctx):
    with store_bulk_lock("store1", label="Push") as lock:
        StoreLock.objects.filter(store_hash="store1").update(expires_at=timezone.now())
        for renew in order_import_ctx._keep_alive:
            renew()
        assert store_lock_holder(store_hash="store1").holder == lock.holder
    assert order_import_ctx._keep_alive == []


def test_the_lock_is_released_when_the_block_fails():
    with pytest.raises(RuntimeError):
        with store_bulk_lock(
            "store1",
            label="Push",
        ):
            raise RuntimeError("boom")
    assert store_lock_holder(store_hash="store1") is None


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_given_back_at_once_when_the_database_connection_was_dropped():
    """A failover in the middle of a bulk operation: the store is free for the next run at
    once, not only once the lease expires (meanwhile every catalog run of the store waits)."""
    if db_connection.vendor != "postgresql":
        pytest.skip("needs a database whose sessions can be terminated (PostgreSQL)")

    def drop(pid):
        try:
            with db_connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            db_connection.close()

    with pytest.raises(OperationalError):
        with store_bulk_lock("store1", label="Push", lease_seconds=600):
            dropper = threading.Thread(
                target=drop, args=(db_connection.connection.info.backend_pid,)
            )
            dropper.start()
            dropper.join(timeout=20)
            StoreLock.objects.count()  # the operation's next query meets the dropped connection
    db_connection.close()
    assert store_lock_holder(store_hash="store1") is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("row_exists", [False, True])
def test_two_workers_taking_a_store_at_once_have_one_winner(row_exists):
    """Two threads, two database connections: the INSERT (or conditional UPDATE) decides."""
    if db_connection.vendor != "postgresql":
        pytest.skip("needs a database with concurrent writers (PostgreSQL)")
    if row_exists:
        StoreLock.objects.create(store_hash="race1")
    barrier = threading.Barrier(2, timeout=10)
    results = {}

    def take(name):
        try:
            barrier.wait()
            results[name] = StoreBulkLock("race1", label=name).try_acquire()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(name,)) for name in ("push", "match")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results.values()) == [False, True]
    winner = next(name for name, won in results.items() if won)
    assert store_lock_holder(store_hash="race1").label == winner
