"""The set-up checklist on a new connection's General tab (registered with connections.hooks),
the same steps and buttons as its dashboard card; gone once every step is done."""

from django.template.loader import render_to_string

from connections.access import tenant_membership
from connections.alerts.selectors import alerts_open

from .cards import connection_cards, tenant_connections


def setup_panel(request, connection) -> str:
    connections = list(
        tenant_connections(user=request.user, tenant=connection.tenant).filter(pk=connection.pk)
    )
    if not connections:  # being deleted
        return ""
    cards = connection_cards(
        connections=connections,
        alerts=list(alerts_open(tenant=connection.tenant, connection=connection)),
        membership=tenant_membership(request, tenant=connection.tenant),
    )
    if cards[0].set_up:
        return ""
    return render_to_string("dashboard/_setup_panel.html", {"card": cards[0]}, request=request)
