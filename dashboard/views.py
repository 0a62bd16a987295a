"""The dashboard: per connection its dataflows' state, last order, webhook health and set-up
checklist; the tenant's open alerts at the top; the charts below."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from connections.access import connection_for_user, tenant_membership
from connections.alerts.selectors import alerts_open

from .cards import dashboard_cards, tenant_connections
from .charts.series import dashboard_charts
from .charts.svg import chart_html

# Cards the tenant's dashboard shows at most (a tenant with 1,000 stores reads them on the
# CONNECTIONS list, in pages; the dashboard keeps those that need attention).
CARDS_SHOWN = 24


def _page(request, *, tenant, connection=None, charts: bool = True) -> dict:
    membership = tenant_membership(request, tenant=tenant)
    alerts = list(alerts_open(tenant=tenant, connection=connection))
    connections = tenant_connections(user=request.user, tenant=tenant)
    if connection is not None:
        connections = connections.filter(pk=connection.pk)
    connections = list(connections)
    shown, hidden = dashboard_cards(
        connections=connections, alerts=alerts, membership=membership, limit=CARDS_SHOWN
    )
    drawn = dashboard_charts(connections=connections, now=timezone.now()) if charts else []
    return {
        "charts": [chart_html(chart) for chart in drawn] if connections else [],
        # Refreshed every few seconds while a run is queued or running (progress, time left).
        "live": any(s.running or s.queued for card in shown for s in card.flows),
        "nav": "dashboard",
        "tenant": tenant,
        "alerts": alerts,
        "cards": shown,
        "cards_hidden": len(hidden),
        "cards_hidden_attention": sum(card.needs_attention for card in hidden),
        "focus": connection,
    }


@login_required
@require_GET
def dashboard(request):
    """The current tenant's home page."""
    tenant = request.tenancy.tenant
    if tenant is None:
        return render(request, "dashboard/home.html", {"nav": "dashboard", "no_tenant": True})
    return _render(request, tenant=tenant)


@login_required
@require_GET
def dashboard_connection(request, pk: int):
    """The dashboard of one connection (another tenant's is a 404)."""
    connection, _ = connection_for_user(request, pk)
    return _render(request, tenant=connection.tenant, connection=connection)


def _render(request, *, tenant, connection=None):
    if request.GET.get("partial") == "cards":  # the live refresh: the cards only
        context = _page(request, tenant=tenant, connection=connection, charts=False)
        return render(request, "dashboard/_cards.html", context)
    context = _page(request, tenant=tenant, connection=connection)
    return render(request, "dashboard/home.html", context)
