"""``{% audit_panel connection %}``: the connection's audit trail on its General tab."""

from django import template

from connections.audit import PANEL_EVENTS, audit_events_for_connection

register = template.Library()


@register.inclusion_tag("connections/_audit_panel.html")
def audit_panel(connection):
    return {"events": audit_events_for_connection(connection=connection)[:PANEL_EVENTS]}
