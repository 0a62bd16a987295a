"""Where an option delivers: its countries and, where a carrier needs it, postcode ranges."""

import re

_NOT_POSTCODE = re.compile(r"[^0-9A-Z]")


def postcode_normalize(postcode: str) -> str:
    """'1011 ab' -> '1011AB': ranges compare postcodes written as carriers write them."""
    return _NOT_POSTCODE.sub("", (postcode or "").upper())


def postcode_in_range(postcode: str, low: str, high: str) -> bool:
    code, low, high = (postcode_normalize(v) for v in (postcode, low, high))
    if code.isdigit() and low.isdigit() and high.isdigit():
        return int(low) <= int(code) <= int(high)
    # Alphanumeric (UK, NL): compare the same number of leading characters as the bounds.
    width = max(len(low), len(high))
    return low.ljust(width, "0") <= code[:width].ljust(width, "0") <= high.ljust(width, "Z")


def destination_served(
    *, countries: list[str], ranges: list[list[str]], country: str, postcode: str
) -> bool:
    """True when the destination is in a served country and, when the option has postcode
    ranges for that country, inside one of them."""
    country = (country or "").upper()
    if country not in countries:
        return False
    country_ranges = [r for r in ranges if r[0] == country]
    if not country_ranges:
        return True
    return any(postcode_in_range(postcode, low, high) for _, low, high in country_ranges)
