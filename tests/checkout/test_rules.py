from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from checkout.rules.currency import UnknownCurrency, currency_rate, money_round
from checkout.rules.dates import calendar_build, delivery_window, dispatch_date
from checkout.rules.destinations import destination_served, postcode_in_range
from checkout.rules.pricing import option_cost, weight_kg

BERLIN = calendar_build(
    timezone="Europe/Berlin", working_days="12345", holidays=["2025-12-25", "2025-12-26"]
)
CUTOFF = time(15, 0)


def cost(**kw):
    args = {"pricing": "flat", "price": Decimal("5"), "bands": [], "free_above": None,
            "weight": Decimal(0), "value": Decimal(0)}  # fmt: skip
    return option_cost(**{**args, **kw})


# --- destinations


def test_an_option_serves_only_its_countries():
    assert destination_served(countries=["DE"], ranges=[], country="de", postcode="10115")
    assert not destination_served(countries=["DE"], ranges=[], country="FR", postcode="75001")


def test_postcode_ranges_limit_the_country_they_name_and_leave_others_whole():
    ranges = [["DE", "10000", "14999"]]
    assert destination_served(countries=["DE", "NL"], ranges=ranges, country="DE", postcode="10115")
    assert not destination_served(
        countries=["DE", "NL"], ranges=ranges, country="DE", postcode="80331"
    )
    assert destination_served(countries=["DE", "NL"], ranges=ranges, country="NL", postcode="1011")


def test_alphanumeric_postcodes_compare_by_their_leading_characters():
    assert postcode_in_range("1011 ab", "1000AA", "1099ZZ")
    assert postcode_in_range("SW1A 1AA", "SW1", "SW9")
    assert not postcode_in_range("N1 9GU", "SW1", "SW9")


# --- pricing


def test_weight_bands_pick_the_first_band_the_cart_fits_and_refuse_heavier_carts():
    bands = [["2", "4.95"], ["10", "8.95"]]
    assert cost(pricing="weight", bands=bands, weight=Decimal("2")) == Decimal("4.95")
    assert cost(pricing="weight", bands=bands, weight=Decimal("2.01")) == Decimal("8.95")
    assert cost(pricing="weight", bands=bands, weight=Decimal("10.5")) is None


def test_value_bands_price_by_order_value():
    bands = [["50", "6"], ["100", "3"]]
    assert cost(pricing="value", bands=bands, value=Decimal("49.99")) == Decimal("6")
    assert cost(pricing="value", bands=bands, value=Decimal("75")) == Decimal("3")


def test_shipping_is_free_from_the_threshold_on():
    assert cost(free_above=Decimal("100"), value=Decimal("99.99")) == Decimal("5")
    assert cost(free_above=Decimal("100"), value=Decimal("100")) == Decimal("0")


def test_weights_in_ounces_and_grams_become_kilograms():
    assert weight_kg(1000, "g") == Decimal("1")
    assert round(weight_kg(16, "oz"), 4) == Decimal("0.4536")


# --- dates


def at(text):  # a UTC moment
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_an_order_before_the_cut_off_ships_the_same_day():
    assert dispatch_date(BERLIN, now=at("2025-06-03 12:59"), cutoff=CUTOFF) == date(2025, 6, 3)


def test_an_order_after_the_cut_off_on_friday_ships_on_monday():
    friday_after = at("2025-06-06 13:30")  # 15:30 in Berlin (summer time)
    assert dispatch_date(BERLIN, now=friday_after, cutoff=CUTOFF) == date(2025, 6, 9)


def test_the_cut_off_skips_a_weekend_and_the_christmas_holidays():
    wednesday_late = at("2025-12-24 16:00")  # 17:00 in Berlin; 25, 26 are holidays, 27-28 weekend
    assert dispatch_date(BERLIN, now=wednesday_late, cutoff=CUTOFF) == date(2025, 12, 29)


def test_the_warehouse_clock_decides_not_utc_nor_the_shoppers():
    # 14:30 UTC is 15:30 in Berlin: past the cut-off, although it is before 15:00 in UTC.
    assert dispatch_date(BERLIN, now=at("2025-06-03 14:30"), cutoff=CUTOFF) == date(2025, 6, 4)
    new_york = calendar_build(timezone="America/New_York", working_days="12345", holidays=[])
    # Tuesday 02:00 UTC is still Monday 22:00 in New York: ships Tuesday.
    assert dispatch_date(new_york, now=at("2025-06-03 02:00"), cutoff=CUTOFF) == date(2025, 6, 3)


def test_a_back_order_delay_counts_working_days():
    assert dispatch_date(BERLIN, now=at("2025-06-06 08:00"), cutoff=CUTOFF, delay_days=2) == date(
        2025, 6, 10
    )


def test_transit_counts_working_days_after_dispatch():
    earliest, latest = delivery_window(
        BERLIN, dispatch=date(2025, 6, 6), transit_min=1, transit_max=3
    )
    assert (earliest, latest) == (date(2025, 6, 9), date(2025, 6, 11))


# --- currency


def test_known_currencies_convert_with_the_managers_rate_and_unknown_ones_are_refused():
    assert currency_rate(base="EUR", rates={"USD": "1.10"}, currency="USD") == Decimal("1.10")
    assert currency_rate(base="EUR", rates={}, currency="EUR") == 1
    with pytest.raises(UnknownCurrency):
        currency_rate(base="EUR", rates={"USD": "1.10"}, currency="GBP")
    assert money_round(Decimal("5.445")) == Decimal("5.45")
