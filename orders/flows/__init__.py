"""The orders app's flows, registered with the engine (autodiscovered `orders/flows`)."""

from django import forms

from dataflows.registry import FlowSpec, register_flow

from . import order_import, order_update
from .kinds import ORDER_IMPORT, ORDER_UPDATE

__all__ = ["ORDER_IMPORT", "ORDER_UPDATE"]

register_flow(
    FlowSpec(
        kind=ORDER_IMPORT,
        label="Order Import",
        run=order_import.run,
        queue="orders",
        default_interval_s=5 * 60,
        priority=1,
        waits_for=("product_match",),
        description="Imports orders in the chosen statuses from BigCommerce.",
        # The Dataflows tab's field for the option `created_within_days` reads.
        extra={
            "option_fields": {
                "created_within_days": forms.IntegerField(
                    required=False,
                    min_value=1,
                    max_value=3650,
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
