"""Retention of customers' personal data (the tenant's `pii_retention_days`): orders shipped or
cancelled that many days ago lose names, e-mails, phones, street addresses and messages; what
accounting needs stays (order ids, lines, totals, currency, payment method, country). Runs
nightly as a retention step of the engine's retention task, in batches."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from connections.models import Tenant

from ..models import Address, Customer, Order

BATCH_SIZE = 500
#: The keys of BigCommerce's order (the `raw` copy) that hold nothing personal and are kept.
RAW_KEPT = frozenset(
    {
        "id", "status_id", "status", "date_created", "date_modified", "date_shipped",
        "currency_code", "currency_id", "currency_exchange_rate", "default_currency_code",
        "subtotal_ex_tax", "subtotal_inc_tax", "subtotal_tax", "total_ex_tax", "total_inc_tax",
        "total_tax", "base_shipping_cost", "shipping_cost_ex_tax", "shipping_cost_inc_tax",
        "shipping_cost_tax", "handling_cost_ex_tax", "handling_cost_inc_tax", "discount_amount",
        "coupon_discount", "items_total", "items_shipped", "payment_method", "payment_status",
        "refunded_amount", "order_is_digital", "order_source", "channel_id", "is_deleted",
        "geoip_country_iso2", "tax_provider_id", "store_credit_amount", "gift_certificate_amount",
    }
)  # fmt: skip
#: Address fields that identify a person or a place; country and shipping method are kept.
ADDRESS_BLANKED = {
    f: "" for f in (
        "first_name", "last_name", "company", "street_1", "street_2", "city", "state", "zip",
        "phone", "email",
    )
}  # fmt: skip


def orders_due_for_anonymising(*, tenant: Tenant, now: datetime):
    """The tenant's shipped or cancelled orders past its personal-data retention that still
    hold personal data (never anonymised, or imported again since)."""
    if tenant.pii_retention_days is None:
        return Order.objects.none()
    cutoff = now - timedelta(days=tenant.pii_retention_days)
    return (
        Order.objects.filter(
            tenant=tenant,
            hub_status__in=[Order.HubStatus.SHIPPED, Order.HubStatus.CANCELLED],
        )
        .alias(finished_at=Coalesce("date_shipped", "date_modified"))
        .filter(finished_at__lt=cutoff)
        .filter(Q(anonymised_at__isnull=True) | Q(updated_at__gt=F("anonymised_at")))
    )


def orders_anonymise(*, tenant: Tenant, now: datetime, batch_size: int = BATCH_SIZE) -> dict:
    """Anonymise the tenant's due orders, a batch per transaction, then delete the customers
    left without any order. {"orders_anonymised": n, "customers_deleted": m}."""
    due = orders_due_for_anonymising(tenant=tenant, now=now)
    anonymised = 0
    while True:
        batch = list(due.order_by("pk").values_list("pk", "raw")[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            for pk, raw in batch:
                Order.objects.filter(pk=pk).update(raw=_raw_kept(raw))
            ids = [pk for pk, _ in batch]
            Order.objects.filter(pk__in=ids).update(
                email="", customer=None, customer_message="", staff_notes="",
                anonymised_at=now, updated_at=now,
            )  # fmt: skip
            Address.objects.filter(order_id__in=ids).update(**ADDRESS_BLANKED)
        anonymised += len(batch)
    deleted = 0
    if anonymised:
        deleted = Customer.objects.filter(tenant=tenant, orders__isnull=True).delete()[0]
    return {"orders_anonymised": anonymised, "customers_deleted": deleted}


def _raw_kept(raw) -> dict:
    return {k: v for k, v in raw.items() if k in RAW_KEPT} if isinstance(raw, dict) else {}
