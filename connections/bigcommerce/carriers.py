"""BigCommerce's tracking carrier codes (the vendored tracking_carrier_values.csv), read once."""

import csv
from functools import lru_cache
from pathlib import Path

CARRIERS_CSV = Path(__file__).resolve().parent / "tracking_carrier_values.csv"


@lru_cache(maxsize=1)
def tracking_carriers() -> dict[str, str]:
    """Carrier code -> company name."""
    carriers = {}
    with open(CARRIERS_CSV, newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        for row in rows:
            if len(row) > 1 and row[1].strip():
                carriers[row[1].strip()] = row[0].strip()
    return carriers


def carrier_code(value: str) -> str:
    """A carrier code from a code or a company name (case-insensitive); "" for blank.
    Raises ValueError naming what to send instead."""
    value = (value or "").strip()
    if not value:
        return ""
    carriers = tracking_carriers()
    if value in carriers:
        return value
    lowered = value.lower()
    for code, name in carriers.items():
        if code.lower() == lowered or name.lower() == lowered:
            return code
    raise ValueError(
        f"“{value}” is not a BigCommerce tracking carrier; use one of its carrier codes, e.g. "
        "ups, fedex, usps, dhl, postnl, or the carrier's company name as BigCommerce lists it."
    )
