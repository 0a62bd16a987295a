"""The orders screens (server-rendered): the tenant-wide Orders page, an order's page (lines,
addresses, shipments, errors, the log of every run that touched it, "re-import this order"),
the Order errors page (retry, ignore with a reason, one by one or selected), and the Orders
tab of a connection.

The rules of the CONNECTIONS screens hold here too: anonymous users go to the log-in page;
another tenant's orders and errors are a 404; a read-only role gets a 403 for any action
whatever the buttons showed; actions are POST only; writes go through the services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from connections.forms import ConnectionNameForm
from connections.models import ORDER_STATUSES, Connection, Membership
from connections.selectors import connections_visible_to, membership_for

from . import services
from .models import Order, OrderError
from .selectors import (
    order_detail,
    order_errors_visible_to,
    order_log_entries,
    orders_for_list,
    orders_visible_to,
)

ORDERS_PER_PAGE = 50
ERRORS_PER_PAGE = 50
LOG_ENTRIES_SHOWN = 200
REFUSED = "Your role in this tenant is read-only: ask an operator or a manager."
ERROR_STATES = {"open": "Open", "ignored": "Ignored", "resolved": "Resolved", "all": "All"}


def _can_operate(membership: Membership | None) -> bool:
    return bool(membership and membership.can_operate)


def _membership(request, tenant) -> Membership:
    membership = membership_for(user=request.user, tenant=tenant)
    if membership is None:
        raise Http404
    if request.tenancy.tenant != tenant:
        request.tenancy.switch(tenant)
    return membership


def _order_for(request, pk: int) -> tuple[Order, Membership]:
    order = get_object_or_404(orders_visible_to(user=request.user).only("pk", "tenant"), pk=pk)
    return order, _membership(request, order.tenant)


def _filter_orders(queryset, params) -> tuple:
    filters = {
        "connection": params.get("connection", ""),
        "status": params.get("status", ""),
        "hub_status": params.get("hub_status", ""),
        "errors": params.get("errors", ""),
        "q": (params.get("q") or "").strip(),
    }
    if filters["connection"].isdigit():
        queryset = queryset.filter(connection_id=int(filters["connection"]))
    if filters["status"].isdigit():
        queryset = queryset.filter(status_id=int(filters["status"]))
    if filters["hub_status"] in Order.HubStatus.values:
        queryset = queryset.filter(hub_status=filters["hub_status"])
    if filters["errors"] == "yes":
        queryset = queryset.filter(has_errors=True)
    elif filters["errors"] == "no":
        queryset = queryset.filter(has_errors=False)
    q = filters["q"]
    if q:
        match = Q(email__icontains=q) | Q(customer__company__icontains=q)
        if q.lstrip("#").isdigit():
            match |= Q(bc_order_id=int(q.lstrip("#")))
        queryset = queryset.filter(match)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return queryset, filters, query


def _orders_context(request, queryset, connections) -> dict:
    queryset, filters, query = _filter_orders(
        orders_for_list(queryset=queryset).order_by("-date_created", "-id"), request.GET
    )
    page = Paginator(queryset, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "orders": list(page.object_list),
        "filters": filters,
        "filter_query": query,
        "connections": connections,
        "statuses": sorted(ORDER_STATUSES.items()),
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
    context = _orders_context(request, Order.objects.filter(tenant=tenant), connections)
    context["open_errors"] = OrderError.objects.filter(
        connection__tenant=tenant, resolved_at__isnull=True
    ).count()
    return render(request, "orders/list.html", context)


@login_required
@require_GET
def order_page(request, pk: int):
    order, membership = _order_for(request, pk)
    order = order_detail(queryset=orders_visible_to(user=request.user), pk=order.pk)
    entries = list(order_log_entries(order=order)[:LOG_ENTRIES_SHOWN])
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
            "can_operate": _can_operate(membership),
            "nav": "orders",
            "pending_reimport": order.connection.order_fetch_requests.filter(
                bc_order_id=order.bc_order_id
            ).exists(),
        },
    )


@login_required
@require_POST
def order_reimport(request, pk: int):
    order, membership = _order_for(request, pk)
    if not _can_operate(membership):
        raise PermissionDenied(REFUSED)
    order = Order.objects.select_related("connection").get(pk=order.pk)
    try:
        services.order_reimport(order=order)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Order {order.bc_order_id} will be fetched again from BigCommerce by the next Order "
            "Import run (queued now).",
        )
    return redirect("order-detail", pk=order.pk)


# ----------------------------------------------------------------------------- errors


def _errors_context(request, queryset) -> dict:
    state = request.GET.get("state") or "open"
    code = request.GET.get("code", "")
    connection = request.GET.get("connection", "")
    if state == "open":
        queryset = queryset.filter(resolved_at__isnull=True)
    elif state == "ignored":
        queryset = queryset.filter(resolution=OrderError.Resolution.IGNORED)
    elif state == "resolved":
        queryset = queryset.filter(resolution=OrderError.Resolution.RESOLVED)
    if code in OrderError.Code.values:
        queryset = queryset.filter(code=code)
    if connection.isdigit():
        queryset = queryset.filter(connection_id=int(connection))
    queryset = queryset.select_related("connection", "order").defer(
        "connection__access_token", "order__raw"
    )
    page = Paginator(queryset.order_by("-last_seen_at", "-id"), ERRORS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = "&".join(
        f"{k}={v}" for k, v in (("state", state), ("code", code), ("connection", connection)) if v
    )
    return {
        "page": page,
        "errors": list(page.object_list),
        "state": state,
        "code": code,
        "connection_filter": connection,
        "states": ERROR_STATES,
        "codes": OrderError.Code.choices,
        "filter_query": query,
        "nav": "orders",
    }


@login_required
@require_GET
def order_error_list(request):
    """Order errors of the current tenant: retry or ignore them, one by one or selected."""
    tenant = request.tenancy.tenant
    if tenant is None:
        return render(request, "orders/errors.html", {"nav": "orders", "no_tenant": True})
    context = _errors_context(request, OrderError.objects.filter(connection__tenant=tenant))
    context["connections"] = list(Connection.objects.filter(tenant=tenant).order_by("name"))
    context["can_operate"] = request.tenancy.can_operate
    context["counts"] = dict(
        OrderError.objects.filter(connection__tenant=tenant, resolved_at__isnull=True)
        .values_list("code")
        .annotate(n=Count("id"))
    )
    return render(request, "orders/errors.html", context)


@login_required
@require_POST
def order_error_action(request, action: str):
    """Retry or ignore (with a reason) the selected errors (`ids`), from any error list."""
    if action not in ("retry", "ignore"):
        raise Http404
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("order-errors")
    try:
        ids = {int(value) for value in request.POST.getlist("ids")}
    except ValueError as exc:
        raise Http404 from exc
    errors = list(
        order_errors_visible_to(user=request.user)
        .filter(pk__in=ids)
        .select_related("connection__tenant")
    )
    if len(errors) != len(ids):
        raise Http404
    for tenant in {e.connection.tenant_id: e.connection.tenant for e in errors}.values():
        if not _can_operate(membership_for(user=request.user, tenant=tenant)):
            raise PermissionDenied(REFUSED)
    if not errors:
        messages.error(request, f"Select the errors to {action}.")
        return redirect(back)
    try:
        if action == "retry":
            count = services.order_errors_retry(errors=errors)
            text = (
                f"{count} error{'s' if count != 1 else ''} will be retried: the orders are "
                "fetched again by the next Order Import run (queued now)."
            )
        else:
            count = services.order_errors_ignore(
                errors=errors, reason=request.POST.get("reason", ""), user=request.user
            )
            text = f"{count} error{'s' if count != 1 else ''} ignored."
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    if count:
        messages.success(request, text)
    else:
        messages.info(request, "The selected errors are resolved or ignored already.")
    return redirect(back)


# ----------------------------------------------------------------------------- connection tab


@login_required
@require_GET
def connection_orders(request, pk: int):
    """The Orders tab of a connection: its orders and its open errors."""
    connection = get_object_or_404(
        connections_visible_to(user=request.user).select_related("tenant"), pk=pk
    )
    membership = _membership(request, connection.tenant)
    context = _orders_context(request, Order.objects.filter(connection=connection), [])
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
