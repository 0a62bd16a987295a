"""Orders' part of the CONNECTIONS list: a connection with unresolved order errors is flagged."""

from django.db.models import Exists, OuterRef

from connections.hooks import error_flag_register


def open_order_errors_flag() -> Exists:
    from .models import OrderError

    return Exists(OrderError.objects.filter(connection=OuterRef("pk"), resolved_at__isnull=True))


def register() -> None:
    error_flag_register(open_order_errors_flag)
