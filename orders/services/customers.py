"""The tenant's customers, one per e-mail, kept up to date from their orders' billing."""

from __future__ import annotations

from django.utils import timezone

from dataflows.bulk import upsert_rows

from ..models import Customer
from ..normalize import NormalizedOrder

CUSTOMER_FIELDS = ("kind", "company", "first_name", "last_name", "phone", "bc_customer_id")


def customers_upsert(*, tenant_id: int, orders: list[NormalizedOrder]) -> dict[str, int]:
    """Customer ids by e-mail for the orders' buyers, created or brought up to date."""
    if not orders:
        return {}
    emails = {order.email for order in orders if order.email}
    existing = {
        row[0]: dict(zip(("pk", *CUSTOMER_FIELDS), row[1:], strict=True))
        for row in Customer.objects.filter(tenant_id=tenant_id, email__any_of=emails)
        .order_by()
        .values_list("email", "pk", *CUSTOMER_FIELDS)
    }
    ids = {email: customer["pk"] for email, customer in existing.items()}
    changed = []
    now = timezone.now()
    for order in orders:
        billing = order.billing
        company = billing["company"][:255]
        before = existing.get(order.email)
        wanted = {
            "kind": (Customer.Kind.COMPANY if company else Customer.Kind.PERSON).value,
            "company": company,
            "first_name": billing["first_name"][:255],
            "last_name": billing["last_name"][:255],
            "phone": billing["phone"][:64],
            "bc_customer_id": order.bc_customer_id
            or (before["bc_customer_id"] if before else None),
        }
        if before is not None and not company and before["kind"] == Customer.Kind.COMPANY:
            # A company that once ordered with its company name stays a company customer.
            wanted["kind"], wanted["company"] = before["kind"], before["company"]
        if before is not None and all(before[k] == v for k, v in wanted.items()):
            continue
        changed.append((tenant_id, order.email, *wanted.values(), now, now))
    if changed:
        columns = ("tenant_id", "email", *CUSTOMER_FIELDS, "created_at", "updated_at")
        ids.update(
            upsert_rows(
                Customer,
                columns,
                changed,
                unique=("tenant_id", "email"),
                update=(*CUSTOMER_FIELDS, "updated_at"),
                returning=("email", "id"),
            )
        )
    return ids
