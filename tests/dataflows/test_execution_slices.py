"""Time slices (DATAFLOW_SLICE_SECONDS): a long run hands its worker back between two pages while
another connection's run waits, and the next delivery continues where it stopped."""

import pytest

from dataflows import context, services
from dataflows.models import Run
from tests.dataflows.helpers import dataflow_of, queued_run

pytestmark = pytest.mark.usefixtures("no_prerequisites")

PAGES = 6


class SliceClock:
    """Every look at the clock is one second later: a page takes a second."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def slices(monkeypatch, settings):
    settings.DATAFLOW_SLICE_SECONDS = 2
    monkeypatch.setattr(context, "slice_clock", SliceClock())


def backfill(ctx):
    """A paged flow as Order Import is: page, cursor and progress committed, then a checkpoint."""
    for page in range(ctx.dataflow.cursor.get("page", 0), PAGES):
        ctx.client.get()
        ctx.count(fetched=1, created=1)
        ctx.log(f"page {page} imported", object_kind="page", object_id=page)
        ctx.save_cursor({"page": page + 1})
        ctx.progress(done=page + 1, total=PAGES)
        if page + 1 < PAGES:
            ctx.checkpoint()


def test_a_long_run_hands_its_worker_to_another_tenants_waiting_run_and_resumes(
    order_import,
    other_connection,
    register_flow,
    fake_client,
    enqueued,
    slices,
    django_capture_on_commit_callbacks,
):
    register_flow("order_import", backfill)
    waiting = queued_run(dataflow_of(other_connection))
    run = queued_run(order_import)

    with django_capture_on_commit_callbacks(execute=True):
        first = run = services.run_execute(run_id=run.pk)

    assert first.status == Run.Status.QUEUED and not first.deferred
    assert enqueued == [run.pk]  # back to the end of the queue, behind the waiting run
    assert (first.created, first.api_requests) == (2, 2)
    started = first.started_at
    assert started is not None
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None and order_import.cursor == {"page": 2}

    deliveries = 1
    while run.status == Run.Status.QUEUED:
        run = services.run_execute(run_id=run.pk)
        deliveries += 1
    assert deliveries == 3  # two pages a slice
    assert run.status == Run.Status.SUCCEEDED
    assert (run.fetched, run.created, run.api_requests) == (PAGES, PAGES, PAGES)
    assert run.started_at == started
    pages = list(run.log_entries.filter(object_kind="page").values_list("object_id", flat=True))
    assert sorted(pages, key=int) == [str(n) for n in range(PAGES)]  # none lost, none twice
    assert run.log_entries.filter(message__startswith="Handed its worker").count() == 2
    waiting.refresh_from_db()
    assert waiting.status == Run.Status.QUEUED  # untouched: its own worker runs it


def test_a_long_run_keeps_its_worker_while_nobody_else_waits(
    order_import, register_flow, fake_client, enqueued, slices
):
    register_flow("order_import", backfill)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.SUCCEEDED
    assert run.created == PAGES and enqueued == []


def test_a_waiting_run_of_the_same_connection_or_a_deferred_one_does_not_take_the_worker(
    order_import, other_connection, connection, register_flow, fake_client, slices
):
    register_flow("order_import", backfill)
    queued_run(dataflow_of(connection, "order_update"))
    Run.objects.filter(pk=queued_run(dataflow_of(other_connection)).pk).update(deferred=True)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.SUCCEEDED


def test_a_run_of_another_queue_waiting_does_not_take_the_worker(
    order_import, other_connection, register_flow, fake_client, slices
):
    register_flow("order_import", backfill)
    queued_run(dataflow_of(other_connection, "product_match"))  # the catalog queue's worker
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.SUCCEEDED


def test_a_run_in_the_foreground_never_hands_over(
    order_import, other_connection, register_flow, fake_client, slices
):
    register_flow("order_import", backfill)
    queued_run(dataflow_of(other_connection))
    run = services.dataflow_run_foreground(dataflow=order_import)
    assert run.status == Run.Status.SUCCEEDED and run.created == PAGES


def test_slices_are_off_with_zero_seconds(
    order_import, other_connection, register_flow, fake_client, slices, settings
):
    settings.DATAFLOW_SLICE_SECONDS = 0
    register_flow("order_import", backfill)
    queued_run(dataflow_of(other_connection))
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.SUCCEEDED
