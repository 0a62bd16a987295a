"""Checkout: the warehouse's delivery options that BigCommerce shows in a store's checkout
(through the Shipping Provider API), per connection.

Every change to a connection's options or settings bumps `CheckoutSettings.version`: the quote
endpoint reads the settings row (one indexed query by key) and finds the options and answers
cached under that version, so no cache ever serves options that changed."""

import secrets

from django.db import models

from connections.models import Connection


def checkout_key_new() -> str:
    return secrets.token_urlsafe(24)


class CheckoutSettings(models.Model):
    class StockMode(models.TextChoices):
        QUOTE = "quote", "Still quote every option (back-ordered carts get the later date)"
        HIDE_FLAGGED = "hide_flagged", "Hide the options marked “needs stock”"
        HIDE_ALL = "hide_all", "Hide every option"

    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, related_name="checkout_settings"
    )
    # What the merchant enters as the connection option "checkout_key" in BigCommerce.
    key = models.CharField(max_length=64, unique=True, default=checkout_key_new)
    enabled = models.BooleanField(default=True)
    currency = models.CharField(max_length=3, default="EUR")  # the options' prices are in it
    # 1 unit of `currency` = rate units of the code, e.g. {"USD": "1.0850"}; kept by the manager.
    rates = models.JSONField(default=dict, blank=True)
    stock_mode = models.CharField(max_length=16, choices=StockMode, default=StockMode.QUOTE)
    backorder_days = models.PositiveSmallIntegerField(default=5)  # working days
    timezone = models.CharField(max_length=64, default="Europe/Amsterdam")
    working_days = models.CharField(max_length=7, default="12345")  # ISO weekdays, Monday = 1
    holidays = models.JSONField(default=list, blank=True)  # ["2025-12-25", ...]
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Checkout of {self.connection_id}"


class DeliveryOption(models.Model):
    class Pricing(models.TextChoices):
        FLAT = "flat", "Flat price"
        WEIGHT = "weight", "By weight (kg bands)"
        VALUE = "value", "By order value (bands)"

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="delivery_options"
    )
    code = models.CharField(max_length=50)
    display_name = models.CharField(max_length=100)
    carrier = models.CharField(max_length=100)
    service_level = models.CharField(max_length=100, blank=True)
    pricing = models.CharField(max_length=8, choices=Pricing, default=Pricing.FLAT)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    # [[up_to, price], ...] ascending, as strings: kg for WEIGHT, order value for VALUE.
    bands = models.JSONField(default=list, blank=True)
    free_above = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    countries = models.JSONField(default=list)  # ISO 3166 alpha-2 codes
    # [["DE", "10000", "14999"], ...]; empty: the whole of each country.
    postcode_ranges = models.JSONField(default=list, blank=True)
    transit_min = models.PositiveSmallIntegerField(default=1)  # working days
    transit_max = models.PositiveSmallIntegerField(default=2)
    cutoff = models.TimeField()  # in the warehouse's time zone
    needs_stock = models.BooleanField(default=False)  # hidden in StockMode.HIDE_FLAGGED
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["connection", "code"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "code"], name="one_option_code")
        ]

    def __str__(self):
        return self.code


class QuotesServed(models.Model):
    """How many rate answers offered an option on a day (the warehouse's date)."""

    option = models.ForeignKey(DeliveryOption, on_delete=models.CASCADE, related_name="served")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "option"]
        constraints = [
            models.UniqueConstraint(fields=["option", "day"], name="one_served_row_a_day")
        ]

    def __str__(self):
        return f"{self.option_id} {self.day}: {self.count}"
