"""Orders' alert: orders kept out of the hub by blocking errors (orders.alerts)."""

from django.utils import timezone

from connections.alerts.checks import checks_run
from connections.alerts.models import Alert
from orders.models import OrderError

BLOCKED = Alert.Condition.BLOCKING_ORDER_ERRORS


def error(connection, bc_order_id, code):
    now = timezone.now()
    return OrderError.objects.create(
        connection=connection, bc_order_id=bc_order_id, code=code, message="...",
        first_seen_at=now, last_seen_at=now,
    )  # fmt: skip


def test_blocking_errors_open_one_alert_that_counts_them_by_cause(connection, other_connection):
    error(connection, 1, OrderError.Code.UNKNOWN_SKU)
    error(connection, 2, OrderError.Code.UNKNOWN_SKU)
    error(connection, 3, OrderError.Code.MISSING_SHIPPING_ADDRESS)
    error(connection, 4, OrderError.Code.TRACKING_OFF)  # a warning: the order is in the hub

    checks_run(connection=connection, after_kind="order_import")
    checks_run(connection=connection, after_kind="order_import")

    alert = Alert.objects.get()
    assert (alert.condition, alert.connection, alert.occurrences) == (BLOCKED, connection, 2)
    assert alert.message == (
        "3 order(s) cannot be imported (2 unknown sku, 1 missing shipping address)."
    )
    assert "Orders tab" in alert.action


def test_warnings_alone_alert_nothing(connection):
    error(connection, 4, OrderError.Code.TRACKING_OFF)
    checks_run(connection=connection, after_kind="order_import")
    assert not Alert.objects.exists()


def test_the_alert_resolves_once_no_blocking_error_is_open(connection):
    blocking = error(connection, 1, OrderError.Code.UNKNOWN_SKU)
    checks_run(connection=connection, after_kind="order_import")
    OrderError.objects.filter(pk=blocking.pk).update(resolved_at=timezone.now())

    checks_run(connection=connection, periodic=True)

    assert Alert.objects.get().state == Alert.State.RESOLVED


def test_runs_of_other_kinds_do_not_check_orders(connection):
    error(connection, 1, OrderError.Code.UNKNOWN_SKU)
    checks_run(connection=connection, after_kind="product_match")
    assert not Alert.objects.exists()
