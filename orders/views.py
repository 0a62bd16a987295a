"""The orders screens (server-rendered): the tenant-wide Orders page, an order's page (lines,
addresses, shipments, errors, the log of every run that touched it, "re-import this order"),
and the Orders tab of a connection (the Order errors page is in `views_errors`).

The rules of the CONNECTIONS screens hold here too: anonymous users go to the log-in page;
another tenant's orders and errors are a 404; a read-only role gets a 403 for any action
whatever the buttons showed; actions are POST only; writes go through the services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from connections.access import (
    OPERATE,
    VIEW,
    connection_for_user,
    need_for,
    role_allows,
    tenant_require_role,
)
from connections.forms import ConnectionNameForm
from connections.models import Connection

from . import selectors
from .models import Order, OrderError
from .services.fetch_requests import order_reimport as order_reimport_service

ORDERS_PER_PAGE = 50
LOG_ENTRIES_SHOWN = 200
# The filters the order screens offer (OrderFilter has more, for the API).
ORDER_FILTERS = ("connection", "status", "hub_status", "has_errors", "q")


def _order_for(request, pk: int, *, need: str = VIEW):
    order = get_object_or_404(
        selectors.orders_visible_to(user=request.user)
        .select_related("tenant")
        .only("pk", "tenant"),
        pk=pk,
    )
    membership = tenant_require_role(request, tenant=order.tenant, need=need)
    if request.tenancy.tenant != order.tenant:
        request.tenancy.switch(order.tenant)
    return order, membership


def _listed(request, select, *, names, **forced):
    """A page's list through its selector, filtered by the query's `names` (and `forced`);
    a filter value that is not valid is said and the unfiltered list shown."""
    filters = {name: request.GET[name] for name in names if request.GET.get(name, "") != ""}
    filters.update(forced)
    try:
        return select(filters=filters), filters
    except ValidationError as exc:
        messages.error(
            request, "These filters are not valid and were left out: " + " ".join(exc.messages)
        )
        return select(filters=forced), forced


def _orders_context(request, *, tenant, connections, connection=None) -> dict:
    forced = {"connection": connection.pk} if connection is not None else {}
    queryset, filters = _listed(
        request,
        lambda filters: selectors.order_list(user=request.user, tenant=tenant, filters=filters),
        names=ORDER_FILTERS,
        **forced,
    )
    page = Paginator(queryset, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    shown = [connection] if connection is not None else connections
    if connection is None and filters.get("connection"):
        shown = [c for c in connections if str(c.pk) == str(filters["connection"])] or connections
    return {
        "page": page,
        "orders": list(page.object_list),
        "filters": {name: str(request.GET.get(name, "")) for name in ORDER_FILTERS},
        "filtered": any(name in filters for name in ORDER_FILTERS if name not in forced),
        "connections": connections,
        "statuses": selectors.order_status_choices(connections=shown),
        "hub_statuses": Order.HubStatus.choices,
        "nav": "orders",
    }


@login_required
@require_GET
def order_list(request):
    """Orders: the current tenant's orders of every connection."""
    tenant = request.tenancy.tenant
    if tenant is None:
        return render(request, "orders/list.html", {"nav": "orders", "no_tenant": True})
    connections = list(Connection.objects.filter(tenant=tenant).order_by("name", "id"))
    context = _orders_context(request, tenant=tenant, connections=connections)
    context["open_errors"] = OrderError.objects.filter(
        connection__tenant=tenant, resolved_at__isnull=True
    ).count()
    return render(request, "orders/list.html", context)


@login_required
@require_GET
def order_page(request, pk: int):
    order, membership = _order_for(request, pk)
    order = selectors.order_detail(
        queryset=selectors.orders_visible_to(user=request.user), pk=order.pk
    )
    entries = list(selectors.order_log_entries(order=order)[:LOG_ENTRIES_SHOWN])
    shipping = [a for a in order.addresses.all() if a.kind == "shipping"]
    billing = next((a for a in order.addresses.all() if a.kind == "billing"), None)
    shipments = list(order.shipments.all())
    waiting = (
        not order.connection.allow_partial_shipments and order.hub_status != Order.HubStatus.SHIPPED
    )
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "status_label": order.connection.status_label(order.status_id),
            "lines": list(order.lines.all()),
            "shipping_addresses": shipping,
            "billing": billing,
            "shipments": shipments,
            "waiting_for_whole_order": waiting,
            "errors": list(order.errors.all()),
            "entries": entries,
            "entries_truncated": len(entries) == LOG_ENTRIES_SHOWN,
            "can_operate": role_allows(membership=membership, need=OPERATE),
            "nav": "orders",
            "pending_reimport": order.connection.order_fetch_requests.filter(
                bc_order_id=order.bc_order_id
            ).exists(),
        },
    )


@login_required
@require_POST
def order_reimport(request, pk: int):
    order, _ = _order_for(request, pk, need=need_for("order.reimport"))
    order = Order.objects.select_related("connection").get(pk=order.pk)
    try:
        order_reimport_service(order=order)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Order {order.bc_order_id} will be fetched again from BigCommerce by the next Order "
            "Import run (queued now).",
        )
    return redirect("order-detail", pk=order.pk)


# ----------------------------------------------------------------------------- connection tab


@login_required
@require_GET
def connection_orders(request, pk: int):
    """The Orders tab of a connection: its orders and its open errors."""
    connection, membership = connection_for_user(request, pk)
    context = _orders_context(
        request, tenant=connection.tenant, connections=[connection], connection=connection
    )
    context.update(
        {
            "connection": connection,
            "membership": membership,
            "can_operate": membership.can_operate,
            "can_manage": membership.can_manage,
            "is_deleting": connection.status == Connection.Status.DELETING,
            "tab": "orders",
            "name_form": ConnectionNameForm(initial={"name": connection.name}),
            "open_errors": OrderError.objects.filter(
                connection=connection, resolved_at__isnull=True
            ).count(),
            "nav": "",
        }
    )
    return render(request, "orders/connection_orders.html", context)
