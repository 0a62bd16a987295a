"""The orders app's flows, registered with the engine (autodiscovered `orders/flows`)."""

from django import forms
from django.core.exceptions import ValidationError

from dataflows.registry import FlowSpec, register_flow

from . import order_import, order_update
from .kinds import ORDER_IMPORT, ORDER_UPDATE

__all__ = ["ORDER_IMPORT", "ORDER_UPDATE"]

MAX_CREATED_WITHIN_DAYS = 3650


def order_import_options_parse(options: dict) -> dict:
    """Order Import's options when saved: `created_within_days`, a whole number of days from
    1 to 3650, or unset (null) for orders of any age."""
    days = options.get("created_within_days")
    if days is not None and (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not 1 <= days <= MAX_CREATED_WITHIN_DAYS
    ):
        raise ValidationError(
            {
                "options": f"created_within_days must be a whole number of days from 1 to "
                f"{MAX_CREATED_WITHIN_DAYS}, or null for orders of any age (got {days!r})."
            }
        )
    return options


register_flow(
    FlowSpec(
        kind=ORDER_IMPORT,
        label="Order Import",
        run=order_import.run,
        queue="orders",
        default_interval_s=5 * 60,
        priority=1,
        interval_with_webhooks_s=30 * 60,
        waits_for=("product_match",),
        options_parser=order_import_options_parse,
        description="Imports orders in the chosen statuses from BigCommerce.",
        # The Dataflows tab's field for the option `created_within_days` reads.
        extra={
            "option_fields": {
                "created_within_days": forms.IntegerField(
                    required=False,
                    min_value=1,
                    max_value=MAX_CREATED_WITHIN_DAYS,
                    label="Created within (days)",
                    help_text="Only orders created within the last X days; blank: any date.",
                )
            }
        },
    )
)
register_flow(
    FlowSpec(
        kind=ORDER_UPDATE,
        label="Order Update",
        run=order_update.run,
        queue="shipments",
        default_interval_s=5 * 60,
        priority=2,
        description="Sends shipments with tracking back and marks orders shipped.",
    )
)
