from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from connections.models import Connection, Tenant


class Product(models.Model):
    """A hub product (the warehouse's SKU) of one tenant.

    available = on_hand - manual_reserved - reserved_by_orders, where reserved_by_orders is the
    open (not cancelled, not shipped) order lines' quantity, kept up to date by the orders app
    so that stock queries never have to aggregate order lines."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(max_length=255)
    ean = models.CharField(max_length=64, blank=True)
    upc = models.CharField(max_length=64, blank=True)
    mpn = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    weight = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    width = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    height = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    depth = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    # What a listing on a store needs beyond the above (the REST `product-data/` bulk sets it;
    # database defaults: the bulk inserts of Product Match leave them out).
    brand = models.CharField(max_length=255, blank=True, db_default="")
    # Image URLs (the first is the main one), category names, [{"name", "value"}] attributes.
    image_urls = models.JSONField(default=list, db_default=[], blank=True)
    categories = models.JSONField(default=list, db_default=[], blank=True)
    attributes = models.JSONField(default=list, db_default=[], blank=True)
    # A variant group: the parent is listed as one store product, its variants (children)
    # become its BigCommerce variants, told apart by their option values.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="variants"
    )
    # A variant's [{"option": "Size", "value": "M"}].
    option_values = models.JSONField(default=list, db_default=[], blank=True)
    on_hand = models.IntegerField(default=0)
    manual_reserved = models.PositiveIntegerField(default=0)
    reserved_by_orders = models.PositiveIntegerField(default=0)
    # Stored so that "what changed since the last push" is one indexed comparison.
    available = models.GeneratedField(
        expression=F("on_hand") - F("manual_reserved") - F("reserved_by_orders"),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    # When the warehouse (REST `stock/`, a product edit, the admin) last set the on-hand stock;
    # empty while it never has: stock updates leave such products alone instead of pushing 0.
    stock_set_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "sku"], name="one_product_per_tenant_sku")
        ]
        indexes = [
            # Product Match by UPC or MPN (the connection's master SKU field).
            models.Index(fields=["tenant", "upc"], name="catalog_product_upc_idx"),
            models.Index(fields=["tenant", "mpn"], name="catalog_product_mpn_idx"),
        ]

    def __str__(self):
        return self.sku

    def save(self, *args, **kwargs):
        self.sku = (self.sku or "").strip()
        super().save(*args, **kwargs)


class ProductLink(models.Model):
    """A BigCommerce variant (or simple product's base variant) of one connection, matched to a
    hub product by the connection's master SKU field; product is empty while unmatched."""

    class Tracking(models.TextChoices):
        NONE = "none", "Off"
        PRODUCT = "product", "Product"
        VARIANT = "variant", "Variant"

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="product_links"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )
    bc_product_id = models.PositiveBigIntegerField()
    bc_variant_id = models.PositiveBigIntegerField()
    bc_sku = models.CharField(max_length=255, blank=True)  # as BigCommerce has it (not stripped)
    bc_upc = models.CharField(max_length=64, blank=True)
    bc_mpn = models.CharField(max_length=255, blank=True)
    bc_name = models.CharField(max_length=500, blank=True)  # product name and option values
    # The stripped value of the connection's master SKU field (SKU, UPC or MPN) at the last
    # match; blank when BigCommerce has none. Duplicates within a store are found on it.
    master_key = models.CharField(max_length=255, blank=True)
    is_simple_product = models.BooleanField(default=False)
    inventory_tracking = models.CharField(
        max_length=8, choices=Tracking.choices, default=Tracking.VARIANT
    )
    bc_inventory_level = models.IntegerField(null=True, blank=True)
    # What the last accepted push sent on behalf of this link (its hub product's available
    # stock, clamped at 0): Changed Stock Update compares the hub's available stock with it.
    last_pushed_quantity = models.IntegerField(null=True, blank=True)
    # The inventory level BigCommerce was given for this link's item by that push: the same
    # for a variant, the sum of its linked variants for a product tracked by product. "Drift"
    # is BigCommerce's level (bc_inventory_level, read by Product Match) differing from it.
    last_pushed_level = models.IntegerField(null=True, blank=True)
    last_pushed_at = models.DateTimeField(null=True, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    # The last full Product Match that saw the variant (links it no longer sees are removed).
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # BigCommerce's answer when the last push of this item was rejected; cleared on success.
    push_error = models.TextField(blank=True)
    push_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["connection_id", "bc_product_id", "bc_variant_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "bc_variant_id"], name="one_link_per_connection_variant"
            )
        ]
        indexes = [
            models.Index(fields=["connection", "bc_sku"]),
            models.Index(
                fields=["connection", "product"],
                condition=Q(product__isnull=False),
                name="catalog_link_linked_idx",
            ),
            # Stock pushes walk a connection's links in this order (keyset pagination).
            models.Index(
                fields=["connection", "bc_product_id", "bc_variant_id"],
                name="catalog_link_walk_idx",
            ),
            models.Index(fields=["connection", "master_key"], name="catalog_link_master_idx"),
        ]

    def __str__(self):
        return f"{self.bc_sku or '(no SKU)'} @ {self.connection_id}"


