"""The Dataflows tab of a connection: each dataflow's switch, schedule and options, its last
and next run, SAVE and Run now. (The Runs tab: views_runs; SYNCHRONIZE: views_sync.)"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from connections.access import connection_for_user, need_for, tenant_require_role
from connections.views.common import (
    connection_fragment,
    connection_page,
    error_text,
    refuse_when_deleting,
)

from .forms import DataflowForm, interval_label
from .models import Dataflow, Run
from .options import dataflow_update_need
from .registry import flow_spec
from .selectors import dataflows_with_last_run
from .services import dataflow_update, run_queue
from .views_runs import runs_decorate, span_label


def _next_run(dataflow: Dataflow, last_run: Run | None, scheduled: bool):
    """The next scheduled run's time (None when unknown) and how the tab says it."""
    if not dataflow.enabled:
        return None, "Disabled"
    if not dataflow.connection.is_active:
        return None, "Connection inactive"
    label = f"within {span_label(dataflow.interval_seconds)}"
    task = dataflow.periodic_task
    base = task.last_run_at if task and task.last_run_at else None
    if base is None and last_run is not None:
        base = last_run.queued_at
    if not (scheduled and base):
        return None, label
    next_run = base + timedelta(seconds=dataflow.interval_seconds)
    left = int((next_run - timezone.now()).total_seconds())
    return next_run, f"in {span_label(left)}" if left > 0 else "due now"


def _dataflow_rows(connection) -> list[dict]:
    rows = []
    for dataflow in dataflows_with_last_run(connection=connection):
        dataflow.connection = connection
        last = runs_decorate(dataflow.latest_runs)
        last_run = last[0] if last else None
        failures = runs_decorate(dataflow.latest_failures)
        scheduled = dataflow.enabled and connection.is_active
        next_run, next_label = _next_run(dataflow, last_run, scheduled)
        spec = flow_spec(dataflow.kind)
        rows.append(
            {
                "dataflow": dataflow,
                "form": DataflowForm(
                    initial={
                        "enabled": dataflow.enabled,
                        "interval_seconds": dataflow.interval_seconds,
                    },
                    dataflow=dataflow,
                    prefix=f"df{dataflow.pk}",
                ),
                "last_run": last_run,
                "last_failure": failures[0] if failures else None,
                "consecutive_failures": dataflow.consecutive_failures,
                "scheduled": scheduled,
                "next_run": next_run,
                "interval_label": interval_label(dataflow.interval_seconds),
                "description": spec.description if spec else "",
                "next_label": next_label,
            }
        )
    return rows


@login_required
@require_GET
def connection_dataflows(request, pk: int):
    connection, membership = connection_for_user(request, pk)
    rows = _dataflow_rows(connection)
    extra = {
        "rows": rows,
        "runs_live": any(r["last_run"] and r["last_run"].is_active for r in rows),
        "now": timezone.now(),
    }
    if request.GET.get("partial") == "dataflows":
        return connection_fragment(request, connection, "dataflows/_dataflows_live.html", extra)
    return connection_page(
        request, connection, membership, "dataflows", "dataflows/tab_dataflows.html", extra
    )


def _dataflow_for(request, pk: int, dataflow_pk: int, need: str):
    connection, _ = connection_for_user(request, pk, need=need)
    dataflow = get_object_or_404(Dataflow, pk=dataflow_pk, connection=connection)
    dataflow.connection = connection
    return connection, dataflow


def _form_error_text(dataflow: Dataflow, form: DataflowForm) -> str:
    if "interval_seconds" in form.errors:
        return "choose one of the offered schedules."
    texts = [
        f"{form.fields[key].label}: {' '.join(errors)}"
        for key, errors in form.errors.items()
        if key in form.fields
    ]
    return " ".join([*texts, *form.non_field_errors()])


@login_required
@require_POST
def dataflow_save(request, pk: int, dataflow_pk: int):
    # The least a save needs; what it changes may need more (options: a manager).
    connection, dataflow = _dataflow_for(request, pk, dataflow_pk, need_for("dataflow.enabled"))
    back = reverse("connection-dataflows", args=[pk])
    if refuse_when_deleting(request, connection):
        return redirect(back)
    label = dataflow.get_kind_display()
    form = DataflowForm(request.POST, dataflow=dataflow, prefix=f"df{dataflow.pk}")
    if not form.is_valid():
        messages.error(request, f"{label}: {_form_error_text(dataflow, form)}")
        return redirect(back)
    values = {
        "enabled": form.cleaned_data["enabled"],
        "interval_seconds": form.cleaned_data["interval_seconds"],
        "options": form.options(),
    }
    need = dataflow_update_need(dataflow=dataflow, **values)
    tenant_require_role(request, tenant=connection.tenant, need=need)
    try:
        dataflow_update(dataflow=dataflow, **values)
    except ValidationError as exc:
        messages.error(request, f"{label}: {error_text(exc)}")
        return redirect(back)
    state = "enabled" if dataflow.enabled else "disabled"
    messages.success(
        request, f"{label} {state}, {interval_label(dataflow.interval_seconds).lower()}."
    )
    return redirect(back)


@login_required
@require_POST
def dataflow_run_now(request, pk: int, dataflow_pk: int):
    connection, dataflow = _dataflow_for(request, pk, dataflow_pk, need_for("dataflow.run"))
    if refuse_when_deleting(request, connection):
        return redirect("connection-dataflows", pk=pk)
    try:
        with transaction.atomic():
            run = run_queue(dataflow=dataflow, trigger=Run.Trigger.MANUAL)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("connection-dataflows", pk=pk)
    messages.success(request, f"{dataflow.get_kind_display()} queued (run {run.pk}).")
    return redirect("connection-runs", pk=pk)
