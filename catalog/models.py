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
    on_hand = models.IntegerField(default=0)
    manual_reserved = models.PositiveIntegerField(default=0)
    reserved_by_orders = models.PositiveIntegerField(default=0)
    # Stored so that "what changed since the last push" is one indexed comparison.
    available = models.GeneratedField(
        expression=F("on_hand") - F("manual_reserved") - F("reserved_by_orders"),
        output_field=models.IntegerField(),
        db_persist=True,
    )
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
