"""Orders' alert condition: orders kept out of the hub by blocking errors (see
connections.alerts.checks). Checked after each Order Import / Order Update run and by the
periodic alerts task (an error ignored on the screen clears it there)."""

from django.db.models import Count

from connections.alerts.checks import ConditionCheck, Finding, check_register
from connections.alerts.models import Alert
from connections.models import Connection

from .flows.kinds import ORDER_IMPORT, ORDER_UPDATE


def blocking_errors_check(connection: Connection) -> list[Finding]:
    from .models import OrderError

    counts = dict(
        OrderError.objects.filter(
            connection=connection, resolved_at__isnull=True, code__in=OrderError.BLOCKING
        )
        .values_list("code")
        .annotate(orders=Count("bc_order_id", distinct=True))
        .values_list("code", "orders")
    )
    if not counts:
        return []
    total = sum(counts.values())
    labels = dict(OrderError.Code.choices)
    causes = ", ".join(
        f"{count} {labels.get(code, code).lower()}"
        for code, count in sorted(counts.items(), key=lambda item: -item[1])
    )
    return [
        Finding(
            message=f"{total} order(s) cannot be imported ({causes}).",
            action="Open the connection's Orders tab, fix each error's cause (e.g. create the "
            "missing SKUs in the hub, correct the address in BigCommerce), then retry them.",
        )
    ]


def register() -> None:
    check_register(
        ConditionCheck(
            condition=Alert.Condition.BLOCKING_ORDER_ERRORS,
            name="orders.blocking_errors",
            check=blocking_errors_check,
            after_kinds=(ORDER_IMPORT, ORDER_UPDATE),
            periodic=True,
        )
    )
