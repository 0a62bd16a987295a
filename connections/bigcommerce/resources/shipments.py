"""Shipments (v2): listing an order's shipments and creating one, never twice."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from ..errors import BigCommerceError, MalformedResponseError, ServerError, TransportError
from ..shipments import shipment_matches
from .base import ResourceBase

logger = logging.getLogger("connections.bigcommerce.client")


def _id(shipment: dict[str, Any]) -> int:
    try:
        return int(shipment.get("id") or 0)
    except (TypeError, ValueError):
        return 0


class ShipmentsAPI(ResourceBase):
    def list_order_shipments(self, order_id: int) -> list[dict[str, Any]]:
        return self._all_v2(f"/v2/orders/{int(order_id)}/shipments")

    def find_order_shipment(
        self, order_id: int, payload: dict[str, Any], *, claimed: Collection[int] = ()
    ) -> dict[str, Any] | None:
        """The order's existing shipment matching ``payload`` (see ``shipment_matches``) that
        is not one of ``claimed`` (the ids the caller already holds for its other shipments:
        two shipments of one line with a blank or reused tracking number look alike, so only
        an unclaimed one can be this payload's).

        With several matches, the oldest (lowest id) unclaimed one.
        """
        taken = {int(i) for i in claimed}
        matches = [
            s
            for s in self.list_order_shipments(order_id)
            if _id(s) not in taken and shipment_matches(s, payload)
        ]
        if not matches:
            return None
        return min(matches, key=_id)

    def create_order_shipment(
        self,
        order_id: int,
        payload: dict[str, Any],
        *,
        check_first: bool = False,
        claimed: Collection[int] = (),
    ) -> dict[str, Any]:
        """``POST /v2/orders/{id}/shipments``, never creating the shipment twice.

        A POST is not repeated blindly. When its outcome is unclear (timeout, dropped
        connection, 5xx, unreadable answer) BigCommerce may have created the shipment all the
        same, so the order's shipments are listed:
          * a shipment matching the payload (tracking number, address, items) is there:
            it is returned, nothing is posted again;
          * it is clearly absent: the POST is sent again, at most ``max_retries`` times
            (with backoff);
          * the listing itself fails: the POST's error is raised with
            ``shipment_may_exist = True`` (a later retry should pass ``check_first=True``).
        ``check_first`` looks for the shipment before the first POST (for a caller retrying
        an earlier unclear attempt). ``claimed``: BigCommerce shipment ids the caller's other
        shipments of the order already hold, never taken for this one. 4xx answers are clear
        and raised at once; 429 is retried inside the request (BigCommerce rejects it before
        doing anything).
        """
        order_id = int(order_id)
        path = f"/v2/orders/{order_id}/shipments"
        if check_first:
            existing = self.find_order_shipment(order_id, payload, claimed=claimed)
            if existing is not None:
                return existing
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._send_dict("POST", path, payload)
            except (ServerError, TransportError, MalformedResponseError) as exc:
                unclear = exc
            logger.warning(
                "BigCommerce store %s: creating a shipment on order %d had an unclear outcome "
                "(%s); checking whether it exists before posting again",
                self.store_hash,
                order_id,
                type(unclear).__name__,
            )
            try:
                existing = self.find_order_shipment(order_id, payload, claimed=claimed)
            except BigCommerceError as listing_failed:
                unclear.hint = (
                    f"BigCommerce may have created the shipment on order {order_id} without "
                    "confirming it, and the order's shipments could not be listed "
                    f"({type(listing_failed).__name__}): check the order's shipments in "
                    "BigCommerce before retrying."
                )
                unclear.shipment_may_exist = True  # type: ignore[attr-defined]
                raise unclear from listing_failed
            if existing is not None:
                logger.info(
                    "BigCommerce store %s: shipment %s of order %d was created after all",
                    self.store_hash,
                    existing.get("id"),
                    order_id,
                )
                return existing
            if attempt > self.max_retries:
                raise unclear
            self._backoff(attempt, "a shipment POST that was not applied", f"POST {path}")
