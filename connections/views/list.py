"""CONNECTIONS: the list (the home page of a signed-in user), its columns bar, the toolbar's
Edit without JavaScript, and the tenant switcher."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .. import uiprefs
from ..access import connection_for_user
from ..drivers import DRIVERS
from ..models import Connection
from ..selectors import connection_list as connections_listed
from .common import list_url

# Rows a page of the list shows: a tenant with a thousand stores gets pages, not a 2 s screen.
PAGE_SIZE = 100


@login_required
@require_GET
def connection_list(request):
    """The current tenant's connections, filtered, sorted and with the user's columns."""
    tenancy = request.tenancy
    state = uiprefs.list_state(user=request.user, params=request.GET)
    connections, total, page = [], 0, None
    if tenancy.tenant is not None:
        total = connections_listed(user=request.user, tenant=tenancy.tenant).count()
        queryset = connections_listed(
            user=request.user, tenant=tenancy.tenant, filters=state.filters
        )
        sorted_connections = uiprefs.sort_queryset(state=state, queryset=queryset)
        page = Paginator(sorted_connections, PAGE_SIZE).get_page(request.GET.get("page"))
        connections = list(page.object_list)
    context = {
        "state": state,
        "connections": connections,
        "page": page,
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
    return redirect(list_url(f"{query}&columns=open" if query else "columns=open"))


@login_required
@require_GET
def connection_open(request):
    """The toolbar's Edit without JavaScript: open the one selected connection."""
    ids = request.GET.getlist("ids")
    if len(ids) != 1:
        messages.error(request, "Select exactly one connection to edit.")
        return redirect(list_url(request.GET.get("qs", "")))
    try:
        pk = int(ids[0])
    except ValueError as exc:
        raise Http404 from exc
    connection, _ = connection_for_user(request, pk)
    return redirect("connection-detail", pk=connection.pk)


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
