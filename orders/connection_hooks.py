"""Orders' parts of the CONNECTIONS screens (see connections.hooks): a connection with
unresolved order errors is flagged in the list, and the Orders tab's count of open errors
refreshes with the connection page's live fragments."""

from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string

from connections.hooks import error_flag_register, live_part_register


def open_order_errors_flag() -> Exists:
    from .models import OrderError

    return Exists(OrderError.objects.filter(connection=OuterRef("pk"), resolved_at__isnull=True))


def orders_tab_badge(request, connection) -> str:
    return render_to_string("orders/_tab_badge.html", {"connection": connection}, request=request)


def register() -> None:
    error_flag_register(open_order_errors_flag)
    live_part_register(orders_tab_badge)
