"""The explicit corrections of the vendored specs (the files are never edited), each with
its reason, and the query parameters BigCommerce accepts but its specs omit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connections.bigcommerce.carriers import tracking_carriers

from .overrides_catalog import NAMED_RECORDS_REASON, named_records_path, options_paths


@dataclass(frozen=True)
class Override:
    """One explicit correction of a vendored spec (the file itself is never edited)."""

    spec: str  # file name in SPEC_DIR
    pointer: str  # JSON pointer of the node changed
    action: str  # "merge" (dict.update), "set" (replace), "append" (list.append)
    value: Any
    reason: str


def _tracking_carriers() -> list[str]:
    """BigCommerce's carrier codes (``connections.bigcommerce.carriers``), plus ""."""
    return ["", *tracking_carriers()]


_ORDER_SORT_FIELDS = (
    "id",
    "customer_id",
    "date_created",
    "date_modified",
    "status_id",
    "channel_id",
    "external_id",
)
_RESOURCE_LINK = {"required": ["url", "resource"], "additionalProperties": False}
_RESOURCE_LINK_REASON = (
    "Sub-resource links are always exactly {url, resource} in BigCommerce answers. The spec "
    "leaves this object open and optional, so it matched ANY object: orderProducts-valued "
    "`line_items` and consignment objects passed through the link alternative of their "
    "oneOf unvalidated. Closing the link makes the alternatives mean something."
)


