"""What each order error code means to the operator: blocking or a warning, one plain
explanation and the one thing to do about it. The order-errors page, its CSV and the API's
group summary all say it in these words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import OrderError

Code = OrderError.Code

BLOCKING = "blocking"
WARNING = "warning"
SEVERITIES = ((BLOCKING, "Blocking"), (WARNING, "Warnings"))

# Codes that stop an order (not imported) or its shipment (not confirmed in BigCommerce).
BLOCKING_CODES = (*OrderError.BLOCKING, Code.SHIPMENT_REJECTED)
WARNING_CODES = tuple(code for code in Code.values if code not in BLOCKING_CODES)

# The importer writes a line's SKU as `SKU “…”` in the message (orders/services/checks.py).
SKU_IN_MESSAGE = re.compile(r"SKU “([^”]*)”")
# Codes whose errors are grouped by SKU too.
BY_SKU = (Code.UNKNOWN_SKU, Code.TRACKING_OFF)


@dataclass(frozen=True)
class Cause:
    explanation: str
    action: str  # the one thing to do, said as a button would
    link: str = ""  # "catalog", "catalog_tracking_off" or "" (retry only)


CAUSES: dict[str, Cause] = {
    Code.UNKNOWN_SKU: Cause(
        "The order has a line whose SKU is not a product in the hub, so the warehouse could "
        "not ship it and the order was not imported.",
        "Create these SKUs in the hub (or correct them in BigCommerce), then retry the orders",
        "catalog",
    ),
    Code.MISSING_SKU: Cause(
        "A line of the order has no SKU in BigCommerce (or the order has no physical lines), "
        "so the hub cannot tell which product to ship.",
        "Give the products a SKU in BigCommerce, then retry the orders",
    ),
    Code.MISSING_SHIPPING_ADDRESS: Cause(
        "The order has no shipping address (a pickup order, or BigCommerce sent none).",
        "Add the shipping address in BigCommerce, or ignore pickup orders with a reason",
    ),
    Code.INVALID_ADDRESS: Cause(
        "A shipping address has no country, postal code or street.",
        "Correct the addresses in BigCommerce, then retry the orders",
    ),
    Code.INVALID_QUANTITY: Cause(
        "A line has a negative quantity in BigCommerce.",
        "Correct the quantities in BigCommerce, then retry the orders",
    ),
    Code.UNREADABLE: Cause(
        "BigCommerce sent order data the hub could not read or store.",
        "Retry the orders; if they fail again, check them in BigCommerce",
    ),
    Code.SHIPMENT_REJECTED: Cause(
        "BigCommerce refused a shipment the hub sent, so the order is not marked shipped there.",
        "Fix the cause given in the message, then retry the shipments",
    ),
    Code.TRACKING_OFF: Cause(
        "The order was imported, but inventory tracking is off for these products in "
        "BigCommerce: the stock the hub pushes is ignored there.",
        "Turn on inventory tracking for these products in BigCommerce",
        "catalog_tracking_off",
    ),
    Code.CHANGED_AFTER_SHIPMENT: Cause(
        "The order changed in BigCommerce after the warehouse shipped it; the hub kept what "
        "was shipped.",
        "Check the change with the merchant, then ignore the errors with a reason",
    ),
}


def severity_of(code: str) -> str:
    return BLOCKING if code in BLOCKING_CODES else WARNING


def skus_in(message: str) -> list[str]:
    """The SKUs a message names, each once, in order."""
    return list(dict.fromkeys(SKU_IN_MESSAGE.findall(message or "")))
