"""Deterministic seed data for the sandbox store.

Everything here is a pure function of the seed and the sizes: `random.Random(seed)` drives
all choices and the only date anchor is `BASE_TS` (no wall clock). The records are in
`records.py`; the BigCommerce JSON shapes are built on demand by the `render*.py` modules.

Id ranges (per store): products from 100, variants from 1000, orders from 100, order products
and order addresses from 1, shipments from 1.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from .records import Customer, Line, Order, Product, Shipment, Variant, upc_for

BASE_TS = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
DAY = 86400
ORDER_SPAN_DAYS = 180

PRODUCT_ID_START = 100
VARIANT_ID_START = 1000
ORDER_ID_START = 100
LOCATION_ID = 1

# Status shares of seeded orders, in percent (most 11, then 10, 2, 5, ...).
STATUS_WEIGHTS = {
    11: 43, 10: 20, 2: 10, 5: 6, 9: 4, 7: 3, 1: 3, 0: 2, 3: 2, 4: 2,
    6: 1, 8: 1, 12: 1, 13: 1, 14: 1,
}

FIRST_NAMES = (
    "Jane", "John", "Maria", "Liam", "Olivia", "Noah", "Emma", "Lucas", "Ava", "Mia",
    "Ethan", "Sofia", "Mason", "Isabella", "Logan", "Amelia", "James", "Harper", "Elijah",
    "Evelyn", "Oliver", "Abigail", "Benjamin", "Emily", "Henry", "Ella", "Jack", "Chloe",
    "Leo", "Grace", "Zoe", "Hannah", "Samuel", "Nora", "David", "Lily", "Daniel", "Aria",
    "Matteo", "Freya",
)
LAST_NAMES = (
    "Doe", "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Martinez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson",
    "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
    "Hill", "Campbell", "Mitchell", "Roberts", "Carter",
)
COMPANIES = (
    "Acme Pty Ltd", "Laser Ltd", "Northwind Traders", "Globex Corp", "Initech",
    "Umbrella Supplies", "Stark Logistics", "Wayne Retail", "Hooli", "Vandelay Industries",
    "Soylent Foods", "Tyrell Trading", "Cyberdyne Parts", "Gringotts Goods", "Oceanic Imports",
)
STREETS = (
    "Main Street", "Oak Avenue", "Pine Road", "Maple Drive", "Cedar Lane", "Elm Street",
    "Sussex St", "High Street", "Station Road", "Church Lane", "Park Avenue", "Lake Shore Dr",
    "Sunset Blvd", "King Street", "Queen Street", "Market Street", "Mill Road", "River Way",
    "Hillcrest Ave", "Harbour Road",
)
# (city, state, zip prefix, country, iso2, shipping zone id, zone name, tax rate percent)
CITIES = (
    ("Austin", "Texas", "787", "United States", "US", 1, "United States", 0),
    ("Seattle", "Washington", "981", "United States", "US", 1, "United States", 0),
    ("Denver", "Colorado", "802", "United States", "US", 1, "United States", 0),
    ("Boston", "Massachusetts", "021", "United States", "US", 1, "United States", 0),
    ("Chicago", "Illinois", "606", "United States", "US", 1, "United States", 0),
    ("Miami", "Florida", "331", "United States", "US", 1, "United States", 0),
    ("Portland", "Oregon", "972", "United States", "US", 1, "United States", 0),
    ("New York", "New York", "100", "United States", "US", 1, "United States", 0),
    ("Toronto", "Ontario", "M5V", "Canada", "CA", 2, "Canada", 13),
    ("London", "England", "EC1", "United Kingdom", "GB", 3, "United Kingdom", 20),
    ("Berlin", "Berlin", "101", "Germany", "DE", 4, "Europe", 19),
    ("Sydney", "New South Wales", "200", "Australia", "AU", 5, "Australia", 10),
)
SHIPPING_METHODS = (
    ("Free Shipping", 0), ("Flat Rate", 599), ("UPS Ground", 1099), ("FedEx 2Day", 1899),
)
PAYMENT_METHODS = ("Credit Card", "PayPal", "Manual", "Cash on Delivery")
CARRIERS = (("ups", "ups"), ("fedex", "fedex"), ("usps", "usps"), ("", "dhl"))
ORDER_SOURCES = ("www", "www", "www", "mobile", "iphone", "manual", "external")

ADJECTIVES = (
    "Classic", "Modern", "Vintage", "Rugged", "Slim", "Deluxe", "Everyday", "Premium",
    "Compact", "Urban", "Coastal", "Alpine", "Studio", "Heritage", "Nordic", "Essential",
)
MATERIALS = ("Cotton", "Leather", "Wool", "Linen", "Bamboo", "Steel", "Ceramic", "Canvas")
NOUNS = (
    "T-Shirt", "Hoodie", "Backpack", "Mug", "Water Bottle", "Notebook", "Cap", "Scarf",
    "Sneakers", "Wallet", "Desk Lamp", "Tote Bag", "Socks", "Apron", "Blanket", "Poster",
    "Phone Case", "Belt", "Gloves", "Jacket",
)
BRANDS = ((0, ""), (1, "Sandbox Basics"), (2, "Common Good"), (3, "Northfield"))
SIZES = ("S", "M", "L", "XL", "XXL", "3XL")
COLORS = ("Black", "White", "Red", "Blue", "Green", "Grey", "Navy", "Pink")


def store_rng(seed: int, index: int) -> random.Random:
    """The generator of one store: the first store uses `Random(seed)` itself."""
    return random.Random(seed if index == 0 else seed * 1000 + index)


def make_address(rng: random.Random, first=None, last=None, email=None) -> tuple:
    first = first or rng.choice(FIRST_NAMES)
    last = last or rng.choice(LAST_NAMES)
    city = rng.choice(CITIES)
    company = rng.choice(COMPANIES) if rng.random() < 0.2 else ""
    street_2 = f"Suite {rng.randint(1, 400)}" if rng.random() < 0.15 else ""
    if city[4] == "US":
        zip_code = f"{city[2]}{rng.randint(10, 99)}"
    else:
        zip_code = f"{city[2]} {rng.randint(1, 9)}AB"
    email = email or f"{first}.{last}{rng.randint(1, 999)}@example.com".lower()
    return (
        first, last, company, f"{rng.randint(1, 9999)} {rng.choice(STREETS)}", street_2,
        city[0], city[1], zip_code, city[3], city[4],
        f"+1 555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}", email,
    )


def build_catalog(rng: random.Random, n_products: int, k_variants: int):
    """Products with `k_variants` variants each, plus data-quality quirks in the SKUs."""
    products: list[Product] = []
    variants: list[Variant] = []
    k = max(1, k_variants)
    used_names = set()
    vid = VARIANT_ID_START
    for i in range(n_products):
        p = Product(PRODUCT_ID_START + i)
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS)} {rng.choice(NOUNS)}"
        if name in used_names:
            name = f"{name} {p.id}"
        used_names.add(name)
        p.name = name
        p.sku = f"SB-{p.id}"
        p.upc = upc_for(40000000000 + p.id * 7)
        p.mpn = f"MPN-{p.id}"
        p.brand_id = rng.choice(BRANDS)[0]
        p.price = rng.randint(5, 250) * 100 - rng.choice((0, 1, 5))
        p.cost = p.price * rng.randint(35, 60) // 100
        p.weight = rng.randint(1, 40) / 10
        r = rng.random()
        if k == 1:
            p.tracking = "none" if r < 0.1 else "product"
        else:
            p.tracking = "none" if r < 0.08 else ("product" if r < 0.2 else "variant")
        p.warning = 5
        p.created = BASE_TS - rng.randint(200, 700) * DAY
        p.modified = min(BASE_TS - DAY, p.created + rng.randint(0, 400) * DAY)
        p.is_visible = rng.random() > 0.05
        p.category = rng.randint(18, 30)
        p.option_id = p.id * 10 if k > 1 else 0
        if k > 1:
            use_size = rng.random() < 0.5
            pool = SIZES if use_size else COLORS
            p.option_name = "Size" if use_size else "Color"
            labels = pool[:k] if k <= len(pool) else tuple(f"Option {j + 1}" for j in range(k))
        else:
            p.option_name = ""
            labels = (None,)
        for j, label in enumerate(labels):
            if label is None:
                sku = p.sku
            else:
                sku = f"{p.sku}-{label.upper().replace(' ', '')}"
            inv = 0 if rng.random() < 0.1 else rng.randint(1, 200)
            price = p.price + (j * 100 if rng.random() < 0.3 else 0)
            v = Variant(vid, p, j, sku, price, inv if p.tracking == "variant" else 0, label)
            p.variants.append(v)
            variants.append(v)
            vid += 1
        if p.tracking == "product":
            p.inventory = 0 if rng.random() < 0.1 else rng.randint(1, 300)
        elif p.tracking == "variant":
            p.inventory = sum(v.inventory for v in p.variants)
        else:
            p.inventory = 0
        products.append(p)

    # Data-quality quirks: blank, duplicate and whitespace-padded variant SKUs, and a few
    # blank UPCs. At least one of each once the catalog has 10 variants or more.
    n = len(variants)
    if n >= 10:
        per = max(1, n // 100)
        picks = rng.sample(range(1, n), min(n - 1, per * 4))
        blank, dup, padded, no_upc = (picks[0::4], picks[1::4], picks[2::4], picks[3::4])
        for idx in blank:
            variants[idx].sku = ""
        for idx in dup:
            src = variants[rng.randrange(0, idx)]
            if src.sku:
                variants[idx].sku = src.sku
            else:
                variants[idx].sku = variants[0].sku
        for idx in padded:
            if variants[idx].sku:
                variants[idx].sku = f" {variants[idx].sku} " if idx % 2 else f"{variants[idx].sku} "
        for idx in no_upc:
            variants[idx].upc_override = ""
        # A base variant's SKU is the product's SKU.
        for idx in blank + dup + padded:
            v = variants[idx]
            if v.label is None:
                v.product.sku = v.sku
    return products, variants


def _weighted(rng: random.Random, table: list, total: int):
    x = rng.random() * total
    for value, cumulative in table:
        if x < cumulative:
            return value
    return table[-1][0]


def build_orders(rng: random.Random, n_orders: int, variants: list[Variant]):
    """Orders, customers and the next free ids. Deterministic for the generator."""
    cum, acc = [], 0
    for status, weight in STATUS_WEIGHTS.items():
        acc += weight
        cum.append((status, acc))
    n_customers = max(5, n_orders // 3)
    customers = [Customer(i + 1, make_address(rng)) for i in range(n_customers)]
    orders: list[Order] = []
    span = ORDER_SPAN_DAYS * DAY
    gap = span / max(1, n_orders)
    created = float(BASE_TS)
    line_id = 1
    upcs: dict[int, str] = {}
    addr_id = 1
    ship_id = 1
    for i in range(n_orders):
        o = Order(ORDER_ID_START + i)
        created += rng.uniform(0.2, 1.8) * gap
        o.created = int(created)
        if o.created <= (orders[-1].created if orders else 0):
            o.created = orders[-1].created + 1
        o.status_id = _weighted(rng, cum, acc)
        if rng.random() < 0.15:
            o.customer_id = 0
            o.billing = make_address(rng)
        else:
            c = customers[rng.randrange(n_customers)]
            o.customer_id = c.id
            o.billing = c.address
        o.email = o.billing[11]
        o.ship_addr = o.billing if rng.random() < 0.8 else make_address(rng, email=o.email)
        o.ship_id = addr_id
        addr_id += 1
        method = rng.choice(SHIPPING_METHODS)
        o.ship_method, o.ship_cost = method
        o.payment_method = rng.choice(PAYMENT_METHODS)
        o.source = rng.choice(ORDER_SOURCES)
        o.ip = f"203.0.113.{rng.randint(1, 254)}"
        o.is_deleted = rng.random() < 0.02
        if rng.random() < 0.1:
            o.customer_message = "Please leave at the back door."
        lines = []
        n_lines = _weighted(rng, [(1, 50), (2, 80), (3, 95), (4, 100)], 100)
        for _ in range(n_lines):
            qty = _weighted(rng, [(1, 70), (2, 90), (3, 95), (4, 98), (5, 100)], 100)
            r = rng.random()
            if r < 0.03 or not variants:
                # A SKU the catalog does not have: a custom product (product id 0) or a
                # product deleted since the order was placed.
                custom = r < 0.015 or not variants
                pid = 0 if custom else 900000 + rng.randint(1, 9999)
                line = Line(line_id, pid, 0 if custom else pid * 10,
                            f"LEGACY-{rng.randint(1000, 9999)}",
                            "Custom engraving" if custom else "Discontinued item", "",
                            rng.randint(3, 60) * 100, qty, o.ship_id, 0.5, None)
            else:
                v = variants[rng.randrange(len(variants))]
                p = v.product
                option = None
                if v.label is not None:
                    option = (p.option_id, v.option_value_id, p.option_name, v.label)
                upc = upcs.get(v.id)
                if upc is None:
                    upc = upcs[v.id] = v.upc  # one string per variant, shared by its lines
                line = Line(line_id, p.id, v.id, v.sku, p.name, upc, v.price, qty, o.ship_id,
                            p.weight, option)
            line_id += 1
            lines.append(line)
        o.lines = lines
        # date_modified >= date_created; states past fulfilment were touched later.
        late = o.status_id in (2, 3, 4, 5, 10, 14)
        if late:
            delay = rng.randint(3600, 10 * DAY)
        else:
            delay = 0 if rng.random() < 0.4 else rng.randint(60, 2 * DAY)
        o.modified = o.created + delay
        if o.status_id in (2, 10, 3):
            carrier = rng.choice(CARRIERS)
            items = []
            if o.status_id == 3:
                if len(lines) == 1 and lines[0].qty == 1:
                    lines[0].qty = 2
                first = lines[0]
                first.shipped = first.qty if len(lines) > 1 else first.qty - 1
                items.append((first.id, first.product_id, first.shipped))
            else:
                for line in lines:
                    line.shipped = line.qty
                    items.append((line.id, line.product_id, line.qty))
            shipped_at = o.created + max(1, delay // 2)
            o.shipped_at = shipped_at
            o.shipments = [Shipment(ship_id, o.ship_id, shipped_at,
                                    f"1Z{rng.randint(10**9, 10**10 - 1)}", carrier[0], carrier[1],
                                    "", tuple(items), o.ship_method)]
            ship_id += 1
        elif o.status_id == 4:
            for line in lines:
                line.refunded = line.qty
        elif o.status_id == 14:
            lines[0].refunded = 1
        orders.append(o)

    # Small stores still get at least one archived order, one guest and one company.
    if n_orders >= 20:
        if not any(o.is_deleted for o in orders):
            orders[rng.randrange(n_orders)].is_deleted = True
        if not any(o.customer_id == 0 for o in orders):
            o = orders[rng.randrange(n_orders)]
            o.customer_id = 0
        if not any(o.ship_addr[2] for o in orders):
            o = orders[rng.randrange(n_orders)]
            o.ship_addr = (o.ship_addr[:2] + (COMPANIES[0],) + o.ship_addr[3:])
    next_ids = {"line": line_id, "address": addr_id, "shipment": ship_id,
                "customer": n_customers + 1}
    return orders, customers, next_ids
