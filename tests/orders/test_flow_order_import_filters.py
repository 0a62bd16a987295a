"""Order Import applies the connection's order filters (statuses, min order id, created after or
within days, archived orders), and their changes from the next run without losing orders; every
exchange is checked against the official OpenAPI specs (`contract`)."""

import pytest

from connections.bigcommerce.dates import parse_date
from dataflows.models import Dataflow
from orders.flows import ORDER_IMPORT
from orders.models import Order
from tests.orders.helpers import (
    again,
    error_ids,
    expected_ids,
    hub_ids,
    run_flow,
)

pytestmark = pytest.mark.usefixtures("enqueued")


def test_every_filter_is_applied(store, store_client, sandbox_settings, contract):
    sandbox = sandbox_settings
    sandbox.reset(orders=400)
    all_9 = sandbox.get_all_orders(status_id=9)
    created = sorted(parse_date(o["date_created"]) for o in all_9)
    after = created[len(created) // 3]
    min_id = sorted(o["id"] for o in all_9)[len(all_9) // 4]
    store.order_status_filter = [9]
    store.import_min_order_id = min_id
    store.import_created_after = after
    store.save()

    run_flow(store, client=store_client)

    expected = {
        o["id"] for o in all_9 if o["id"] > min_id and parse_date(o["date_created"]) >= after
    }
    assert expected and hub_ids(store) | error_ids(store) == expected


def test_only_orders_created_within_the_last_days_when_set(
    store, store_client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    Dataflow.objects.filter(connection=store, kind=ORDER_IMPORT).update(
        options={"created_within_days": 7}
    )
    variant = int(next(iter(sandbox.inventory()["variants"])))
    recent = sandbox.create_order(lines=[{"variant_id": variant, "quantity": 1}])

    run_flow(store, client=store_client)

    assert hub_ids(store) == {recent["id"]}  # the seeded orders are from 2024


def test_archived_orders_only_when_enabled(store, store_client, sandbox_settings, contract):
    sandbox = sandbox_settings
    sandbox.reset(orders=600)
    archived = expected_ids(sandbox, is_deleted="true")
    assert archived

    run_flow(store, client=store_client)
    assert not (hub_ids(store) | error_ids(store)) & archived

    store.import_archived_orders = True
    store.save()
    again(store, sandbox, contract)

    assert (hub_ids(store) | error_ids(store)) >= archived
    assert all(o.is_archived for o in Order.objects.filter(bc_order_id__in=archived))


def test_setting_changes_apply_from_the_next_run_without_losing_orders(
    store, store_client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    sandbox.reset(orders=400)
    store.order_status_filter = [11]
    store.import_min_order_id = 300
    store.save()
    run_flow(store, client=store_client)
    assert hub_ids(store) | error_ids(store) == expected_ids(sandbox, [11], min_id=301)

    # A status added and the min id lowered: those orders come, though none changed.
    store.order_status_filter = [11, 9]
    store.import_min_order_id = None
    store.save()
    again(store, sandbox, contract)
    assert hub_ids(store) | error_ids(store) == expected_ids(sandbox, [11, 9])

    # A status removed, an order of it placed meanwhile (modified long ago), the status put
    # back: the order is not lost.
    store.order_status_filter = [11]
    store.save()
    again(store, sandbox, contract)
    variant = int(next(iter(sandbox.inventory()["variants"])))
    late = sandbox.create_order(
        status_id=9,
        lines=[{"variant_id": variant, "quantity": 1}],
        date_created="2024-02-01T00:00:00Z",
        date_modified="2024-02-01T00:00:00Z",
    )
    again(store, sandbox, contract)
    assert late["id"] not in hub_ids(store)
    store.order_status_filter = [11, 9]
    store.save()
    again(store, sandbox, contract)
    assert late["id"] in hub_ids(store)
