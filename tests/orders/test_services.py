"""The order import's rules, page by page, with BigCommerce payloads built in the test (no
network): upsert, filters, errors, customers, reservations, edits and cancellations."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product, ProductLink
from orders.models import Address, Customer, Order, OrderError, OrderFetchRequest, OrderLine
from orders.normalize import normalize_order
from orders.services import (
    ImportFilter,
    OrderImporter,
    carrier_code,
    import_filter_for,
    order_errors_ignore,
    order_errors_retry,
    orders_delete_for_connection,
    products_recount_reserved,
    shipment_create,
)
from tests.fixtures.tenants import make_connection
from tests.orders.helpers import address, line, link, order_payload

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def products(tenant):
    return {
        sku: Product.objects.create(tenant=tenant, sku=sku, on_hand=50)
        for sku in ("SKU-1", "SKU-2", "SKU-3")
    }


class Log(list):
    def __call__(self, message, level, bc_order_id):
        self.append((level, bc_order_id, message))

    def text(self):
        return "\n".join(m for _, _, m in self)


@pytest.fixture
def log():
    return Log()


def importer(connection, log=None, **kwargs):
    return OrderImporter(connection=connection, log=log, **kwargs)


def reserved(product):
    product.refresh_from_db()
    return product.reserved_by_orders


# ----------------------------------------------------------------------------- new orders


def test_a_new_order_is_imported_with_lines_addresses_and_customer(connection, products, log):
    payload = order_payload(
        101,
        lines=[line(sku="SKU-1", quantity=2, line_id=11), line(sku="SKU-2", line_id=12)],
        customer_message="Leave at the door",
    )

    result = importer(connection, log).import_page([payload])

    assert (result.created, result.failed) == (1, 0)
    order = Order.objects.get()
    assert order.bc_order_id == 101 and order.connection == connection
    assert order.tenant == connection.tenant
    assert order.hub_status == Order.HubStatus.OPEN
    assert order.date_created == T0
    assert order.raw == payload and order.customer_message == "Leave at the door"
    assert [(ln.bc_line_id, ln.sku, ln.quantity, ln.product.sku) for ln in order.lines.all()] == [
        (11, "SKU-1", 2, "SKU-1"),
        (12, "SKU-2", 1, "SKU-2"),
    ]
    kinds = sorted(order.addresses.values_list("kind", "zip"))
    assert kinds == [("billing", "78701"), ("shipping", "78701")]
    assert order.customer.email == "jane.doe@example.com"
    assert order.customer.kind == Customer.Kind.PERSON
    assert reserved(products["SKU-1"]) == 2 and reserved(products["SKU-2"]) == 1
    assert "Order 101 imported: 2 line(s)" in log.text()


def test_a_company_billing_address_makes_a_company_customer(connection, products):
    importer(connection).import_page(
        [order_payload(101, billing=address(company="Acme Pty Ltd", email="Buyer@Acme.test"))]
    )
    customer = Customer.objects.get()
    assert (customer.kind, customer.company, customer.email) == (
        Customer.Kind.COMPANY,
        "Acme Pty Ltd",
        "buyer@acme.test",
    )
    assert customer.display_name == "Acme Pty Ltd (Jane Doe)"


def test_customers_are_matched_by_email_across_the_tenants_connections(
    tenant, connection, products
):
    second = make_connection(tenant, name="Second store", store_hash="second1")
    importer(connection).import_page([order_payload(101)])
    importer(second).import_page(
        [order_payload(555, billing=address(email="JANE.DOE@example.com"))]
    )

    assert Customer.objects.count() == 1
    assert set(Order.objects.values_list("customer", flat=True)) == {Customer.objects.get().pk}


def test_a_company_customer_stays_a_company_when_a_later_order_has_no_company(connection, products):
    importer(connection).import_page([order_payload(101, billing=address(company="Acme"))])
    importer(connection).import_page([order_payload(102)])
    assert Customer.objects.get().kind == Customer.Kind.COMPANY


def test_guest_orders_without_an_email_have_no_customer(connection, products):
    importer(connection).import_page([order_payload(101, billing=address(email=""))])
    assert Order.objects.get().customer is None


def test_orders_outside_the_filters_are_skipped(connection, products, log):
    payloads = [
        order_payload(101, status_id=10),
        order_payload(102, is_deleted=True),
        order_payload(103, created=T0 - timedelta(days=40)),
        order_payload(104),
        order_payload(90),
    ]
    flt = ImportFilter(
        status_ids=frozenset({11, 5}), min_order_id=100, created_from=T0 - timedelta(days=30)
    )

    result = importer(connection, log, import_filter=flt).import_page(payloads)

    assert (result.created, result.skipped) == (1, 4)
    assert list(Order.objects.values_list("bc_order_id", flat=True)) == [104]


def test_archived_orders_are_imported_only_when_enabled(connection, products):
    flt = ImportFilter(status_ids=frozenset({11}), archived=True)
    importer(connection, import_filter=flt).import_page([order_payload(102, is_deleted=True)])
    assert Order.objects.get().is_archived


def test_the_filter_follows_the_connection_settings_and_the_days_option(connection):
    connection.order_status_filter = [9, 11]
    connection.import_min_order_id = 500
    connection.import_created_after = T0
    connection.import_archived_orders = True
    now = T0 + timedelta(days=100)

    flt = import_filter_for(connection=connection, options={"created_within_days": 7}, now=now)

    assert flt.status_ids == {9, 11} and flt.min_order_id == 500 and flt.archived
    assert flt.created_from == now - timedelta(days=7)
    assert import_filter_for(connection=connection, options={}).created_from == T0
    assert (
        import_filter_for(connection=connection, options={"created_within_days": "x"}).created_from
        == T0
    )


def test_a_new_cancelled_order_is_imported_as_cancelled_and_reserves_nothing(connection, products):
    importer(connection).import_page([order_payload(101, status_id=5, lines=[line(sku="NOPE")])])
    order = Order.objects.get()
    assert order.hub_status == Order.HubStatus.CANCELLED
    assert not OrderError.objects.exists()


def test_digital_orders_are_skipped(connection, products):
    result = importer(connection).import_page([order_payload(101, order_is_digital=True)])
    assert result.skipped == 1 and not Order.objects.exists()


def test_an_unreadable_payload_fails_alone(connection, products, log):
    result = importer(connection, log).import_page(
        [{"id": 7, "status_id": "x"}, order_payload(101)]
    )
    assert (result.created, result.failed) == (1, 1)
    assert "cannot read" in log.text()
    error = OrderError.objects.get()
    assert (error.bc_order_id, error.code) == (7, "unreadable")
    importer(connection).import_page([order_payload(7)], force=True)  # a retry that reads it
    error.refresh_from_db()
    assert error.resolved_at is not None


# ----------------------------------------------------------------------------- errors


def test_bad_orders_become_errors_and_the_others_import(connection, products, log):
    payloads = [
        order_payload(101, lines=[line(sku="UNKNOWN-9", line_id=31)]),
        order_payload(102, lines=[line(sku="  ", line_id=32, name="Mystery")]),
        order_payload(103, shipping=[]),
        order_payload(104, shipping=[{"id": 1, **address(zip="", country="", country_iso2="")}]),
        order_payload(105, shipping=[{"id": 1, **address(street_1="")}]),
        order_payload(106),
    ]

    result = importer(connection, log).import_page(payloads)

    assert (result.created, result.failed) == (1, 5)
    assert list(Order.objects.values_list("bc_order_id", flat=True)) == [106]
    codes = dict(OrderError.objects.values_list("bc_order_id", "code"))
    assert codes == {
        101: "unknown_sku",
        102: "missing_sku",
        103: "missing_shipping_address",
        104: "invalid_address",
        105: "invalid_address",
    }
    errors = {e.bc_order_id: e for e in OrderError.objects.all()}
    assert "UNKNOWN-9" in errors[101].message and "Line 31" in errors[101].message
    assert "no country and no postal code" in errors[104].message
    assert "no street" in errors[105].message
    assert all(e.order is None and e.is_open for e in errors.values())


def test_a_blank_postal_code_is_fine_where_there_are_none(connection, products):
    shipping = [{"id": 1, **address(zip="", country="Hong Kong", country_iso2="HK")}]
    importer(connection).import_page([order_payload(101, shipping=shipping)])
    assert Order.objects.exists() and not OrderError.objects.exists()


def test_a_line_linked_by_variant_needs_no_sku_match(connection, products):
    link(connection, products["SKU-3"], variant_id=7001)
    importer(connection).import_page(
        [order_payload(101, lines=[line(sku="", variant_id=7001, product_id=700)])]
    )
    assert OrderLine.objects.get().product == products["SKU-3"]


def test_inventory_tracking_off_is_reported_on_an_imported_order(connection, products, log):
    link(connection, products["SKU-1"], variant_id=7001, tracking=ProductLink.Tracking.NONE)
    importer(connection, log).import_page(
        [order_payload(101, lines=[line(sku="SKU-1", variant_id=7001)])]
    )
    order = Order.objects.get()
    error = OrderError.objects.get()
    assert (error.code, error.order) == (OrderError.Code.TRACKING_OFF, order)
    assert "inventory tracking is off" in error.message


def test_an_error_resolves_itself_when_a_later_import_succeeds(connection, products, log):
    payload = order_payload(101, lines=[line(sku="NEW-SKU", line_id=31)])
    importer(connection).import_page([payload])
    assert OrderError.objects.get().is_open

    Product.objects.create(tenant=connection.tenant, sku="NEW-SKU")
    importer(connection, log).import_page([payload], force=True)

    error = OrderError.objects.get()
    assert error.resolved_at is not None and error.resolution == "resolved"
    assert error.resolution_note == "Order 101 imported."
    assert Order.objects.get().lines.get().product.sku == "NEW-SKU"


def test_the_same_problem_seen_again_is_not_reported_twice(connection, products, log):
    payload = order_payload(101, lines=[line(sku="NEW-SKU", line_id=31)])
    importer(connection).import_page([payload])
    first = OrderError.objects.get()

    result = importer(connection, log).import_page([payload])

    assert result.skipped == 1 and result.failed == 0 and not log
    assert OrderError.objects.get().last_seen_at == first.last_seen_at

    result = importer(connection, log).import_page([payload], force=True)  # a retry
    assert result.failed == 1 and OrderError.objects.get().occurrences == 2


def test_an_ignored_error_is_not_raised_again(connection, products, log, manager):
    payload = order_payload(101, lines=[line(sku="NEW-SKU")])
    importer(connection).import_page([payload])
    error = OrderError.objects.get()

    assert order_errors_ignore(errors=[error], reason="Engraving, done by hand", user=manager) == 1
    importer(connection, log).import_page([payload], force=True)

    error = OrderError.objects.get()
    assert (error.resolution, error.resolution_note, error.resolved_by) == (
        "ignored",
        "Engraving, done by hand",
        manager,
    )
    assert "ignored" in log.text()


def test_ignoring_needs_a_reason(connection, products):
    importer(connection).import_page([order_payload(101, lines=[line(sku="X")])])
    with pytest.raises(ValidationError):
        order_errors_ignore(errors=OrderError.objects.all(), reason="  ")


def test_errors_of_an_order_that_left_the_filter_are_resolved(connection, products):
    importer(connection).import_page([order_payload(101, lines=[line(sku="X")])])
    importer(connection).import_page(
        [order_payload(101, status_id=10, lines=[line(sku="X")])], force=True
    )
    error = OrderError.objects.get()
    assert error.resolved_at and "Not imported any more" in error.resolution_note


def test_retrying_asks_the_next_import_for_the_orders(
    connection, products, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("orders.services._queue", lambda pk, kind: queued.append((pk, kind)))
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


# ----------------------------------------------------------------------------- existing orders


def test_an_unchanged_order_seen_again_is_not_written(connection, products):
    payload = order_payload(101)
    importer(connection).import_page([payload])
    before = Order.objects.get().updated_at

    with CaptureQueriesContext(db_connection) as queries:
        result = importer(connection).import_page([payload])

    assert (result.created, result.updated, result.skipped) == (0, 0, 1)
    assert Order.objects.get().updated_at == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_the_same_order_twice_in_a_page_keeps_the_newest(connection, products):
    old = order_payload(101, lines=[line(sku="SKU-1", quantity=1, line_id=1)])
    new = order_payload(
        101, modified=T0 + timedelta(hours=1), lines=[line(sku="SKU-1", quantity=4, line_id=1)]
    )
    importer(connection).import_page([new, old])
    assert Order.objects.get().lines.get().quantity == 4


def test_an_older_version_never_overwrites_a_newer_one(connection, products):
    importer(connection, update_existing=True).import_page(
        [order_payload(101, modified=T0 + timedelta(hours=1), lines=[line(quantity=3, line_id=1)])]
    )
    result = importer(connection, update_existing=True).import_page(
        [order_payload(101, lines=[line(quantity=1, line_id=1)])]
    )
    assert result.skipped == 1
    assert OrderLine.objects.get().quantity == 3


def edited(order_id=101, **kwargs):
    kwargs.setdefault("modified", T0 + timedelta(hours=1))
    return order_payload(order_id, **kwargs)


def test_edits_update_the_hub_copy_when_enabled(connection, products, log):
    connection.update_existing_orders = True
    importer(connection).import_page(
        [order_payload(101, lines=[line(sku="SKU-1", quantity=1, line_id=1)])]
    )
    order = Order.objects.get()
    line_pk = order.lines.get().pk

    result = importer(connection, log).import_page(
        [
            edited(
                lines=[
                    line(sku="SKU-1", quantity=3, line_id=1),
                    line(sku="SKU-2", quantity=1, line_id=2),
                ],
                shipping=[{"id": 1, **address(street_1="2 Oak Avenue", zip="78702")}],
                status_id=9,
            )
        ]
    )

    assert result.updated == 1
    order.refresh_from_db()
    assert order.status_id == 9
    assert [(ln.bc_line_id, ln.quantity) for ln in order.lines.all()] == [(1, 3), (2, 1)]
    assert order.lines.get(bc_line_id=1).pk == line_pk  # updated in place
    assert order.addresses.get(kind="shipping").street_1 == "2 Oak Avenue"
    assert reserved(products["SKU-1"]) == 3 and reserved(products["SKU-2"]) == 1
    text = log.text()
    assert "line 1 (SKU-1) quantity 1 → 3" in text
    assert "line 2 added (SKU-2 × 1)" in text
    assert "shipping address changed (street_1, zip)" in text
    assert "status Awaiting Fulfillment → Awaiting Shipment" in text


def test_removed_lines_are_removed(connection, products):
    connection.update_existing_orders = True
    importer(connection).import_page(
        [order_payload(101, lines=[line(sku="SKU-1", line_id=1), line(sku="SKU-2", line_id=2)])]
    )
    importer(connection).import_page([edited(lines=[line(sku="SKU-1", line_id=1)])])
    assert list(OrderLine.objects.values_list("bc_line_id", flat=True)) == [1]
    assert reserved(products["SKU-2"]) == 0


def test_edits_are_logged_and_skipped_when_disabled(connection, products, log):
    importer(connection).import_page([order_payload(101, lines=[line(quantity=1, line_id=1)])])

    result = importer(connection, log).import_page([edited(lines=[line(quantity=5, line_id=1)])])

    assert (result.updated, result.skipped) == (0, 1)
    assert OrderLine.objects.get().quantity == 1
    assert "not applied because “Update orders that already exist” is off" in log.text()
    # Seen once is enough: the same version again is not logged again.
    log.clear()
    importer(connection, log).import_page([edited(lines=[line(quantity=5, line_id=1)])])
    assert not log


def test_a_cancellation_always_applies_and_frees_the_reservation(connection, products, log):
    importer(connection).import_page([order_payload(101, lines=[line(sku="SKU-1", quantity=2)])])
    assert reserved(products["SKU-1"]) == 2

    result = importer(connection, log).import_page([edited(status_id=5)])

    assert result.updated == 1
    order = Order.objects.get()
    assert order.hub_status == Order.HubStatus.CANCELLED and order.status_id == 5
    assert reserved(products["SKU-1"]) == 0
    assert "no longer reserve stock" in log.text()


def test_a_change_after_shipment_is_an_error_and_the_hub_keeps_its_copy(connection, products, log):
    connection.update_existing_orders = True
    importer(connection).import_page([order_payload(101, lines=[line(quantity=2, line_id=1)])])
    order = Order.objects.get()
    shipment_create(order=order, lines=[(order.lines.get().pk, 1)], tracking_number="1Z1")

    result = importer(connection, log).import_page([edited(lines=[line(quantity=5, line_id=1)])])
    assert result.failed == 1
    assert OrderLine.objects.get().quantity == 2
    error = OrderError.objects.get()
    assert (error.code, error.order) == ("changed_after_shipment", order)

    importer(connection, log).import_page(
        [edited(status_id=5, modified=T0 + timedelta(hours=2), lines=[line(quantity=5, line_id=1)])]
    )
    assert Order.objects.get().hub_status == Order.HubStatus.PARTIALLY_SHIPPED
    assert "cancelled in BigCommerce after the warehouse shipped" in log.text()


def test_bigcommerce_shipped_quantities_are_taken_and_confirm_the_status(connection, products):
    importer(connection).import_page([order_payload(101, lines=[line(quantity=2, line_id=1)])])
    order = Order.objects.get()
    shipment_create(order=order, tracking_number="1Z1")

    importer(connection).import_page(
        [edited(status_id=2, lines=[line(quantity=2, line_id=1, shipped=2)])]
    )

    order.refresh_from_db()
    assert (order.status_id, order.hub_status) == (2, Order.HubStatus.SHIPPED)
    assert not OrderError.objects.exists()


def test_an_order_partly_shipped_in_bigcommerce_reserves_only_the_rest(connection, products):
    flt = ImportFilter(status_ids=frozenset({3}))
    importer(connection, import_filter=flt).import_page(
        [order_payload(101, status_id=3, lines=[line(sku="SKU-1", quantity=5, shipped=2)])]
    )
    assert Order.objects.get().hub_status == Order.HubStatus.PARTIALLY_SHIPPED
    assert reserved(products["SKU-1"]) == 3


def test_a_forced_reimport_applies_even_with_updates_off(connection, products, log):
    importer(connection).import_page([order_payload(101, lines=[line(quantity=1, line_id=1)])])
    importer(connection).import_page([edited(lines=[line(quantity=4, line_id=1)])])
    assert OrderLine.objects.get().quantity == 1

    result = importer(connection, log).import_page(
        [edited(lines=[line(quantity=4, line_id=1)])], force=True
    )
    assert result.updated == 1 and OrderLine.objects.get().quantity == 4


# ----------------------------------------------------------------------------- stock


def test_reservations_count_open_lines_of_open_orders_only(connection, products):
    p1 = products["SKU-1"]
    importer(connection).import_page(
        [
            order_payload(101, lines=[line(sku="SKU-1", quantity=2, line_id=1)]),
            order_payload(102, lines=[line(sku="SKU-1", quantity=3, line_id=2, shipped=1)]),
            order_payload(103, status_id=5, lines=[line(sku="SKU-1", quantity=7, line_id=3)]),
        ]
    )
    assert reserved(p1) == 2 + 2
    p1.refresh_from_db()
    assert p1.available == 50 - 4

    Product.objects.filter(pk=p1.pk).update(reserved_by_orders=999)
    assert products_recount_reserved(product_ids=[p1.pk, None]) == 1
    assert reserved(p1) == 4


# ----------------------------------------------------------------------------- shipments


@pytest.fixture
def open_order(connection, products):
    importer(connection).import_page(
        [
            order_payload(
                101, lines=[line(sku="SKU-1", quantity=2, line_id=1), line(sku="SKU-2", line_id=2)]
            )
        ]
    )
    return Order.objects.get()


def test_a_shipment_ships_open_quantities_and_releases_the_reservation(open_order, products):
    first = open_order.lines.get(bc_line_id=1)
    shipment = shipment_create(
        order=open_order, lines=[(first.pk, 2)], tracking_number=" 1Z999 ", tracking_carrier="UPS"
    )
    assert (shipment.tracking_number, shipment.tracking_carrier) == ("1Z999", "ups")
    assert shipment.bc_address_id == 1
    assert reserved(products["SKU-1"]) == 0
    open_order.refresh_from_db()
    assert open_order.hub_status == Order.HubStatus.PARTIALLY_SHIPPED

    shipment_create(order=open_order)  # the rest
    open_order.refresh_from_db()
    assert open_order.hub_status == Order.HubStatus.SHIPPED


@pytest.mark.parametrize(
    ("lines", "field", "text"),
    [
        ([(999999, 1)], "lines", "is not a line of order 101"),
        (["first:3"], "lines", "3 is more than the 2 still open"),
        (["first:0"], "lines", "at least 1"),
        ([], "lines", "at least one line"),
    ],
)
def test_a_shipment_is_validated(open_order, lines, field, text):
    first = open_order.lines.get(bc_line_id=1).pk
    lines = [(first, int(x.split(":")[1])) if isinstance(x, str) else x for x in lines]
    with pytest.raises(ValidationError) as caught:
        shipment_create(order=open_order, lines=lines)
    assert text in " ".join(caught.value.message_dict[field])
    assert not open_order.shipments.exists()


def test_a_cancelled_or_fully_shipped_order_cannot_be_shipped(open_order, connection):
    shipment_create(order=open_order)
    with pytest.raises(ValidationError, match="nothing left to ship"):
        shipment_create(order=open_order)
    Order.objects.filter(pk=open_order.pk).update(hub_status=Order.HubStatus.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        shipment_create(order=open_order)


def test_lines_to_two_addresses_need_two_shipments(connection, products):
    shipping = [{"id": 1, **address()}, {"id": 2, **address(city="Denver")}]
    importer(connection).import_page(
        [order_payload(101, shipping=shipping, lines=[line(address_id=1), line(address_id=2)])]
    )
    order = Order.objects.get()
    with pytest.raises(ValidationError, match="different shipping addresses"):
        shipment_create(order=order)
    assert {a.bc_address_id for a in Address.objects.filter(kind="shipping")} == {1, 2}


def test_carriers_are_bigcommerce_codes():
    assert carrier_code("ups") == "ups"
    assert carrier_code("PostNL Domestic") == "postnl"
    assert carrier_code("USPS") == "usps"
    assert carrier_code("") == ""
    with pytest.raises(ValueError, match="not a BigCommerce tracking carrier"):
        carrier_code("pigeon-post")


# ----------------------------------------------------------------------------- misc


def test_normalize_reads_the_v2_shapes():
    order = normalize_order(
        order_payload(
            101,
            lines=[line(sku=" SKU-1 ", options=[{"display_name": "Size", "display_value": "L"}])],
        )
    )
    assert order.lines[0]["sku"] == "SKU-1" and order.lines[0]["raw_sku"] == " SKU-1 "
    assert order.lines[0]["options"] == "Size: L"
    assert order.date_created == T0
    legacy = order_payload(102)
    legacy["consignments"] = [legacy["consignments"]]
    assert normalize_order(legacy).lines


def test_deleting_a_connections_orders_goes_in_batches_and_frees_stock(connection, products):
    importer(connection).import_page(
        [order_payload(i, lines=[line(sku="SKU-1", line_id=i)]) for i in range(101, 106)]
    )
    importer(connection).import_page([order_payload(200, lines=[line(sku="X")])])
    assert reserved(products["SKU-1"]) == 5

    assert orders_delete_for_connection(connection_id=connection.pk, batch_size=2) == 5

    assert not Order.objects.exists() and not OrderError.objects.exists()
    assert reserved(products["SKU-1"]) == 0


def test_changed_reservations_are_handed_to_the_catalog(connection, products, monkeypatch):
    told = []
    monkeypatch.setattr(
        "catalog.services.products_stock_changed", lambda *, product_ids: told.append(product_ids)
    )
    importer(connection).import_page([order_payload(101, lines=[line(sku="SKU-1")])])
    assert told == [[products["SKU-1"].pk]]
    assert products_recount_reserved(product_ids=[products["SKU-1"].pk]) == 0  # unchanged
    assert len(told) == 1
