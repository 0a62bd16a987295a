"""Reads of the engine's screens and API. Everything goes through a connection the user may
see, so another tenant's dataflow, run or log is never listed."""

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from connections.models import Connection
from connections.selectors import connections_visible_to, filtered

from .filters import LogEntryFilter, RunFilter
from .models import Dataflow, LogEntry, Run
from .registry import flow_specs


def _kind_order() -> Case:
    """The dataflows in the order their apps registered them (the layers' order: catalog's
    Product Match first, as a new connection runs it), not alphabetically."""
    kinds = [spec.kind for spec in flow_specs()]
    return Case(
        *(When(kind=kind, then=Value(index)) for index, kind in enumerate(kinds)),
        default=Value(len(kinds)),
        output_field=IntegerField(),
    )


def runs_visible_to(*, user) -> QuerySet[Run]:
    return Run.objects.filter(dataflow__connection__in=connections_visible_to(user=user))


def run_list(
    *, user, connection: Connection | None = None, filters=None, strict: bool = False
) -> QuerySet[Run]:
    """Runs newest first, filtered by `RunFilter` (invalid values ignored; with `strict`, the
    REST list, refused with a ValidationError)."""
    queryset = runs_visible_to(user=user).select_related("dataflow")
    if connection is not None:
        queryset = queryset.filter(dataflow__connection=connection)
    queryset = queryset.order_by("-queued_at", "-id")
    return filtered(RunFilter, filters, queryset, strict=strict)


def runs_active_exist(*, connection: Connection) -> bool:
    return Run.objects.filter(
        dataflow__connection=connection, status__in=(Run.Status.QUEUED, Run.Status.RUNNING)
    ).exists()


def log_entry_list(*, run: Run, filters=None, strict: bool = False) -> QuerySet[LogEntry]:
    """A run's log entries in the order they were written, filtered by `LogEntryFilter`."""
    return filtered(LogEntryFilter, filters, run.log_entries.order_by("id"), strict=strict)


DONE = (Run.Status.SUCCEEDED, Run.Status.PARTIAL)


def dataflows_with_last_run(*, connection: Connection) -> QuerySet[Dataflow]:
    """The connection's dataflows with their last run (`latest_runs`), last failed run
    (`latest_failures`) and `consecutive_failures` (failed runs since the last one that
    succeeded), in a fixed number of queries."""
    newest = (
        Run.objects.filter(dataflow_id=OuterRef("dataflow_id"))
        .order_by("-queued_at", "-id")
        .values("pk")[:1]
    )
    newest_failed = (
        Run.objects.filter(dataflow_id=OuterRef("dataflow_id"), status=Run.Status.FAILED)
        .order_by("-queued_at", "-id")
        .values("pk")[:1]
    )
    later_success = Run.objects.filter(
        dataflow_id=OuterRef("dataflow_id"), status__in=DONE, queued_at__gt=OuterRef("queued_at")
    )
    failures_in_a_row = (
        Run.objects.filter(dataflow_id=OuterRef("pk"), status=Run.Status.FAILED)
        .filter(~Exists(later_success))
        .order_by()
        .values("dataflow_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Dataflow.objects.filter(connection=connection)
        .select_related("connection", "periodic_task")
        .annotate(
            consecutive_failures=Coalesce(
                Subquery(failures_in_a_row, output_field=IntegerField()), 0
            )
        )
        .prefetch_related(
            Prefetch(
                "runs", queryset=Run.objects.filter(pk=Subquery(newest)), to_attr="latest_runs"
            ),
            Prefetch(
                "runs",
                queryset=Run.objects.filter(pk=Subquery(newest_failed)),
                to_attr="latest_failures",
            ),
        )
        .order_by(_kind_order(), "kind")
    )
