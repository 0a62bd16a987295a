"""Prices in the shopper's currency, from the rate table the manager keeps; never a guess."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


class UnknownCurrency(Exception):
    def __init__(self, currency: str):
        super().__init__(currency)
        self.currency = currency


def currency_rate(*, base: str, rates: dict[str, str], currency: str) -> Decimal:
    """How many `currency` one unit of `base` buys; UnknownCurrency when the table lacks it."""
    if currency == base:
        return Decimal(1)
    rate = rates.get(currency)
    if rate is None:
        raise UnknownCurrency(currency)
    return Decimal(rate)


def money_round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