IMPORT_MODES = {
    "link_only": "Link only: link to existing hub products, never create or overwrite",
    "create_only": "Create only: link to existing hub products, create missing ones, never "
    "overwrite",
    "create_and_overwrite": "Create & overwrite: also overwrite existing hub products' data "
    "with BigCommerce data (only the chosen fields)",
}
DEFAULT_IMPORT_MODE = "create_only"
# Hub fields BigCommerce data may overwrite (in create & overwrite mode). The SKU never is: it
# is the key. The description is left out by default: it is often edited in the hub.
OVERWRITABLE_FIELDS = {
    "name": "Name",
    "description": "Description",
    "ean": "EAN (GTIN)",
    "upc": "UPC",
    "mpn": "MPN",
    "weight": "Weight",
    "width": "Width",
    "height": "Height",
    "depth": "Depth",
    "price": "Price",
}
DEFAULT_OVERWRITE_FIELDS = [f for f in OVERWRITABLE_FIELDS if f != "description"]
#: The ProductImportSettings fields (also accepted in the Product Match dataflow's options).
IMPORT_SETTINGS_KEYS = ("import_mode", "overwrite_fields")


def default_overwrite_fields() -> list[str]:
    return list(DEFAULT_OVERWRITE_FIELDS)


class ProductImportSettings(models.Model):
    """How Product Match and Changed Product Match of one connection treat hub products (the
    master SKU field is the connection's). Created when first saved; until then the defaults
    apply."""

    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, related_name="product_import_settings"
    )
    import_mode = models.CharField(
        max_length=32, choices=list(IMPORT_MODES.items()), default=DEFAULT_IMPORT_MODE
    )
    # Names among OVERWRITABLE_FIELDS, used in create & overwrite mode only.
    overwrite_fields = models.JSONField(default=default_overwrite_fields, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "product import settings"
        verbose_name_plural = "product import settings"

    def __str__(self):
        return f"Product import of connection {self.connection_id}: {self.import_mode}"

    def save(self, *args, **kwargs):
        # Typed and checked on every save, whoever saves (screen, API, admin).
        self.full_clean(exclude=["connection", "import_mode"])
        super().save(*args, **kwargs)

    def clean(self):
        if self.import_mode not in IMPORT_MODES:
            raise ValidationError(
                {
                    "import_mode": f"Import mode {self.import_mode!r} is not known; choose "
                    f"one of {', '.join(IMPORT_MODES)}."
                }
            )
        fields = self.overwrite_fields
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise ValidationError({"overwrite_fields": "Give a list of field names."})
        unknown = [f for f in fields if f not in OVERWRITABLE_FIELDS]
        if unknown:
            raise ValidationError(
                {
                    "overwrite_fields": f"These fields cannot be overwritten: "
                    f"{', '.join(unknown)}. Choose among {', '.join(OVERWRITABLE_FIELDS)}."
                }
            )
        # One order, no repeats: what the screens show and the runs log.
        self.overwrite_fields = [f for f in OVERWRITABLE_FIELDS if f in set(fields)]


class StoreLock(models.Model):
    """A lease on one BigCommerce store for bulk catalog and inventory operations.

    BigCommerce asks integrations not to run bulk inventory updates in parallel with bulk
    catalog operations on a store. Runs of one dataflow never overlap already; this row makes
    the catalog and stock dataflows of one store (whatever connection or dataflow they belong
    to) take turns. Taken and renewed with conditional UPDATEs (see catalog.locks)."""

    store_hash = models.CharField(max_length=64, unique=True)
    holder = models.CharField(max_length=100, blank=True)
    label = models.CharField(max_length=200, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.store_hash}: {self.label or 'free'}"


class ProductMatchRequest(models.Model):
    """A BigCommerce product to match again in the next Changed Product Match run (a webhook
    said it changed). One per product: asking twice is asking once."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="product_match_requests"
    )
    bc_product_id = models.PositiveBigIntegerField()
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "bc_product_id"], name="one_match_request_per_product"
            )
        ]

    def __str__(self):
        return f"Match product {self.bc_product_id}"
