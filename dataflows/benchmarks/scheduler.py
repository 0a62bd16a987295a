"""The scheduler at scale: N connections with every dataflow enabled and scheduled; what beat's
ticks and the sweep cost as N grows (queries, milliseconds). Run as a benchmark child
(`main`, one JSON line) or called by the tests at small sizes."""

import argparse
import json
import time
from datetime import timedelta

from django.db import connection as db
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from connections.models import Connection, Tenant

from ..beat import HubScheduler
from ..models import Dataflow, Run
from ..registry import flow_specs
from ..services.schedules import SCHEDULED_TASK
from ..services.sweep import runs_sweep

BATCH = 2000


def connections_build(*, count: int, runs_each: int = 1, tenant_name: str = "Scale") -> Tenant:
    """`count` active connections with one dataflow per kind, every one enabled and scheduled
    (as dataflows_create_for_connection leaves them, written in bulk), each with
    `runs_each` finished runs."""
    specs = list(flow_specs())
    now = timezone.now()
    with transaction.atomic():
        tenant, _ = Tenant.objects.get_or_create(name=tenant_name)
        first = Connection.objects.count()
        Connection.objects.bulk_create(
            [
                Connection(
                    tenant=tenant,
                    name=f"Store {first + i:05d}",
                    store_hash=f"scale{first + i:05d}",
                    access_token="bench-token",
                )
                for i in range(count)
            ],
            batch_size=BATCH,
        )
        connections = list(
            Connection.objects.filter(tenant=tenant)
            .order_by("-pk")[:count]
            .values_list("pk", flat=True)
        )
        Dataflow.objects.bulk_create(
            [
                Dataflow(
                    connection_id=pk,
                    kind=spec.kind,
                    enabled=True,
                    interval_seconds=spec.default_interval_s,
                )
                for pk in connections
                for spec in specs
            ],
            batch_size=BATCH,
        )
        dataflows = list(
            Dataflow.objects.filter(connection_id__in=connections).select_related("connection")
        )
        intervals = {}
        for seconds in {d.interval_seconds for d in dataflows}:
            intervals[seconds] = IntervalSchedule.objects.filter(
                every=seconds, period=IntervalSchedule.SECONDS
            ).first() or IntervalSchedule.objects.create(
                every=seconds, period=IntervalSchedule.SECONDS
            )
        queues = {spec.kind: spec.queue for spec in specs}
        PeriodicTask.objects.bulk_create(
            [
                PeriodicTask(
                    name=f"dataflow-{d.pk}",
                    task=SCHEDULED_TASK,
                    interval=intervals[d.interval_seconds],
                    args=json.dumps([d.pk]),
                    kwargs="{}",
                    queue=queues[d.kind],
                    enabled=True,
                    date_changed=now,
                    description=f"{d.get_kind_display()} of connection {d.connection_id}",
                )
                for d in dataflows
            ],
            batch_size=BATCH,
        )
        tasks = dict(
            PeriodicTask.objects.filter(
                name__in=[f"dataflow-{d.pk}" for d in dataflows]
            ).values_list("name", "pk")
        )
        for d in dataflows:
            d.periodic_task_id = tasks[f"dataflow-{d.pk}"]
        Dataflow.objects.bulk_update(dataflows, ["periodic_task"], batch_size=BATCH)
        Run.objects.bulk_create(
            [
                Run(
                    dataflow=d,
                    trigger=Run.Trigger.SCHEDULE,
                    status=Run.Status.SUCCEEDED,
                    started_at=now - timedelta(seconds=60 * (k + 1)),
                    finished_at=now - timedelta(seconds=60 * k + 30),
                )
                for d in dataflows
                for k in range(runs_each)
            ],
            batch_size=BATCH,
        )
    return tenant


def _measure(action):
    started = time.perf_counter()
    with CaptureQueriesContext(db) as queries:
        result = action()
    return result, len(queries), round((time.perf_counter() - started) * 1000, 2)


def beat_figures(*, app) -> dict:
    """Beat with every schedule due at once (as after beat was down): its start (loading the
    schedule), the burst that sends every entry, an idle tick, and the write-back of when the
    entries ran. The broker is the caller's (the bench child's is in memory)."""
    PeriodicTask.objects.filter(name__startswith="dataflow-").update(
        last_run_at=timezone.now() - timedelta(days=40)
    )
    scheduler, start_queries, start_ms = _measure(lambda: HubScheduler(app=app, lazy=False))
    sent = []
    send = scheduler.apply_async

    def apply_async(entry, *args, **kwargs):
        sent.append(entry.name)
        return send(entry, *args, **kwargs)

    scheduler.apply_async = apply_async
    # The write-back is measured on its own, after the burst.
    scheduler._last_sync = time.monotonic()
    scheduler.sync_every = 10**9
    ticks = 0

    def burst():
        nonlocal ticks
        scheduler.tick()  # the first tick builds the heap and reads the change marker
        ticks += 1
        while scheduler.tick() == 0:
            ticks += 1

    _, burst_queries, burst_ms = _measure(burst)
    _, idle_queries, idle_ms = _measure(scheduler.tick)
    _, sync_queries, sync_ms = _measure(scheduler.sync)
    scheduler._finalize.cancel()  # written already: nothing to write at exit
    sent = len(sent)
    return {
        "schedules": len(scheduler.schedule),
        "start_queries": start_queries,
        "start_ms": start_ms,
        "sent": sent,
        "burst_ticks": ticks,
        "burst_queries": burst_queries,
        "queries_per_tick": round(burst_queries / max(ticks, 1), 4),
        "burst_ms": burst_ms,
        "ms_per_sent_entry": round(burst_ms / max(sent, 1), 4),
        "idle_tick_queries": idle_queries,
        "idle_tick_ms": idle_ms,
        "sync_queries": sync_queries,
        "sync_ms": sync_ms,
    }


def sweep_figures() -> dict:
    """One sweep (every DATAFLOW_SWEEP_EVERY_S) with nothing to recover or alert."""
    result, queries, ms = _measure(runs_sweep)
    return {"queries": queries, "ms": ms, "overdue": result["overdue"]}


def figures(*, sizes: list[int], app) -> dict:
    out = {}
    for size in sorted(sizes):
        have = Connection.objects.filter(tenant__name="Scale").count()
        if size > have:
            connections_build(count=size - have)
        out[f"connections_{size}"] = {"beat": beat_figures(app=app), "sweep": sweep_figures()}
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    from celery import current_app  # the project's app, set up with Django

    app = current_app._get_current_object()
    print(json.dumps({"vendor": db.vendor, **figures(sizes=args.connections, app=app)}))
