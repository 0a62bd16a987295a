"""Demo seed: a few hub products ready to publish on the demo's sandbox store (a variant group
and two simple products, with brand, category, images and attributes)."""

from __future__ import annotations

from decimal import Decimal

from connections.models import Tenant

from .product_data import product_data_set_bulk

IMAGE = "https://example.com/images/{}.jpg"


def demo_listing_products_seed(*, tenant: Tenant) -> None:
    common = {"brand": "Hub Outfitters", "weight": Decimal("0.4")}
    items = [
        {
            "sku": "HUB-HOODIE",
            "name": "Hub hoodie",
            "description": "<p>A warm hoodie from the hub's warehouse.</p>",
            "price": Decimal("39.00"),
            "categories": ["Hub picks"],
            "image_urls": [IMAGE.format("hoodie")],
            "attributes": [{"name": "Material", "value": "Organic cotton"}],
            **common,
        },
        *[
            {
                "sku": f"HUB-HOODIE-{size}",
                "parent_sku": "HUB-HOODIE",
                "price": Decimal("39.00"),
                "option_values": [{"option": "Size", "value": size}],
            }
            for size in ("S", "M", "L")
        ],
        {
            "sku": "HUB-BOTTLE",
            "name": "Hub water bottle",
            "price": Decimal("14.50"),
            "categories": ["Hub picks"],
            "image_urls": [IMAGE.format("bottle")],
            "attributes": [{"name": "Capacity", "value": "750 ml"}],
            **common,
        },
        {
            "sku": "HUB-CAP",
            "name": "Hub cap",
            "price": Decimal("12.00"),
            "categories": ["Hub picks"],
            **common,
        },
    ]
    product_data_set_bulk(tenant=tenant, items=items)
