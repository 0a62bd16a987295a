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

    def __str__(self):
        return self.sku


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
    bc_sku = models.CharField(max_length=255, blank=True)
    is_simple_product = models.BooleanField(default=False)
    inventory_tracking = models.CharField(
        max_length=8, choices=Tracking.choices, default=Tracking.VARIANT
    )
    bc_inventory_level = models.IntegerField(null=True, blank=True)
    last_pushed_quantity = models.IntegerField(null=True, blank=True)
    last_pushed_at = models.DateTimeField(null=True, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)

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
        ]

    def __str__(self):
        return f"{self.bc_sku or '(no SKU)'} @ {self.connection_id}"
