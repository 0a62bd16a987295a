"""What can be wrong with a BigCommerce order before it is imported: its lines (unknown or
missing SKU, inventory tracking off) and its shipping addresses; and the hub's fulfilment
status from shipped quantities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.models import Product, ProductLink
from connections.models import Connection

from ..models import Order, OrderError
from ..normalize import NormalizedOrder

# Countries whose addresses have no postal code (a blank zip is fine there).
NO_POSTAL_CODE_COUNTRIES = frozenset(
    "AE AG AN AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GN GQ GY HK "
    "KI KM KN KP LY ML MR MW NR NU QA RW SB SC SL SO SR ST SY TF TG TK TL TO TV UG VU YE ZW".split()
)


@dataclass
class ProductResolver:
    """The page's hub products: by BigCommerce variant (ProductLink) and by SKU."""

    links: dict[int, tuple[int | None, str]]
    products: dict[str, int]

    @classmethod
    def for_orders(
        cls, connection: Connection, orders: Iterable[NormalizedOrder]
    ) -> ProductResolver:
        variant_ids, skus = set(), set()
        for order in orders:
            for line in order.lines:
                if line["bc_variant_id"]:
                    variant_ids.add(line["bc_variant_id"])
                if line["sku"]:
                    skus.add(line["sku"])
        links = {}
        if variant_ids:
            links = {
                variant: (product, tracking)
                for variant, product, tracking in ProductLink.objects.filter(
                    connection=connection, bc_variant_id__any_of=variant_ids
                )
                .order_by()
                .values_list("bc_variant_id", "product_id", "inventory_tracking")
            }
        products = {}
        if skus:
            products = dict(
                Product.objects.filter(tenant_id=connection.tenant_id, sku__any_of=skus)
                .order_by()
                .values_list("sku", "pk")
            )
        return cls(links=links, products=products)

    def resolve(self, line: dict) -> tuple[int | None, str | None, str]:
        """(hub product id, problem code, problem text) of one line."""
        label = f"line {line['bc_line_id']}" + (f" “{line['name']}”" if line["name"] else "")
        link = self.links.get(line["bc_variant_id"]) if line["bc_variant_id"] else None
        if link is not None and link[0] is not None:
            product_id, tracking = link
            if tracking == ProductLink.Tracking.NONE:
                return (
                    product_id,
                    OrderError.Code.TRACKING_OFF,
                    f"{label} (SKU “{line['sku']}”): inventory tracking is off for this product "
                    "in BigCommerce, so its stock is not kept there and the shipment cannot be "
                    "confirmed by stock; turn on “Track inventory” for it",
                )
            return product_id, None, ""
        if not line["sku"]:
            return (
                None,
                OrderError.Code.MISSING_SKU,
                f"{label} has no SKU in BigCommerce; give the product (or variant) a SKU",
            )
        product_id = self.products.get(line["sku"])
        if product_id is None:
            padded = (
                " (note the spaces around it in BigCommerce)"
                if (line["raw_sku"] != line["sku"])
                else ""
            )
            return (
                None,
                OrderError.Code.UNKNOWN_SKU,
                f"{label}: SKU “{line['sku']}”{padded} is not a hub product; create it in the "
                "hub or correct the SKU in BigCommerce",
            )
        return product_id, None, ""


def address_problems(order: NormalizedOrder) -> dict[str, str]:
    if not order.shipping:
        why = (
            "it is a pickup order" if order.has_pickups else "BigCommerce sent no shipping address"
        )
        return {OrderError.Code.MISSING_SHIPPING_ADDRESS: f"No shipping address: {why}."}
    problems = []
    for address in order.shipping:
        missing = []
        if not (address["country_iso2"] or address["country"]):
            missing.append("country")
        if not address["zip"] and address["country_iso2"] not in NO_POSTAL_CODE_COUNTRIES:
            missing.append("postal code")
        if not address["street_1"]:
            missing.append("street")
        if missing:
            problems.append(
                f"shipping address {address['bc_address_id']} has no {' and no '.join(missing)}"
            )
    if problems:
        return {
            OrderError.Code.INVALID_ADDRESS: "Invalid address: "
            + "; ".join(problems)
            + ". Correct it in BigCommerce."
        }
    return {}


def line_problems(
    order: NormalizedOrder, resolver: ProductResolver
) -> tuple[list[int | None], dict[str, str]]:
    products: list[int | None] = []
    found: dict[str, list[str]] = defaultdict(list)
    for line in order.lines:
        product_id, code, text = resolver.resolve(line)
        products.append(product_id)
        if code:
            found[code].append(text)
        if line["quantity"] < 0:
            found[OrderError.Code.INVALID_QUANTITY].append(
                f"line {line['bc_line_id']} (SKU “{line['sku']}”) has quantity "
                f"{line['quantity']} in BigCommerce; correct the quantity in BigCommerce, then "
                "retry this error"
            )
    if not order.lines and order.shipping:
        found[OrderError.Code.MISSING_SKU].append("the order has no physical lines to ship")
    return products, {code: _sentence("; ".join(texts)) for code, texts in found.items()}


def _sentence(text: str) -> str:
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def hub_status_for(*, cancelled: bool, lines: Iterable[tuple[int, int]]) -> str:
    """From (quantity, quantity shipped) pairs."""
    if cancelled:
        return Order.HubStatus.CANCELLED
    total = shipped = 0
    for quantity, quantity_shipped in lines:
        total += quantity
        shipped += min(quantity, quantity_shipped)
    if total and shipped >= total:
        return Order.HubStatus.SHIPPED
    if shipped:
        return Order.HubStatus.PARTIALLY_SHIPPED
    return Order.HubStatus.OPEN
