"""Listings: hub products published on a BigCommerce store (hub -> BC direction of the catalog).

One Listing per (connection, parent product): a simple hub product, or the parent of a variant
group whose variants become the store product's variants. Each BigCommerce variant it creates
is a catalog ProductLink, the same kind of link Product Match makes."""

from django.core.exceptions import ValidationError
from django.db import models

from catalog.models import Product
from connections.models import Connection


class Listing(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"  # chosen, not on the store yet
        PAUSED = "paused", "Paused"  # on the store, not synced
        LIVE = "live", "Live"  # on the store, synced
        HIDDEN = "hidden", "Hidden"  # on the store, not visible nor purchasable
        DELISTED = "delisted", "Delisted"  # removed from the store (publish restores it)
        ERROR = "error", "Error"  # the last action failed: see last_error

    class Action(models.TextChoices):
        NONE = "", "None"
        PUBLISH = "publish", "Publish"
        HIDE = "hide", "Hide"
        UNHIDE = "unhide", "Unhide"
        DELIST = "delist", "Delist"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="listings")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="listings")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    # What the next Publish / Hide-Unhide / Delist run does with it (set by the bulk actions).
    pending = models.CharField(max_length=16, choices=Action.choices, default="", blank=True)
    bc_product_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Hash of what the store was last given (the sync payload, settings applied): Sync Listings
    # sends only listings whose payload now hashes differently.
    content_hash = models.CharField(max_length=64, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["connection_id", "product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "product"], name="one_listing_per_connection_product"
            )
        ]
        indexes = [models.Index(fields=["connection", "state"], name="listing_state_idx")]

    def __str__(self):
        return f"{self.product_id} @ {self.connection_id}: {self.state}"


LONG_POLICIES = {
    "truncate": "Truncate to 250 characters",
    "skip": "Skip the custom field",
    "fail": "Fail the product",
}
UPDATE_MODES = {
    "create_only": "Create only: publish new listings, never overwrite a listed product",
    "create_and_overwrite": "Create & overwrite: Sync Listings also updates listed products",
}
#: Fields an update may leave alone (protected: completed in the store, never overwritten).
PROTECTABLE_FIELDS = {
    "name": "Name",
    "description": "Description",
    "price": "Price",
    "images": "Images",
    "custom_fields": "Attributes (custom fields)",
    "categories": "Categories",
    "brand": "Brand",
}


def default_protected_fields() -> list[str]:
    return ["description"]


class ListingSettings(models.Model):
    """How a connection's listings are built (created when first saved; defaults until then).
    Also used: the connection's Variant option type and Offers: only push mapped attributes."""

    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, related_name="listing_settings"
    )
    override_names = models.BooleanField(
        default=True, help_text="Updates send the hub's product name (else the store's stays)."
    )
    long_attribute_policy = models.CharField(
        max_length=16, choices=list(LONG_POLICIES.items()), default="truncate"
    )
    new_listings_paused = models.BooleanField(default=False)
    update_mode = models.CharField(
        max_length=32, choices=list(UPDATE_MODES.items()), default="create_and_overwrite"
    )
    protected_fields = models.JSONField(default=default_protected_fields, blank=True)
    # Hub attribute name -> BigCommerce custom field name (used when the connection pushes only
    # mapped attributes; otherwise it renames the mapped ones).
    attribute_mapping = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "listing settings"

    def __str__(self):
        return f"Listing settings of connection {self.connection_id}"

    def save(self, *args, **kwargs):
        self.full_clean(exclude=["connection"])
        super().save(*args, **kwargs)

    def clean(self):
        fields = self.protected_fields
        if not isinstance(fields, list) or any(f not in PROTECTABLE_FIELDS for f in fields):
            raise ValidationError(
                {"protected_fields": f"Choose among {', '.join(PROTECTABLE_FIELDS)}."}
            )
        self.protected_fields = [f for f in PROTECTABLE_FIELDS if f in set(fields)]
        mapping = self.attribute_mapping
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
            for k, v in mapping.items()
        ):
            raise ValidationError(
                {"attribute_mapping": "Give hub attribute names and custom field names (text)."}
            )
        too_long = [v for v in mapping.values() if len(v) > 250]
        if too_long:
            raise ValidationError(
                {
                    "attribute_mapping": "BigCommerce custom field names have 250 characters at "
                    f"most: {too_long[0][:40]}… is longer."
                }
            )
