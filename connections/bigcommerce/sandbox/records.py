"""The sandbox store's records: compact `__slots__` objects (the bench holds 100,000 variants).

`seed.py` builds them, the `store_*` modules change them and `render*.py` turn them into
BigCommerce JSON.
"""

from __future__ import annotations

from functools import lru_cache

# Address tuple layout (the address fields of the v2 API, in order).
ADDRESS_FIELDS = (
    "first_name", "last_name", "company", "street_1", "street_2", "city", "state", "zip",
    "country", "country_iso2", "phone", "email",
)


@lru_cache(maxsize=1 << 16)
def upc_for(n: int) -> str:
    """A valid 12-digit UPC-A built from a number."""
    body = f"{n % 10**11:011d}"
    odd = sum(map(int, body[0::2]))
    even = sum(map(int, body[1::2]))
    return body + str((10 - (odd * 3 + even) % 10) % 10)


class Variant:
    """A catalog variant. UPC, MPN and option value id derive from the ids (memory: the bench
    holds 100,000 variants); `upc_override` holds a UPC that differs (e.g. a blank one)."""

    __slots__ = ("id", "product", "index", "sku", "price", "inventory", "label", "modified",
                 "upc_override", "extra")

    def __init__(self, vid, product, index, sku, price, inventory, label):
        self.id = vid
        self.product = product
        self.index = index
        self.sku = sku
        self.price = price  # cents
        self.inventory = inventory
        self.label = label
        self.modified = product.modified
        self.upc_override = None
        # None for seeded variants; the JSON members written by the API (listings) override
        # the derived ones when rendered.
        self.extra = None

    @property
    def upc(self) -> str:
        if self.upc_override is not None:
            return self.upc_override
        return upc_for(70000000000 + self.id * 13)

    @property
    def mpn(self) -> str:
        if self.extra and "mpn" in self.extra:
            return self.extra["mpn"]
        return f"{self.product.mpn}-{self.index + 1}"

    @property
    def option_value_id(self) -> int:
        return self.product.id * 100 + self.index if self.label is not None else 0


class Product:
    __slots__ = ("id", "name", "sku", "upc", "mpn", "brand_id", "price", "cost", "weight",
                 "tracking", "inventory", "warning", "created", "modified", "variants",
                 "option_id", "option_name", "is_visible", "category", "extra")

    def __init__(self, pid):
        self.id = pid
        self.variants = []
        # None for seeded products; the JSON members written by the API (listings): they
        # override the rendered defaults. Keys starting with "_" are internal.
        self.extra = None


class Line:
    """An order product. `address_id` is the shipping address (consignment) it goes to."""

    __slots__ = ("id", "product_id", "variant_id", "sku", "name", "upc", "price", "qty",
                 "shipped", "refunded", "address_id", "weight", "option")

    def __init__(self, lid, product_id, variant_id, sku, name, upc, price, qty, address_id,
                 weight, option):
        self.id = lid
        self.product_id = product_id
        self.variant_id = variant_id
        self.sku = sku
        self.name = name
        self.upc = upc
        self.price = price  # cents, ex tax
        self.qty = qty
        self.shipped = 0
        self.refunded = 0
        self.address_id = address_id
        self.weight = weight
        # None, or (option_id, option_value_id, display_name, display_value)
        self.option = option


class Shipment:
    __slots__ = ("id", "address_id", "created", "tracking_number", "shipping_provider",
                 "tracking_carrier", "tracking_link", "comments", "items", "shipping_method")

    def __init__(self, sid, address_id, created, tracking_number, shipping_provider,
                 tracking_carrier, comments, items, shipping_method, tracking_link=""):
        self.id = sid
        self.address_id = address_id
        self.created = created
        self.tracking_number = tracking_number
        self.shipping_provider = shipping_provider
        self.tracking_carrier = tracking_carrier
        self.tracking_link = tracking_link
        self.comments = comments
        self.items = items  # tuple of (order_product_id, product_id, quantity)
        self.shipping_method = shipping_method


class Order:
    __slots__ = ("id", "customer_id", "email", "status_id", "created", "modified", "shipped_at",
                 "is_deleted", "billing", "ship_id", "ship_addr", "ship_method", "ship_cost",
                 "lines", "shipments", "payment_method", "source", "staff_notes",
                 "customer_message", "ip")

    def __init__(self, oid):
        self.id = oid
        self.shipments = None
        self.staff_notes = ""
        self.customer_message = ""
        self.shipped_at = 0


class Customer:
    __slots__ = ("id", "address")

    def __init__(self, cid, address):
        self.id = cid
        self.address = address