#: Every correction applied to the vendored specs, with its reason.
OVERRIDES: tuple[Override, ...] = (
    Override(
        "orders.v2.oas2.yml",
        "/components/parameters/sort/schema/enum",
        "set",
        [*_ORDER_SORT_FIELDS, *(f"{f}:{d}" for f in _ORDER_SORT_FIELDS for d in ("asc", "desc"))],
        "GET /v2/orders `sort`: the enum lists bare field names, but the parameter's own "
        "description (and NOTES.md) says to append `:asc` or `:desc`, e.g. "
        "`sort=date_created:desc`. The suffixed forms are added to the enum.",
    ),
    Override(
        "orders.v2.oas2.yml",
        "/paths/~1orders/get/parameters",
        "append",
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "number", "maximum": 250, "default": 50},
        },
        "GET /v2/orders `limit`: the spec gives no bound; BigCommerce returns at most 250 "
        "orders a page (NOTES.md) and silently caps a larger limit, which would make a "
        "client's page arithmetic skip orders. The operation-level parameter (which "
        "overrides the shared `limit`) adds maximum 250.",
    ),
    Override(
        "orders.v2.oas2.yml",
        "/paths/~1orders/get/responses",
        "merge",
        {"204": {"description": "No orders match the filter (NOTES.md)."}},
        "GET /v2/orders: BigCommerce answers an empty result with `204 No Content` "
        "(NOTES.md); the spec documents only 200.",
    ),
    Override(
        "orders.v2.oas2.yml",
        "/components/schemas/orderShipment_Post/properties/items/items",
        "merge",
        {"required": ["order_product_id", "quantity"]},
        "POST /v2/orders/{id}/shipments: the `items` description says 'order_product_id "
        "(required), quantity (required)'; the item schema lists no required members.",
    ),
    *(
        Override(
            "orders.v2.oas2.yml",
            f"/components/schemas/{schema}/properties/tracking_carrier",
            "merge",
            {"enum": _tracking_carriers()},
            f"{schema}.tracking_carrier is a free string; its description says acceptable "
            "values are '' or one of the tracking-carrier values, which NOTES.md vendors as "
            "tracking_carrier_values.csv. The enum is that list plus ''.",
        )
        for schema in ("orderShipment_Post", "orderShipment_Put")
    ),
    Override(
        "inventory.v3.yml",
        "/components/schemas/AdjustmentsAbsoluteRequest/properties/items",
        "merge",
        {"maxItems": 2000},
        "PUT /v3/inventory/adjustments/absolute: the operation's description says 'Limit of "
        "2000 items for payload length' (NOTES.md: up to 2000 items a request); the schema "
        "has no maxItems.",
    ),
    Override(
        "products_catalog.v3.yml",
        "/components/schemas/product_Full/allOf/2/properties/base_variant_id",
        "merge",
        {"nullable": True},
        "GET /v3/catalog/products: `base_variant_id` is `type: integer` but its description "
        "says 'This value is `null` for complex products' (products with variants).",
    ),
    Override(
        "products_catalog.v3.yml",
        "/components/schemas/product_Full/allOf/2/properties/variants",
        "set",
        {"type": "array", "items": {"$ref": "#/components/schemas/productVariant_Full"}},
        "GET /v3/catalog/products?include=variants: the `include` enum offers `variants` but "
        "product_Full does not declare the property, so the variants (whose SKUs the hub "
        "matches on) would pass unvalidated. Declared with the spec's own productVariant_Full.",
    ),
    *(
        Override(
            "products_catalog.v3.yml",
            f"/components/schemas/{schema}/properties/{prop}",
            "merge",
            {"nullable": True},
            "products_catalog.v3.yml's copy of productVariant_Full (used for include=variants) "
            f"says `{prop}` is not nullable; product-variants_catalog.v3.yml, the variants "
            f"API's own spec, {why}.",
        )
        for schema, prop, why in (
            (
                "productVariant_Full/allOf/1",
                "sku_id",
                "declares it nullable (`null` for a base variant, as inventory.v3.yml also says)",
            ),
            ("productVariant_Base", "upc", "declares it nullable"),
            ("productVariant_Base", "mpn", "declares it nullable"),
            ("productVariant_Base", "gtin", "declares it nullable"),
            (
                "productVariant_Base",
                "map_price",
                "does not declare it and its examples show an absent MAP price as null "
                "(rendered `map_price: {}`, as the orders spec renders null `credit_card_type`)",
            ),
        )
    ),
    Override(
        "webhooks.v3.yml",
        "/components/responses/webhooks_Resp/content/application~1json/schema/properties/data",
        "merge",
        {"minItems": 0},
        "GET /v3/hooks: `data` has minItems 1, but the operation lists the app's hooks (and "
        "filters them by scope/destination/is_active): with none it answers `data: []`, "
        "like every v3 list. The hub lists its hooks before it registers any.",
    ),
    Override(
        "inventory.v3.yml",
        "/components/schemas/ItemResponse/properties/identity/properties/sku_id",
        "merge",
        {"nullable": True},
        "GET /v3/inventory/items: `sku_id` is `type: integer`, its description says '`null` "
        "if the item is a base variant'.",
    ),
    Override(
        "orders.v2.oas2.yml",
        "/components/schemas/orderTaxes_Base/properties/order_product_id",
        "merge",
        {"nullable": True},
        "GET /v2/orders/{id}/taxes: `order_product_id` is `type: string`, its description "
        "says it 'will return as null' for other line item types.",
    ),
    *(
        Override(
            "orders.v2.oas2.yml",
            f"/components/schemas/{name}",
            "merge",
            _RESOURCE_LINK,
            _RESOURCE_LINK_REASON,
        )
        for name in (
            "products_Resource",
            "shippingAddresses_Resource",
            "coupons_Resource",
            "orderConsignments_Resource",
            "orderFees_Resource",
        )
    ),
    Override(
        "products_catalog.v3.yml",
        "/components/schemas/product_Put_Collection",
        "merge",
        {"maxItems": 10},
        "PUT /v3/catalog/products: the operation's description says 'Batches are limited to 10 "
        "products' (and its 413 example: 'The maximum items allowed in the array is 10'); the "
        "schema has no maxItems.",
    ),
    Override(
        "product-variants_catalog.v3.yml",
        "/paths/~1catalog~1variants/put/requestBody/content/application~1json/schema",
        "merge",
        {"maxItems": 50},
        "PUT /v3/catalog/variants: the operation's description says 'Currently the limit is 50 "
        "variants' (413 example: 'The maximum items allowed in the array is 50'); the schema "
        "has no maxItems.",
    ),
    Override(
        "products_catalog.v3.yml",
        "/components/schemas/product_Base_POST/properties/variants/items",
        "set",
        {
            "allOf": [
                {"$ref": "#/components/schemas/productVariant_Base"},
                {
                    "type": "object",
                    "required": ["sku"],
                    "properties": {
                        "sku": {"type": "string", "minLength": 1, "maxLength": 255},
                        "option_values": {
                            "type": "array",
                            "items": {
                                "$ref": "#/components/schemas/productVariantOptionValue_Full"
                            },
                        },
                    },
                },
            ]
        },
        "POST /v3/catalog/products: the inline `variants` reuse productVariant_Full, which "
        "requires `id` and `product_id`; neither exists before the product is created (the "
        "operation says 'you can create multiple product variants using the `variants` "
        "array'). A created variant needs its `sku` and `option_values` (display name and "
        "label), as the variants spec's own create operation says.",
    ),
    Override(
        "products_catalog.v3.yml",
        "/paths/~1catalog~1categories",
        "merge",
        named_records_path(
            "Categories", {"parent_id": {"type": "integer", "minimum": 0}}, ("parent_id",)
        ),
        NAMED_RECORDS_REASON.format(path="/v3/catalog/categories", extra=", parent_id"),
    ),
    Override(
        "products_catalog.v3.yml",
        "/paths/~1catalog~1brands",
        "merge",
        named_records_path("Brands", {}, ()),
        NAMED_RECORDS_REASON.format(path="/v3/catalog/brands", extra=""),
    ),
    *(
        Override(
            "products_catalog.v3.yml",
            "/paths/" + path.replace("/", "~1"),
            "merge",
            item,
            "A listing's new variant needs its option value on the product first (Create a "
            "Product Variant Option / Option Value), and the Variant option type setting "
            "changes a published product's options (Update a Product Variant Option); all in "
            "BigCommerce's product variant options spec, which is not vendored. The members "
            "the hub uses are declared here, by hand, after BigCommerce's documentation; "
            "vendoring that spec should replace this.",
        )
        for path, item in options_paths().items()
    ),
)

#: Query parameters real BigCommerce accepts that the specs omit: (api, METHOD, path
#: template) -> {name: schema}. Only facts recorded in shared/bigcommerce/NOTES.md.
EXTRA_QUERY_PARAMETERS: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {
    # NOTES.md: archived orders have is_deleted: true; listing them needs is_deleted=true.
    ("v2", "GET", "/orders"): {"is_deleted": {"type": "boolean"}},
}
