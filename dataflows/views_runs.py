"""The Runs tab (every run of a connection's dataflows, filtered, refreshed live), a run's
page with its log, and the latest runs on the connection's General tab."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from connections.access import connection_for_user
from connections.hooks import general_panel_register
from connections.views.common import connection_fragment, connection_page

from .models import LogEntry, Run
from .registry import kind_choices
from .selectors import log_entry_list, run_list, runs_active_exist

RUNS_PER_PAGE = 25
LOGS_PER_PAGE = 100
LATEST_RUNS = 5


def duration_label(start, end) -> str:
    if not start:
        return ""
    seconds = int(((end or timezone.now()) - start).total_seconds())
    if seconds < 1:
        return "under 1 s"
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def span_label(seconds: int) -> str:
    """A rounded human duration: "45 seconds", "5 minutes", "2 hours", "3 days"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = round(seconds / size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _ago(moment) -> str:
    seconds = int((timezone.now() - moment).total_seconds())
    return "just now" if seconds < 60 else f"{span_label(seconds)} ago"


def runs_decorate(runs) -> list[Run]:
    """What the tables show of a run: duration, "finished 5 minutes ago", progress percent."""
    for run in runs:
        run.duration = duration_label(run.started_at, run.finished_at)
        if run.finished_at:
            run.ago = f"finished {_ago(run.finished_at)}"
        elif run.started_at:
            run.ago = f"started {_ago(run.started_at)}"
        else:
            run.ago = f"queued {_ago(run.queued_at)}"
        run.is_active = run.status in (Run.Status.QUEUED, Run.Status.RUNNING)
        run.percent = (
            min(100, round(100 * run.progress_done / run.progress_total))
            if run.progress_total
            else None
        )
    return runs


def _latest_runs_context(request, connection) -> dict:
    runs = run_list(user=request.user, connection=connection)[:LATEST_RUNS]
    return {
        "connection": connection,
        "runs": runs_decorate(list(runs)),
        "runs_live": runs_active_exist(connection=connection),
        "compact": True,
    }


def latest_runs_panel(request, connection) -> str:
    """The General tab's "Latest runs" (registered with connections.hooks)."""
    context = _latest_runs_context(request, connection)
    return render_to_string("dataflows/_latest_runs.html", context, request=request)


@login_required
@require_GET
def connection_runs(request, pk: int):
    """Runs tab: every run of the connection's dataflows, newest first; refreshed live."""
    connection, membership = connection_for_user(request, pk)
    if request.GET.get("partial") == "runs" and request.GET.get("compact"):
        context = _latest_runs_context(request, connection)
        return connection_fragment(request, connection, "dataflows/_runs_table.html", context)
    runs = run_list(user=request.user, connection=connection, filters=request.GET)
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    extra = {
        "page": page,
        "runs": runs_decorate(list(page.object_list)),
        "runs_live": runs_active_exist(connection=connection),
        "kind": request.GET.get("kind", ""),
        "status": request.GET.get("status", ""),
        "q": request.GET.get("q", ""),
        "kinds": kind_choices(),
        "statuses": Run.Status.choices,
    }
    if request.GET.get("partial") == "runs":
        return connection_fragment(request, connection, "dataflows/_runs_table.html", extra)
    return connection_page(
        request, connection, membership, "runs", "dataflows/tab_runs.html", extra
    )


@login_required
@require_GET
def run_detail(request, pk: int, run_pk: int):
    """One run: its status and counts, and its log entries (filter by level)."""
    connection, membership = connection_for_user(request, pk)
    run = get_object_or_404(run_list(user=request.user, connection=connection), pk=run_pk)
    runs_decorate([run])
    entries = log_entry_list(run=run, filters=request.GET)
    page = Paginator(entries, LOGS_PER_PAGE).get_page(request.GET.get("page"))
    level = request.GET.get("level", "")
    extra = {
        "run": run,
        "page": page,
        "level": level if level in LogEntry.Level.values else "",
        "levels": LogEntry.Level.choices,
        "level_counts": {
            row["level"]: row["n"]
            for row in run.log_entries.order_by().values("level").annotate(n=Count("id"))
        },
    }
    if request.GET.get("partial") == "run":
        return connection_fragment(request, connection, "dataflows/_run_body.html", extra)
    return connection_page(
        request, connection, membership, "runs", "dataflows/run_detail.html", extra
    )


general_panel_register(latest_runs_panel)
