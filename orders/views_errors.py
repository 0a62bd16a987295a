"""The Order errors page: the errors grouped by cause (blocking first, unknown SKUs and
tracking off by SKU too), each group with its explanation and action; the list below; retry or
ignore one by one, the selected ones or every error of the filter; and the CSV export of the
filtered errors (streamed).

The rules of the orders screens hold: another tenant's errors are never listed nor exported,
and their ids in a POST are a 404; a read-only role gets a 403 for any action."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from connections.access import need_for, tenant_require_role
from connections.models import Connection
from connections.validators import MAX_BIGINT
from connections.views.common import next_url

from . import error_causes, selectors
from .filters import OrderErrorFilter
from .models import OrderError
from .services.errors import order_errors_ignore, order_errors_retry

ERRORS_PER_PAGE = 50
SKUS_SHOWN = 30
# The query parameters that filter the page, its groups, its CSV and "every error of the filter".
ERROR_FILTERS = ("state", "code", "connection", "severity", "sku")
CSV_COLUMNS = (
    "error id",
    "connection",
    "BigCommerce order id",
    "hub order id",
    "severity",
    "error",
    "state",
    "message",
    "occurrences",
    "first seen",
    "last seen",
    "resolution note",
)


def _errors_of_filter(request, *, tenant, source, blocking_first=True):
    """(queryset, filters applied) of the tenant's errors by the filter named in `source` (the
    query, or a POST of "every error of the filter"); the state is open unless said. A filter
    value that is not valid is said and left out."""
    filters = {name: source[name] for name in ERROR_FILTERS if source.get(name, "") != ""}
    filters.setdefault("state", "open")
    try:
        queryset = selectors.order_error_list(
            user=request.user, tenant=tenant, filters=filters, blocking_first=blocking_first
        )
    except ValidationError as exc:
        messages.error(
            request, "These filters are not valid and were left out: " + " ".join(exc.messages)
        )
        filters = {"state": "open"}
        queryset = selectors.order_error_list(
            user=request.user, tenant=tenant, filters=filters, blocking_first=blocking_first
        )
    return queryset, filters


def _group_links(groups, *, filters) -> None:
    """Each group's links: its errors in the list, its SKUs' errors, the catalog."""
    base = {k: v for k, v in filters.items() if k not in ("code", "sku", "severity")}
    for group in groups:
        group.filter = {**base, "code": group.code}
        group.catalog_url = ""
        if group.cause.link == "catalog":
            group.catalog_url = reverse("catalog")
        elif group.cause.link == "catalog_tracking_off":
            group.catalog_url = reverse("catalog") + "?show=tracking_off"
        group.skus_shown = group.skus[:SKUS_SHOWN]
        group.skus_more = max(0, len(group.skus) - SKUS_SHOWN)


@login_required
@require_GET
def order_error_list(request):
    """Order errors of the current tenant, grouped by cause: retry or ignore them, one by one,
    selected, or every error of the filter; export them as CSV."""
    tenant = request.tenancy.tenant
    if tenant is None:
        return render(request, "orders/errors.html", {"nav": "orders", "no_tenant": True})
    queryset, filters = _errors_of_filter(request, tenant=tenant, source=request.GET)
    page = Paginator(queryset, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    groups = selectors.order_error_groups(queryset=queryset)
    _group_links(groups, filters=filters)
    errors = list(page.object_list)
    for error in errors:
        error.severity = error_causes.severity_of(error.code)
    context = {
        "page": page,
        "errors": errors,
        "groups": groups,
        "blocking_groups": [g for g in groups if g.is_blocking],
        "warning_groups": [g for g in groups if not g.is_blocking],
        "filters": filters,
        "filtered_query": urlencode(filters),
        "state": filters.get("state", "open"),
        "code": filters.get("code", ""),
        "severity": filters.get("severity", ""),
        "sku": filters.get("sku", ""),
        "connection_filter": str(filters.get("connection", "")),
        "states": dict(OrderErrorFilter.STATES),
        "severities": error_causes.SEVERITIES,
        "codes": OrderError.Code.choices,
        "connections": list(Connection.objects.filter(tenant=tenant).order_by("name")),
        "can_operate": request.tenancy.can_operate,
        "counts": dict(
            OrderError.objects.filter(connection__tenant=tenant, resolved_at__isnull=True)
            .values_list("code")
            .annotate(n=Count("id"))
        ),
        "nav": "orders",
    }
    return render(request, "orders/errors.html", context)


def _selected_errors(request) -> list[OrderError]:
    """The errors a POST names: `ids`, or with `all` every error of the filter it repeats
    (the current tenant's, open ones only). Another tenant's id is a 404."""
    if request.POST.get("all"):
        tenant = request.tenancy.tenant
        if tenant is None:
            raise Http404
        queryset, _ = _errors_of_filter(
            request, tenant=tenant, source=request.POST, blocking_first=False
        )
        return list(queryset.filter(resolved_at__isnull=True).select_related("connection__tenant"))
    try:
        ids = {int(value) for value in request.POST.getlist("ids")}
    except ValueError as exc:
        raise Http404 from exc
    if any(not 0 < pk <= MAX_BIGINT for pk in ids):
        raise Http404  # no such error; never an id the database cannot compare
    errors = list(
        selectors.order_errors_visible_to(user=request.user)
        .filter(pk__in=ids)
        .select_related("connection__tenant")
    )
    if len(errors) != len(ids):
        raise Http404
    return errors


@login_required
@require_POST
def order_error_action(request, action: str):
    """Retry or ignore (with a reason) the selected errors (`ids`, or `all` of a filter)."""
    if action not in ("retry", "ignore"):
        raise Http404
    back = next_url(request, reverse("order-errors"))
    if request.POST.get("all") and request.tenancy.tenant is not None:
        tenant_require_role(
            request, tenant=request.tenancy.tenant, need=need_for(f"order_error.{action}")
        )
    errors = _selected_errors(request)
    for tenant in {e.connection.tenant_id: e.connection.tenant for e in errors}.values():
        tenant_require_role(request, tenant=tenant, need=need_for(f"order_error.{action}"))
    if not errors:
        messages.error(request, f"Select the errors to {action}.")
        return redirect(back)
    try:
        if action == "retry":
            count = order_errors_retry(errors=errors)
            text = (
                f"{count} error{'s' if count != 1 else ''} will be retried: the orders are "
                "fetched again by the next Order Import run (queued now)."
            )
        else:
            count = order_errors_ignore(
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


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_GET
def order_error_export(request):
    """The filtered errors of the current tenant as CSV (the page's filter), streamed."""
    tenant = request.tenancy.tenant
    if tenant is None:
        raise Http404
    queryset, _ = _errors_of_filter(request, tenant=tenant, source=request.GET)
    labels = dict(OrderError.Code.choices)
    states = dict(OrderErrorFilter.STATES)
    rows = queryset.values_list(
        "pk",
        "connection__name",
        "bc_order_id",
        "order_id",
        "code",
        "resolved_at",
        "resolution",
        "retry_requested_at",
        "message",
        "occurrences",
        "first_seen_at",
        "last_seen_at",
        "resolution_note",
    )

    def lines():
        writer = csv.writer(_Echo())
        yield writer.writerow(CSV_COLUMNS)
        for row in rows.iterator(chunk_size=2000):
            pk, name, bc_id, order_id, code, resolved, resolution, retry, *rest = row
            message, occurrences, first, last, note = rest
            if resolved is None:
                state = "retrying" if retry else "open"
            else:
                state = resolution or "resolved"
            yield writer.writerow(
                [
                    pk,
                    _cell(name),
                    bc_id,
                    order_id or "",
                    error_causes.severity_of(code),
                    labels.get(code, code),
                    states.get(state, state).lower(),
                    _cell(message),
                    occurrences,
                    first.isoformat(),
                    last.isoformat(),
                    _cell(note),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="order-errors-{stamp}.csv"'
    return response
