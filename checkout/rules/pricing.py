"""What an option costs for a cart, in the connection's own currency."""

from decimal import Decimal

FLAT, WEIGHT, VALUE = "flat", "weight", "value"

GRAMS_PER_UNIT = {"g": Decimal(1), "oz": Decimal("28.349523125")}


def weight_kg(value, units: str) -> Decimal:
    return Decimal(str(value)) * GRAMS_PER_UNIT[units] / 1000


def band_price(bands: list[list[str]], measure: Decimal) -> Decimal | None:
    """The price of the first band whose upper limit the measure does not exceed; None above
    the last band (the option does not carry such a cart)."""
    for up_to, price in bands:
        if measure <= Decimal(up_to):
            return Decimal(price)
    return None


def option_cost(
    *,
    pricing: str,
    price: Decimal,
    bands: list[list[str]],
    free_above: Decimal | None,
    weight: Decimal,
    value: Decimal,
) -> Decimal | None:
    """The cost of an option for a cart of `weight` kg and `value` (both in the connection's
    currency), or None when the cart is outside the option's bands."""
    if pricing == FLAT:
        cost = Decimal(price)
    else:
        cost = band_price(bands, weight if pricing == WEIGHT else value)
    if cost is None:
        return None
    if free_above is not None and value >= free_above:
        return Decimal(0)
    return cost
