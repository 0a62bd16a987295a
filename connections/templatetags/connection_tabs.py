"""`{% connection_tabs connection as tabs %}`: the tabs the layers above registered
(connections.hooks.tab_register), for the connection page's tab bar whatever view renders it."""

from django import template

from ..hooks import tabs

register = template.Library()


@register.simple_tag(takes_context=True)
def connection_tabs(context, connection):
    return tabs(context.get("request"), connection)
