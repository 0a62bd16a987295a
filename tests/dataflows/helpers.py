"""Helpers of the engine tests: dataflows, runs and leases as workers leave them."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from dataflows.models import Dataflow, Run

LEASE = settings.DATAFLOW_LEASE_SECONDS


def dataflow_of(connection, kind="order_import") -> Dataflow:
    return Dataflow.objects.select_related("connection").get(connection=connection, kind=kind)


def queued_run(dataflow, trigger=Run.Trigger.SYNCHRONIZE) -> Run:
    return Run.objects.create(dataflow=dataflow, trigger=trigger)


def hold_lease(dataflow, *, expires_in_s=LEASE, started_s_ago=60) -> Run:
    """A run that is RUNNING and holds the lease, as a live (or dead) worker leaves it."""
    now = timezone.now()
    run = Run.objects.create(
        dataflow=dataflow,
        trigger=Run.Trigger.SCHEDULE,
        status=Run.Status.RUNNING,
        started_at=now - timedelta(seconds=started_s_ago),
    )
    Dataflow.objects.filter(pk=dataflow.pk).update(
        lease_run=run, lease_expires_at=now + timedelta(seconds=expires_in_s)
    )
    return run


def succeed(ctx):
    ctx.client.get(2)
    ctx.count(fetched=3, created=2, updated=1)
    ctx.log("order 7 imported", object_kind="order", object_id=7)
    ctx.progress(done=3, total=3)
