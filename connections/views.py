"""The CONNECTIONS screens (server-rendered): the list, Create connection, the connection page
with its tabs (General, Credentials, Settings, Dataflows, Runs), a run's log, and the actions.

Rules kept in every view: anonymous users go to the log-in page; another tenant's objects are a
404 (they are looked up through `connections_visible_to`); a role that does not allow an action
is a 403 whatever the buttons showed; actions are POST only (CSRF-checked). Writes go through
the services; a service's ValidationError becomes the form's or the page's message.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dataflows import services as dataflow_services
from dataflows.models import Dataflow, Kind, LogEntry, Run

from . import services as connection_services
from . import uiprefs
from .context_processors import POPUP_SESSION_KEY
from .drivers import DRIVERS
from .forms import (
    SETTINGS_SECTIONS,
    ConnectionCreateForm,
    ConnectionNameForm,
    CredentialsForm,
    DataflowForm,
    interval_label,
)
from .models import Connection, Membership
from .selectors import connections_visible_to, connections_with_error_flag, membership_for

VIEW, OPERATE, MANAGE = "view", "operate", "manage"
RUNS_PER_PAGE = 25
KIND_DESCRIPTIONS = {
    Kind.ORDER_IMPORT: "Imports orders in the chosen statuses from BigCommerce.",
    Kind.PRODUCT_MATCH: "Matches every BigCommerce product and variant to a hub SKU.",
    Kind.CHANGED_PRODUCT_MATCH: "The same, only for products changed since the last run.",
    Kind.FULL_STOCK_UPDATE: "Pushes the available stock of every linked SKU.",
    Kind.CHANGED_STOCK_UPDATE: "Pushes only stock that changed since it was last pushed.",
    Kind.ORDER_UPDATE: "Sends shipments with tracking back and marks orders shipped.",
}
LOGS_PER_PAGE = 100


# ----------------------------------------------------------------------------- helpers


def _allows(membership: Membership | None, need: str) -> bool:
    if membership is None:
        return False
    if need == MANAGE:
        return membership.can_manage
    if need == OPERATE:
        return membership.can_operate
    return True


_REFUSED = {
    OPERATE: "Your role in this tenant is read-only: ask an operator or a manager.",
    MANAGE: "Only a manager of this tenant can do this.",
}


def _connection_for(request, pk: int, need: str = VIEW) -> tuple[Connection, Membership]:
    """The connection if the user may see it (else 404) and do `need` with it (else 403)."""
    connection = get_object_or_404(
        connections_visible_to(user=request.user).select_related("tenant"), pk=pk
    )
    membership = membership_for(user=request.user, tenant=connection.tenant)
    if membership is None:  # not reachable through connections_visible_to; belt and braces
        raise Http404
    if not _allows(membership, need):
        raise PermissionDenied(_REFUSED[need])
    if request.tenancy.tenant != connection.tenant:
        # Opening a connection of another of the user's tenants makes that tenant current.
        request.tenancy.switch(connection.tenant)
    return connection, membership


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _add_service_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: field keys it has, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _popup(request, *, title: str, text: str, link: str = "", link_label: str = "") -> None:
    """A pop-up shown once on the next full page (e.g. "Sync triggered")."""
    request.session[POPUP_SESSION_KEY] = {
        "title": title,
        "text": text,
        "link": link,
        "link_label": link_label,
    }


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _list_url(query: str = "") -> str:
    query = (query or "").replace("\r", "").replace("\n", "").lstrip("?")
    return reverse("home") + (f"?{query}" if query else "")


def _duration(start, end) -> str:
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


def _span(seconds: int) -> str:
    """A rounded human duration: "45 seconds", "5 minutes", "2 hours", "3 days"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = round(seconds / size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _ago(moment) -> str:
    seconds = int((timezone.now() - moment).total_seconds())
    return "just now" if seconds < 60 else f"{_span(seconds)} ago"


def _decorate_runs(runs) -> list[Run]:
    for run in runs:
        run.duration = _duration(run.started_at, run.finished_at)
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


def _has_active_runs(connection: Connection) -> bool:
    return Run.objects.filter(
        dataflow__connection=connection, status__in=(Run.Status.QUEUED, Run.Status.RUNNING)
    ).exists()


# ----------------------------------------------------------------------------- the list


@login_required
@require_GET
def connection_list(request):
    """CONNECTIONS: the home page of a signed-in user (the current tenant's connections)."""
    tenancy = request.tenancy
    state = uiprefs.list_state(user=request.user, params=request.GET)
    connections, total = [], 0
    if tenancy.tenant is not None:
        queryset = connections_with_error_flag(
            queryset=Connection.objects.filter(tenant=tenancy.tenant)
        )
        total = queryset.count()
        connections = list(uiprefs.apply_to_queryset(state=state, queryset=queryset))
    context = {
        "state": state,
        "connections": connections,
        "total": total,
        "headers": [
            {
                "key": key,
                "label": label,
                "sort_query": state.sort_query(key),
                "direction": state.sort_direction(key),
            }
            for key, label in state.column_headers
        ],
        "deleting": any(c.status == Connection.Status.DELETING for c in connections),
        "columns_open": request.GET.get("columns") == "open",
        "status_filters": uiprefs.STATUS_FILTERS,
        "error_filters": uiprefs.ERROR_FILTERS,
        "drivers": DRIVERS,
        "current_query": state.query(),
        "can_operate": tenancy.can_operate,
        "can_manage": tenancy.can_manage,
    }
    if request.GET.get("partial") == "table":
        return render(request, "connections/_table.html", context)
    return render(request, "connections/list.html", context)


@login_required
@require_POST
def columns_save(request):
    """The columns bar: show/hide and reorder; remembered for the user (and current view)."""
    query = request.POST.get("qs", "")
    try:
        uiprefs.columns_save(
            user=request.user,
            view_id=request.POST.get("view") or None,
            order=request.POST.getlist("order"),
            shown=request.POST.getlist("shown"),
            move=request.POST.get("move", ""),
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect(_list_url(f"{query}&columns=open" if query else "columns=open"))


def _posted_filters(request) -> tuple[dict, str]:
    filters = uiprefs.clean_filters({k: request.POST.get(k) for k in uiprefs.FILTER_KEYS})
    return filters, uiprefs.clean_sort(request.POST.get("sort"))


@login_required
@require_POST
def view_save(request):
    """VIEW > Save current view as…: the current filter, sort and columns, under a name."""
    filters, sort = _posted_filters(request)
    state = uiprefs.list_state(user=request.user, params={})
    try:
        view = uiprefs.view_save_new(
            user=request.user,
            name=request.POST.get("name", ""),
            filters=filters,
            sort=sort,
            columns=state.columns,
        )
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(_list_url(request.POST.get("qs", "")))
    messages.success(request, f"View “{view.name}” saved.")
    return redirect(_list_url(f"view={view.pk}"))


@login_required
@require_POST
def view_update(request, pk: int):
    view = get_object_or_404(uiprefs.views_for(user=request.user), pk=pk)
    filters, sort = _posted_filters(request)
    uiprefs.view_update(view=view, filters=filters, sort=sort)
    messages.success(request, f"View “{view.name}” updated.")
    return redirect(_list_url(f"view={view.pk}"))


@login_required
@require_POST
def view_delete(request, pk: int):
    view = get_object_or_404(uiprefs.views_for(user=request.user), pk=pk)
    name = view.name
    view.delete()
    messages.success(request, f"View “{name}” deleted.")
    return redirect(_list_url("view=0"))


@login_required
@require_POST
def tenant_switch(request):
    tenancy = request.tenancy
    wanted = request.POST.get("tenant", "")
    tenant = next((t for t in tenancy.tenants if str(t.pk) == wanted), None)
    if tenant is None:
        raise Http404("No such tenant.")
    tenancy.switch(tenant)
    return redirect("home")


# ----------------------------------------------------------------------------- actions

ACTIONS = {"synchronize": OPERATE, "enable": OPERATE, "disable": OPERATE, "delete": MANAGE}
SINGLE_ACTIONS = {"synchronize", "delete"}


def _names(connections) -> str:
    return ", ".join(f"“{c.name}”" for c in connections)


def _perform(request, action: str, connections: list[Connection], *, back: str):
    """Run `action` on the (already permission-checked) connections; messages say what
    happened. Returns the response (a redirect, or DELETE's confirmation page)."""
    label = action.upper()
    if not connections:
        messages.error(request, f"Select a connection to {action}.")
        return redirect(back)
    if action in SINGLE_ACTIONS and len(connections) != 1:
        messages.error(request, f"{label} works on exactly one connection: select only one.")
        return redirect(back)
    deleting = [c for c in connections if c.status == Connection.Status.DELETING]
    if deleting:
        messages.error(request, f"{_names(deleting)} is being deleted; nothing was changed.")
        return redirect(back)

    if action == "delete":
        connection = connections[0]
        if request.POST.get("confirm") != "yes":
            return render(
                request,
                "connections/confirm_delete.html",
                {"connection": connection, "back": back},
            )
        connection_services.connection_delete_start(connection=connection)
        messages.success(
            request,
            f"Deleting “{connection.name}”. This can take a while; the list shows it as "
            "Deleting… until it is gone.",
        )
        return redirect(_list_url(request.POST.get("qs", "")))

    if action == "synchronize":
        connection = connections[0]
        try:
            runs = dataflow_services.connection_synchronize(connection=connection)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect(back)
        count = len(runs)
        _popup(
            request,
            title="Sync triggered",
            text=f"{count} dataflow{'s' if count != 1 else ''} of “{connection.name}” "
            f"{'are' if count != 1 else 'is'} queued and will run now.",
            link=reverse("connection-runs", args=[connection.pk]),
            link_label="Follow the runs",
        )
        return redirect(back)

    active = action == "enable"
    targets = [c for c in connections if c.is_active != active]
    if not targets:
        state = "active" if active else "inactive"
        messages.info(request, f"The selected connections are {state} already.")
        return redirect(back)
    done = []
    for connection in targets:
        try:
            connection_services.connection_set_active(
                connection=connection, active=active, user=request.user
            )
        except ValidationError as exc:
            messages.error(request, f"“{connection.name}” not {action}d: {_error_text(exc)}")
        else:
            done.append(connection)
    if done:
        if active:
            text = f"Enabled {_names(done)}: dataflows run on schedule again."
        else:
            text = f"Disabled {_names(done)}: schedules stopped; running runs finish."
        messages.success(request, text)
    return redirect(back)


@login_required
@require_POST
def connection_bulk_action(request, action: str):
    """The list's editing toolbar: DELETE, SYNCHRONIZE, DISABLE, ENABLE on selected rows."""
    if action not in ACTIONS:
        raise Http404
    back = _list_url(request.POST.get("qs", ""))
    try:
        ids = {int(value) for value in request.POST.getlist("ids")}
    except ValueError as exc:
        raise Http404 from exc
    connections = list(
        connections_visible_to(user=request.user).filter(pk__in=ids).select_related("tenant")
    )
    if len(connections) != len(ids):
        raise Http404
    for connection in connections:
        if not _allows(
            membership_for(user=request.user, tenant=connection.tenant), ACTIONS[action]
        ):
            raise PermissionDenied(_REFUSED[ACTIONS[action]])
    return _perform(request, action, connections, back=back)


@login_required
@require_GET
def connection_open(request):
    """The toolbar's Edit without JavaScript: open the one selected connection."""
    ids = request.GET.getlist("ids")
    if len(ids) != 1:
        messages.error(request, "Select exactly one connection to edit.")
        return redirect(_list_url(request.GET.get("qs", "")))
    try:
        pk = int(ids[0])
    except ValueError as exc:
        raise Http404 from exc
    connection, _ = _connection_for(request, pk)
    return redirect("connection-detail", pk=connection.pk)


@login_required
@require_POST
def connection_action(request, pk: int, action: str):
    """The same actions from the connection page."""
    if action not in ACTIONS:
        raise Http404
    connection, _ = _connection_for(request, pk, ACTIONS[action])
    default = reverse(
        "connection-runs" if action == "synchronize" else "connection-detail", args=[pk]
    )
    return _perform(request, action, [connection], back=_next_url(request, default))


# ----------------------------------------------------------------------------- create


@login_required
@require_http_methods(["GET", "POST"])
def connection_create(request):
    tenancy = request.tenancy
    if tenancy.tenant is None:
        raise PermissionDenied("You belong to no tenant yet: ask a manager to add you.")
    if not tenancy.can_manage:
        raise PermissionDenied(_REFUSED[MANAGE])
    form = ConnectionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            connection = connection_services.connection_create(
                tenant=tenancy.tenant,
                name=data["name"],
                driver=data["driver"],
                store_hash=data["store_hash"],
                access_token=data["access_token"],
                user=request.user,
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            store = f" to store “{connection.store_name}”" if connection.store_name else ""
            messages.success(
                request,
                f"Connection “{connection.name}” created{store}. Its dataflows are scheduled.",
            )
            return redirect("connection-detail", pk=connection.pk)
    return render(
        request,
        "connections/create.html",
        {"form": form, "drivers": DRIVERS, "tenant": tenancy.tenant},
    )


# ----------------------------------------------------------------------------- the page


def _page(request, connection, membership, tab: str, template: str, extra: dict, status=200):
    context = {
        "connection": connection,
        "membership": membership,
        "can_operate": membership.can_operate,
        "can_manage": membership.can_manage,
        "is_deleting": connection.status == Connection.Status.DELETING,
        "tab": tab,
        "name_form": extra.pop("name_form", None)
        or ConnectionNameForm(initial={"name": connection.name}),
        **extra,
    }
    return render(request, template, context, status=status)


def _refuse_when_deleting(request, connection) -> bool:
    if connection.status == Connection.Status.DELETING:
        messages.error(request, f"“{connection.name}” is being deleted; nothing was changed.")
        return True
    return False


@login_required
@require_GET
def connection_detail(request, pk: int):
    """General tab: name, created, status, store; the latest runs."""
    connection, membership = _connection_for(request, pk)
    runs = _decorate_runs(
        list(Run.objects.filter(dataflow__connection=connection).select_related("dataflow")[:5])
    )
    extra = {"runs": runs, "runs_live": _has_active_runs(connection), "compact": True}
    if request.GET.get("partial") == "runs":
        return render(request, "connections/_runs_table.html", {"connection": connection, **extra})
    return _page(request, connection, membership, "general", "connections/tab_general.html", extra)


@login_required
@require_POST
def connection_rename(request, pk: int):
    connection, membership = _connection_for(request, pk, MANAGE)
    back = _next_url(request, reverse("connection-detail", args=[pk]))
    if _refuse_when_deleting(request, connection):
        return redirect(back)
    form = ConnectionNameForm(request.POST)
    if form.is_valid():
        try:
            connection_services.connection_update(
                connection=connection, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"Renamed to “{connection.name}”.")
    else:
        messages.error(request, " ".join(form.errors.get("name", ["Invalid name."])))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def connection_credentials(request, pk: int):
    connection, membership = _connection_for(
        request, pk, MANAGE if request.method == "POST" else VIEW
    )
    form = CredentialsForm(request.POST or None, initial={"store_hash": connection.store_hash})
    if request.method == "POST":
        if _refuse_when_deleting(request, connection):
            return redirect("connection-credentials", pk=pk)
        if form.is_valid():
            try:
                connection_services.connection_update(
                    connection=connection,
                    user=request.user,
                    store_hash=form.cleaned_data["store_hash"],
                    access_token=form.cleaned_data["access_token"],
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
                connection.refresh_from_db()
            else:
                store = (
                    f" The store answered: “{connection.store_name}”."
                    if (connection.store_name)
                    else ""
                )
                messages.success(request, f"Credentials saved.{store}")
                return redirect("connection-credentials", pk=pk)
    return _page(
        request,
        connection,
        membership,
        "credentials",
        "connections/tab_credentials.html",
        {
            "form": form,
            "driver_label": DRIVERS[connection.driver].label
            if connection.driver in DRIVERS
            else connection.driver,
            "token_stored": bool(connection.access_token),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def connection_settings(request, pk: int):
    connection, membership = _connection_for(
        request, pk, MANAGE if request.method == "POST" else VIEW
    )
    section = request.POST.get("section") or request.GET.get("section") or "variant-option-type"
    if section not in SETTINGS_SECTIONS:
        raise Http404("No such settings section.")
    form_class = SETTINGS_SECTIONS[section]
    if request.method == "POST":
        form = form_class(request.POST, connection=connection)
        if _refuse_when_deleting(request, connection):
            return redirect(f"{reverse('connection-settings', args=[pk])}?section={section}")
        if form.is_valid():
            try:
                connection_services.connection_update(
                    connection=connection, user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
                connection.refresh_from_db()
            else:
                messages.success(request, f"{form.title} saved.")
                return redirect(f"{reverse('connection-settings', args=[pk])}?section={section}")
    else:
        form = form_class(initial=form_class.initial_for(connection), connection=connection)
    return _page(
        request,
        connection,
        membership,
        "settings",
        "connections/tab_settings.html",
        {
            "form": form,
            "section": section,
            "sections": [(slug, cls.title) for slug, cls in SETTINGS_SECTIONS.items()],
        },
    )


def _dataflow_rows(connection) -> list[dict]:
    rows = []
    dataflows = list(connection.dataflows.select_related("periodic_task"))
    order = list(Kind)
    dataflows.sort(key=lambda d: order.index(d.kind) if d.kind in order else len(order))
    for dataflow in dataflows:
        last = _decorate_runs(list(dataflow.runs.all()[:1]))
        last_run = last[0] if last else None
        next_run = None
        scheduled = dataflow.enabled and connection.is_active
        if not dataflow.enabled:
            next_label = "Disabled"
        elif not connection.is_active:
            next_label = "Connection inactive"
        else:
            next_label = f"within {_span(dataflow.interval_seconds)}"
        if scheduled:
            task = dataflow.periodic_task
            base = task.last_run_at if task and task.last_run_at else None
            if base is None and last_run is not None:
                base = last_run.queued_at
            next_run = base + timedelta(seconds=dataflow.interval_seconds) if base else None
            if next_run is not None:
                left = int((next_run - timezone.now()).total_seconds())
                next_label = f"in {_span(left)}" if left > 0 else "due now"
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
                "scheduled": scheduled,
                "next_run": next_run,
                "interval_label": interval_label(dataflow.interval_seconds),
                "description": KIND_DESCRIPTIONS.get(dataflow.kind, ""),
                "next_label": next_label,
            }
        )
    return rows


@login_required
@require_GET
def connection_dataflows(request, pk: int):
    connection, membership = _connection_for(request, pk)
    rows = _dataflow_rows(connection)
    extra = {
        "rows": rows,
        "runs_live": any(r["last_run"] and r["last_run"].is_active for r in rows),
        "now": timezone.now(),
    }
    if request.GET.get("partial") == "dataflows":
        return render(
            request, "connections/_dataflows_live.html", {"connection": connection, **extra}
        )
    return _page(
        request, connection, membership, "dataflows", "connections/tab_dataflows.html", extra
    )


def _dataflow_for(request, pk: int, dataflow_pk: int, need: str):
    connection, membership = _connection_for(request, pk, need)
    dataflow = get_object_or_404(Dataflow, pk=dataflow_pk, connection=connection)
    dataflow.connection = connection
    return connection, dataflow


@login_required
@require_POST
def dataflow_save(request, pk: int, dataflow_pk: int):
    connection, dataflow = _dataflow_for(request, pk, dataflow_pk, OPERATE)
    back = reverse("connection-dataflows", args=[pk])
    if _refuse_when_deleting(request, connection):
        return redirect(back)
    form = DataflowForm(request.POST, dataflow=dataflow, prefix=f"df{dataflow.pk}")
    if not form.is_valid():
        messages.error(
            request, f"{dataflow.get_kind_display()}: choose one of the offered schedules."
        )
        return redirect(back)
    try:
        dataflow_services.dataflow_update(
            dataflow=dataflow,
            enabled=form.cleaned_data["enabled"],
            interval_seconds=form.cleaned_data["interval_seconds"],
        )
    except ValidationError as exc:
        messages.error(request, f"{dataflow.get_kind_display()}: {_error_text(exc)}")
        return redirect(back)
    state = "enabled" if dataflow.enabled else "disabled"
    messages.success(
        request,
        f"{dataflow.get_kind_display()} {state}, "
        f"{interval_label(dataflow.interval_seconds).lower()}.",
    )
    return redirect(back)


@login_required
@require_POST
def dataflow_run_now(request, pk: int, dataflow_pk: int):
    connection, dataflow = _dataflow_for(request, pk, dataflow_pk, OPERATE)
    if _refuse_when_deleting(request, connection):
        return redirect("connection-dataflows", pk=pk)
    try:
        with transaction.atomic():
            run = dataflow_services.run_queue(dataflow=dataflow, trigger=Run.Trigger.MANUAL)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("connection-dataflows", pk=pk)
    messages.success(request, f"{dataflow.get_kind_display()} queued (run {run.pk}).")
    return redirect("connection-runs", pk=pk)


@login_required
@require_GET
def connection_runs(request, pk: int):
    """Runs tab: every run of the connection's dataflows, newest first; refreshed live."""
    connection, membership = _connection_for(request, pk)
    runs = Run.objects.filter(dataflow__connection=connection).select_related("dataflow")
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind in Kind.values:
        runs = runs.filter(dataflow__kind=kind)
    if status in Run.Status.values:
        runs = runs.filter(status=status)
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    extra = {
        "page": page,
        "runs": _decorate_runs(list(page.object_list)),
        "runs_live": _has_active_runs(connection),
        "kind": kind,
        "status": status,
        "kinds": Kind.choices,
        "statuses": Run.Status.choices,
        "filter_query": "&".join(f"{k}={v}" for k, v in (("kind", kind), ("status", status)) if v),
    }
    if request.GET.get("partial") == "runs":
        return render(request, "connections/_runs_table.html", {"connection": connection, **extra})
    return _page(request, connection, membership, "runs", "connections/tab_runs.html", extra)


@login_required
@require_GET
def run_detail(request, pk: int, run_pk: int):
    """One run: its status and counts, and its log entries (filter by level)."""
    connection, membership = _connection_for(request, pk)
    run = get_object_or_404(
        Run.objects.select_related("dataflow"), pk=run_pk, dataflow__connection=connection
    )
    _decorate_runs([run])
    entries = run.log_entries.all()
    level = request.GET.get("level", "")
    if level in LogEntry.Level.values:
        entries = entries.filter(level=level)
    page = Paginator(entries, LOGS_PER_PAGE).get_page(request.GET.get("page"))
    extra = {
        "run": run,
        "page": page,
        "level": level,
        "levels": LogEntry.Level.choices,
        "level_counts": {
            row["level"]: row["n"]
            for row in run.log_entries.values("level").annotate(n=Count("id"))
        },
    }
    if request.GET.get("partial") == "run":
        return render(request, "connections/_run_body.html", {"connection": connection, **extra})
    return _page(request, connection, membership, "runs", "connections/run_detail.html", extra)
