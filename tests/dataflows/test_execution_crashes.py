"""A run that crashes before it is recorded as started still ends as a failed run with its
cause, on the run the operator sees (dataflows.services.execution, tasks)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError

from dataflows import services, tasks
from dataflows.models import Dataflow, Run
from tests.dataflows.helpers import queued_run, succeed

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def test_a_run_whose_stored_options_are_not_valid_fails_saying_so(
    order_import, register_flow, fake_client
):
    ran = []

    def refuse(options):
        if options.get("created_within_days") == "soon":
            raise ValidationError({"options": "created_within_days must be a number of days."})
        return options

    register_flow("order_import", lambda ctx: ran.append(1), options_parser=refuse)
    Dataflow.objects.filter(pk=order_import.pk).update(options={"created_within_days": "soon"})

    run = services.run_execute(run_id=queued_run(order_import).pk)

    assert run.status == Run.Status.FAILED and not ran
    assert run.error_message.startswith("Not started: the options of Order Import are not valid:")
    assert "created_within_days must be a number of days." in run.error_message
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None


def test_a_crash_between_the_claim_and_the_work_frees_the_lease_and_fails_the_run(
    order_import, register_flow, fake_client, monkeypatch
):
    register_flow("order_import", succeed)
    run = queued_run(order_import)
    real = Run.refresh_from_db

    def crash(self, *args, **kwargs):
        if kwargs.get("fields") == ["status", "started_at"]:
            raise OperationalError("server closed the connection unexpectedly")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Run, "refresh_from_db", crash)

    assert tasks.run_execute_task.apply(args=[run.pk]).get() == Run.Status.FAILED

    monkeypatch.setattr(Run, "refresh_from_db", real)
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED
    assert "OperationalError: server closed the connection unexpectedly" in run.error_message
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None  # the next tick may run at once


def test_a_scheduled_tick_that_crashes_in_its_run_fails_that_run_not_a_second_one(
    order_import, register_flow, fake_client, monkeypatch
):
    register_flow("order_import", succeed)

    def crash(*, run, lease_seconds):
        raise OperationalError("could not obtain lock")

    monkeypatch.setattr("dataflows.services.execution._claim", crash)

    run_id = tasks.dataflow_scheduled_run_task.apply(args=[order_import.pk]).get()

    runs = list(Run.objects.filter(dataflow=order_import))
    assert [r.pk for r in runs] == [run_id]  # no queued run left behind
    assert runs[0].status == Run.Status.FAILED and runs[0].trigger == Run.Trigger.SCHEDULE
    assert runs[0].error_message == (
        "Not started: the scheduled run crashed before it started: "
        "OperationalError: could not obtain lock"
    )
