from django import template

from orders.selectors import open_error_count

register = template.Library()


@register.simple_tag
def open_order_errors(connection) -> int:
    """Open order errors of a connection (the connection page's Orders tab shows the count)."""
    return open_error_count(connection=connection)
