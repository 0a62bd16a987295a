"""Order errors after their cause was fixed: retried (the order fetched again, the shipment
sent again) or ignored with a reason."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from connections.audit import Action, audit_record
from connections.models import Connection

from ..flows.kinds import ORDER_UPDATE
from ..models import OrderError, OrderFetchRequest, Shipment
from .fetch_requests import flow_queue, orders_fetch_request


def order_errors_retry(*, errors: Iterable[OrderError]) -> int:
    """Retry open errors after their cause was fixed: import errors fetch their order again
    in the next Order Import run; a rejected shipment is sent again by the next Order Update.
    Returns how many errors will be retried."""
    errors = [e for e in errors if e.resolved_at is None]
    if not errors:
        return 0
    now = timezone.now()
    by_connection: dict[int, tuple[Connection, set[int]]] = {}
    shipments = []
    for error in errors:
        if error.connection.status == Connection.Status.DELETING:
            continue
        if error.code == OrderError.Code.SHIPMENT_REJECTED and error.shipment_id:
            shipments.append(error.shipment_id)
        else:
            by_connection.setdefault(error.connection_id, (error.connection, set()))[1].add(
                error.bc_order_id
            )
    with transaction.atomic():
        OrderError.objects.filter(pk__in=[e.pk for e in errors], resolved_at__isnull=True).update(
            retry_requested_at=now
        )
        if shipments:
            # A refusal is a clear answer (nothing was created): no need to look first.
            Shipment.objects.filter(pk__in=shipments, status=Shipment.Status.REJECTED).update(
                status=Shipment.Status.PENDING
            )
            for connection_id in {
                e.connection_id for e in errors if e.shipment_id in set(shipments)
            }:
                transaction.on_commit(partial(flow_queue, connection_id, ORDER_UPDATE))
        for connection, ids in by_connection.values():
            orders_fetch_request(
                connection=connection, bc_order_ids=ids, reason=OrderFetchRequest.Reason.RETRY
            )
    return len(errors)


def order_errors_ignore(*, errors: Iterable[OrderError], reason: str, user=None) -> int:
    """Ignore open errors, with the reason recorded: they no longer count as errors, and the
    same problem of the same order is not reported again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the error is ignored."})
    if len(reason) > 1000:
        raise ValidationError({"reason": "Keep the reason under 1000 characters."})
    pks = [e.pk for e in errors if e.resolved_at is None]
    if not pks:
        return 0
    with transaction.atomic():
        ignored = OrderError.objects.select_for_update().filter(
            pk__in=pks, resolved_at__isnull=True
        )
        by_connection: dict[int, list[int]] = {}
        for pk, connection_id in ignored.values_list("pk", "connection_id"):
            by_connection.setdefault(connection_id, []).append(pk)
        count = ignored.update(
            resolved_at=timezone.now(),
            resolution=OrderError.Resolution.IGNORED,
            resolution_note=reason,
            resolved_by=user,
            retry_requested_at=None,
        )
        for connection in Connection.objects.filter(pk__in=by_connection).select_related("tenant"):
            audit_record(
                action=Action.ERROR_IGNORED,
                connection=connection,
                user=user,
                details={"errors": sorted(by_connection[connection.pk]), "reason": reason},
            )
    return count
