"""What the listings methods answer per item (``ItemOutcome``), BigCommerce's message for a
refused item, and how a product or variant found on the store is told to be the one a create
sent (a repeated create, its first answer lost)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import BigCommerceError, describe_details, excerpt, parse_error_body


@dataclass(frozen=True)
class ItemOutcome:
    """What BigCommerce did with one item. ``key`` is the caller's reference."""

    key: str
    ok: bool
    product_id: int | None = None
    variant_ids: dict[str, int] = field(default_factory=dict)
    status: int | None = None
    error: str = ""


def item_error_text(exc: BigCommerceError) -> str:
    """BigCommerce's message for one item: title, detail and per-field errors."""
    title, details = parse_error_body(exc.body)
    details = [d for d in details if d.get("field") or d.get("message") != title]
    said = describe_details(details, limit=10)
    text = f"{title.rstrip('.')}; {said}" if title and said else title or said
    return excerpt(text or exc.message, 1000)


def int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def variant_ids_of(product: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in product.get("variants") or []:
        if isinstance(v, dict) and isinstance(v.get("sku"), str) and int_or_none(v.get("id")):
            out[v["sku"]] = v["id"]
    return out


def option_labels(option_values: Any) -> set[tuple[str, str]]:
    return {
        (str(o.get("option_display_name", "")).casefold(), str(o.get("label", "")))
        for o in option_values or []
        if isinstance(o, dict)
    }


def same_product(found: dict[str, Any], payload: dict[str, Any]) -> bool:
    """The store's product is the one `payload` describes (what a repeated create meets)."""
    name = str(payload.get("name") or "").strip().casefold()
    skus = {v.get("sku") for v in payload.get("variants") or [] if isinstance(v, dict)}
    return (
        found.get("sku") == payload.get("sku")
        and str(found.get("name") or "").strip().casefold() == name
        and skus <= set(variant_ids_of(found))
    )
