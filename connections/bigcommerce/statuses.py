"""BigCommerce's order statuses: the ids are fixed, stores may relabel them (custom_label)."""

from enum import IntEnum


class OrderStatus(IntEnum):
    INCOMPLETE = 0
    PENDING = 1
    SHIPPED = 2
    PARTIALLY_SHIPPED = 3
    REFUNDED = 4
    CANCELLED = 5
    DECLINED = 6
    AWAITING_PAYMENT = 7
    AWAITING_PICKUP = 8
    AWAITING_SHIPMENT = 9
    COMPLETED = 10
    AWAITING_FULFILLMENT = 11
    MANUAL_VERIFICATION_REQUIRED = 12
    DISPUTED = 13
    PARTIALLY_REFUNDED = 14

    @property
    def default_label(self) -> str:
        return DEFAULT_LABELS[self]


DEFAULT_LABELS = {
    OrderStatus.INCOMPLETE: "Incomplete",
    OrderStatus.PENDING: "Pending",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.PARTIALLY_SHIPPED: "Partially Shipped",
    OrderStatus.REFUNDED: "Refunded",
    OrderStatus.CANCELLED: "Cancelled",
    OrderStatus.DECLINED: "Declined",
    OrderStatus.AWAITING_PAYMENT: "Awaiting Payment",
    OrderStatus.AWAITING_PICKUP: "Awaiting Pickup",
    OrderStatus.AWAITING_SHIPMENT: "Awaiting Shipment",
    OrderStatus.COMPLETED: "Completed",
    OrderStatus.AWAITING_FULFILLMENT: "Awaiting Fulfillment",
    OrderStatus.MANUAL_VERIFICATION_REQUIRED: "Manual Verification Required",
    OrderStatus.DISPUTED: "Disputed",
    OrderStatus.PARTIALLY_REFUNDED: "Partially Refunded",
}

#: What a new connection imports: orders waiting to be fulfilled, and cancellations of them.
DEFAULT_IMPORT_STATUSES = (OrderStatus.AWAITING_FULFILLMENT, OrderStatus.CANCELLED)
#: Statuses that say the store already considers the order (partly) shipped.
SHIPPED_STATUSES = (OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED)


def status_label(status_id: int, custom_labels: dict | None = None) -> str:
    """The store's label for a status id (custom labels keyed by the id as text), else
    BigCommerce's default name, else the id itself."""
    label = (custom_labels or {}).get(str(status_id))
    if label:
        return label
    try:
        return DEFAULT_LABELS[OrderStatus(int(status_id))]
    except (ValueError, TypeError):
        return str(status_id)
