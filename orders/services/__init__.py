"""Writes of the orders app (keyword-only, typed, named <entity>_<action>), one module per
responsibility:

- import_filter: which BigCommerce orders a connection imports;
- checks: line and address problems of an order, the hub's fulfilment status;
- importer (+ import_existing, import_plan, import_writer): OrderImporter, a page at a time;
- customers, reservations (`products_recount_reserved`, the one writer of reserved stock);
- fetch_requests: orders fetched again by id, and queueing the app's flows;
- errors: retry and ignore; shipments; deletes.

The public services are re-exported here (`from orders.services import shipment_create`).
"""

from .checks import address_problems, hub_status_for
from .customers import customers_upsert
from .deletes import orders_delete_for_connection
from .errors import order_errors_ignore, order_errors_retry
from .fetch_requests import order_reimport, orders_fetch_request
from .import_filter import ImportFilter, created_within_days, import_filter_for
from .import_plan import PageResult
from .importer import OrderImporter
from .reservations import products_recount_reserved
from .shipments import (
    shipment_bc_payload,
    shipment_bc_payload_pending,
    shipment_create,
    shipment_mark_attempt,
    shipment_mark_failed,
    shipment_mark_rejected,
    shipment_mark_sent,
    shipments_mark_attempt,
    shipments_mark_sent,
)

__all__ = [
    "ImportFilter",
    "OrderImporter",
    "PageResult",
    "address_problems",
    "created_within_days",
    "customers_upsert",
    "hub_status_for",
    "import_filter_for",
    "order_errors_ignore",
    "order_errors_retry",
    "order_reimport",
    "orders_delete_for_connection",
    "orders_fetch_request",
    "products_recount_reserved",
    "shipment_create",
    "shipment_mark_attempt",
    "shipment_mark_failed",
    "shipment_mark_rejected",
    "shipment_mark_sent",
    "shipments_mark_attempt",
    "shipments_mark_sent",
    "shipment_bc_payload",
    "shipment_bc_payload_pending",
]
