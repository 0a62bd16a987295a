"""Order Import's first step: the orders asked for by id (error retries, "re-import this
order", webhooks), several at a time where their ids are close."""

from __future__ import annotations

from connections.bigcommerce.errors import NotFoundError
from dataflows.models import LogEntry

from ..models import OrderError, OrderFetchRequest

PAGE_SIZE = 250
# Orders asked for by id, at most this many per run (the rest next run).
MAX_FETCH_REQUESTS = 2000


def first_page(iterator):
    return next(iter(iterator), None) or []


def _id_windows(ids: list[int]) -> list[list[int]]:
    """Sorted ids cut into groups spanning fewer than PAGE_SIZE ids (one listing page each)."""
    groups: list[list[int]] = []
    for order_id in ids:
        if groups and order_id - groups[-1][0] < PAGE_SIZE:
            groups[-1].append(order_id)
        else:
            groups.append([order_id])
    return groups


class RequestedOrdersMixin:
    """`OrderImportRun`'s fetch of the orders asked for by id."""

    def fetch_requested(self) -> None:
        requests = list(
            OrderFetchRequest.objects.filter(connection=self.connection).order_by(
                "requested_at", "id"
            )[:MAX_FETCH_REQUESTS]
        )
        for start in range(0, len(requests), PAGE_SIZE):
            batch = requests[start : start + PAGE_SIZE]
            listed = self._list_by_id_windows([r.bc_order_id for r in batch])
            payloads = [listed[r.bc_order_id] for r in batch if r.bc_order_id in listed]
            for request in batch:
                if request.bc_order_id in listed:
                    continue
                try:
                    payloads.append(self.client.get_order(request.bc_order_id))
                except NotFoundError:
                    OrderError.objects.filter(
                        connection=self.connection,
                        bc_order_id=request.bc_order_id,
                        resolved_at__isnull=True,
                        shipment__isnull=True,
                    ).update(
                        resolved_at=self.ctx.run.started_at,
                        resolution=OrderError.Resolution.RESOLVED,
                        resolution_note="The order no longer exists in BigCommerce.",
                        retry_requested_at=None,
                    )
                    self._log(
                        f"Order {request.bc_order_id} was asked for but no longer exists in "
                        "BigCommerce.",
                        LogEntry.Level.WARNING,
                        request.bc_order_id,
                    )
            if payloads:
                with self._page():
                    self._import(payloads, force=True)
            OrderFetchRequest.objects.filter(pk__in=[r.pk for r in batch]).delete()
            self.ctx.progress(done=self.done)

    def _list_by_id_windows(self, ids: list[int]) -> dict[int, dict]:
        """Orders asked for by id, several at a time: ids less than a page apart are read with
        one listing (`min_id`/`max_id`); an order it does not return (archived, incomplete) or
        a lone id is then fetched by id."""
        found: dict[int, dict] = {}
        for group in _id_windows(sorted(set(ids))):
            if len(group) < 2:
                continue
            wanted = set(group)
            page = first_page(
                self.client.iter_order_pages(
                    min_id=group[0], max_id=group[-1], sort="id:asc", limit=PAGE_SIZE
                )
            )
            for payload in page:
                if isinstance(payload, dict) and int(payload.get("id") or 0) in wanted:
                    found[int(payload["id"])] = payload
        return found
