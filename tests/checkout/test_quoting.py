from datetime import UTC, datetime
from decimal import Decimal

import pytest

from catalog.models import Product
from checkout.models import CheckoutSettings, QuotesServed
from checkout.payloads import cart_read
from checkout.quoting import quotes_for_cart
from checkout.selectors import QuoteSettings
from checkout.services import delivery_option_update
from tests.checkout.helpers import checkout_for, item, option, quotes, rate_request

pytestmark = pytest.mark.django_db
TUESDAY_MORNING = datetime(2025, 6, 3, 8, 0, tzinfo=UTC)


def answer(settings, now=TUESDAY_MORNING, **request):
    settings.refresh_from_db()
    cart = cart_read(rate_request(settings.key, **request))
    return quotes_for_cart(settings=QuoteSettings.of(settings), cart=cart, now=now)


@pytest.fixture
def stocked(tenant):
    return Product.objects.create(tenant=tenant, sku="SKU-1", on_hand=10)


@pytest.fixture
def checkout(connection, stocked):
    option(connection, "STANDARD")
    option(connection, "SAMEDAY", needs_stock=True, transit_min=0, transit_max=0, price=12)
    return checkout_for(connection)


def test_a_cart_in_stock_gets_every_option_priced_and_dated(checkout):
    got = quotes(answer(checkout))
    assert set(got) == {"STANDARD", "SAMEDAY"}
    assert got["STANDARD"]["cost"] == {"currency": "EUR", "amount": 4.95}
    assert got["STANDARD"]["dispatch_date"] == "2025-06-03"
    assert got["STANDARD"]["transit_time"] == {"units": "BUSINESS_DAYS", "duration": 2}
    assert "transit_time" not in got["SAMEDAY"]


def test_prices_convert_into_the_carts_currency(checkout):
    got = quotes(answer(checkout, items=[item(currency="USD")]))
    assert got["STANDARD"]["cost"] == {"currency": "USD", "amount": 5.45}


def test_an_unknown_currency_gets_no_quotes_and_says_why(checkout):
    result = answer(checkout, items=[item(currency="GBP")])
    assert result["carrier_quotes"] == []
    assert "GBP" in result["messages"][0]["text"]


def test_a_disabled_option_is_not_offered(checkout, connection):
    delivery_option_update(option=connection.delivery_options.get(code="SAMEDAY"), enabled=False)
    assert set(quotes(answer(checkout))) == {"STANDARD"}


def test_switched_off_quoting_and_an_inactive_connection_get_no_quotes(checkout, connection):
    checkout_for(connection, enabled=False)
    assert answer(checkout)["carrier_quotes"] == []
    checkout_for(connection, enabled=True)
    connection.status = connection.Status.INACTIVE
    connection.save()
    assert answer(checkout)["carrier_quotes"] == []


def test_a_destination_outside_the_options_countries_gets_no_quotes(checkout):
    assert answer(checkout, country="FR", zip="75001")["carrier_quotes"] == []


@pytest.mark.parametrize(
    "mode, offered",
    [("quote", {"STANDARD", "SAMEDAY"}), ("hide_flagged", {"STANDARD"}), ("hide_all", set())],
)
def test_an_item_the_warehouse_does_not_stock_follows_the_stock_setting(
    checkout, connection, mode, offered
):
    checkout_for(connection, stock_mode=mode)
    result = answer(checkout, items=[item(), item("NOT-STOCKED")])
    assert set(quotes(result)) == offered


def test_a_back_ordered_cart_ships_after_the_back_order_delay(checkout, connection):
    checkout_for(connection, backorder_days=3)
    got = quotes(answer(checkout, items=[item(quantity=11)]))  # 10 available
    assert got["STANDARD"]["dispatch_date"] == "2025-06-06"
    assert "back-ordered" in got["STANDARD"]["messages"][0]["text"]


def test_a_stock_change_invalidates_the_cached_answer(checkout, stocked):
    assert "SAMEDAY" in quotes(answer(checkout))
    checkout_for(checkout.connection, stock_mode="hide_flagged")
    assert "SAMEDAY" in quotes(answer(checkout))
    Product.objects.filter(pk=stocked.pk).update(on_hand=0)  # as a bulk stock import does
    assert "SAMEDAY" not in quotes(answer(checkout))


def test_an_option_change_invalidates_the_cached_answer(checkout, connection):
    assert quotes(answer(checkout))["STANDARD"]["cost"]["amount"] == 4.95
    delivery_option_update(
        option=connection.delivery_options.get(code="STANDARD"), price=Decimal("3.50")
    )
    assert quotes(answer(checkout))["STANDARD"]["cost"]["amount"] == 3.5


def test_weight_bands_use_the_whole_carts_weight_and_zero_weight_items_count_nothing(
    checkout, connection
):
    option(connection, "HEAVY", pricing="weight", bands=[["2", "5"], ["20", "15"]])
    light = [item(grams=1000, quantity=2), item("FREEBIE", grams=0, quantity=3)]
    assert quotes(answer(checkout, items=light))["HEAVY"]["cost"]["amount"] == 5
    heavy = [item(grams=1000, quantity=3)]
    assert quotes(answer(checkout, items=heavy))["HEAVY"]["cost"]["amount"] == 15


def test_a_cart_of_a_thousand_lines_is_quoted(checkout, tenant):
    Product.objects.bulk_create(
        [Product(tenant=tenant, sku=f"BULK-{i}", on_hand=5) for i in range(1000)]
    )
    lines = [item(f"BULK-{i}", grams=10) for i in range(1000)]
    got = quotes(answer(checkout, items=lines))
    assert set(got) == {"STANDARD", "SAMEDAY"}  # 10 kg, all in stock


def test_quotes_served_are_counted_per_option_and_day(checkout):
    from checkout.counters import quotes_served_flush

    answer(checkout)
    answer(checkout)
    quotes_served_flush()
    rows = dict(QuotesServed.objects.values_list("option__code", "count"))
    assert rows == {"STANDARD": 2, "SAMEDAY": 2}
    assert set(QuotesServed.objects.values_list("day", flat=True)) == {TUESDAY_MORNING.date()}


def test_the_key_belongs_to_one_settings_row(checkout):
    assert CheckoutSettings.objects.filter(key=checkout.key).count() == 1
