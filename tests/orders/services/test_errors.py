"""Retrying and ignoring order errors."""

import pytest
from django.core.exceptions import ValidationError

from orders.models import OrderError, OrderFetchRequest
from orders.services.errors import order_errors_ignore, order_errors_retry
from tests.orders.helpers import importer, line, order_payload


def test_ignoring_needs_a_reason(connection, products):
    importer(connection).import_page([order_payload(101, lines=[line(sku="X")])])
    with pytest.raises(ValidationError):
        order_errors_ignore(errors=OrderError.objects.all(), reason="  ")


def test_retrying_asks_the_next_import_for_the_orders(
    connection, products, queued, django_capture_on_commit_callbacks
):
    importer(connection).import_page(
        [order_payload(101, lines=[line(sku="X")]), order_payload(102, lines=[line(sku="Y")])]
    )

    with django_capture_on_commit_callbacks(execute=True):
        count = order_errors_retry(errors=OrderError.objects.select_related("connection"))

    assert count == 2
    assert queued == [(connection.pk, "order_import")]
    assert set(OrderFetchRequest.objects.values_list("bc_order_id", "reason")) == {
        (101, "retry"),
        (102, "retry"),
    }
    assert all(e.retry_requested_at for e in OrderError.objects.all())
    assert all(e.state == "retrying" for e in OrderError.objects.all())
