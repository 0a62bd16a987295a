"""Which BigCommerce orders a connection imports: its order filter settings and the Order
Import option "only orders created within the last X days"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from connections.bigcommerce.statuses import DEFAULT_IMPORT_STATUSES
from connections.models import Connection

from ..normalize import NormalizedOrder


@dataclass(frozen=True)
class ImportFilter:
    """Which BigCommerce orders the connection imports (its order filter settings)."""

    status_ids: frozenset[int]
    min_order_id: int | None = None  # only ids greater than this
    created_from: datetime | None = None
    archived: bool = False

    def refusal(self, order: NormalizedOrder) -> str | None:
        """Why a new order is not imported, or None when it is."""
        if order.is_deleted and not self.archived:
            return "it is archived and archived orders are not imported"
        if order.status_id not in self.status_ids:
            return f"its status ({order.status_id}) is not among the statuses to import"
        if self.min_order_id is not None and order.bc_order_id <= self.min_order_id:
            return f"its id is not greater than {self.min_order_id}"
        if self.created_from is not None and order.date_created < self.created_from:
            return f"it was created before {self.created_from:%Y-%m-%d %H:%M}"
        return None


def created_within_days(options: dict | None) -> int | None:
    """The Order Import option "only orders created within the last X days" (blank = all)."""
    value = (options or {}).get("created_within_days")
    if value in (None, "", 0):
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        return None
    return days if days > 0 else None


def import_filter_for(
    *, connection: Connection, options: dict | None = None, now: datetime | None = None
) -> ImportFilter:
    created_from = connection.import_created_after
    days = created_within_days(options)
    if days:
        window = (now or timezone.now()) - timedelta(days=days)
        created_from = max(created_from, window) if created_from else window
    statuses = connection.order_status_filter or DEFAULT_IMPORT_STATUSES
    return ImportFilter(
        status_ids=frozenset(int(s) for s in statuses),
        min_order_id=connection.import_min_order_id,
        created_from=created_from,
        archived=connection.import_archived_orders,
    )
