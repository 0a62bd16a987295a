"""The listing flows, registered with the engine (hub -> BigCommerce direction of the
catalog). Publish, Hide/Unhide and Delist work on what a bulk action marked and are queued by
it; their schedule is a safety net that finds nothing to do most of the time (no request)."""

from dataflows.registry import FlowSpec, register_flow

from .kinds import DELIST_LISTINGS, LISTING_VISIBILITY, PUBLISH_LISTINGS, SYNC_LISTINGS
from .runs import delist_run, publish_run, visibility_run
from .syncing import sync_run

register_flow(
    FlowSpec(
        kind=PUBLISH_LISTINGS,
        label="Publish Listings",
        run=publish_run,
        queue="catalog",
        default_interval_s=60 * 60,
        priority=5,
        description="Creates the chosen hub products on the store (variants inline).",
    )
)
register_flow(
    FlowSpec(
        kind=SYNC_LISTINGS,
        label="Sync Listings",
        run=sync_run,
        queue="catalog",
        default_interval_s=15 * 60,
        priority=5,
        description="Sends only what changed in the hub since the last sync, in batches.",
    )
)
register_flow(
    FlowSpec(
        kind=LISTING_VISIBILITY,
        label="Hide/Unhide Listings",
        run=visibility_run,
        queue="catalog",
        default_interval_s=60 * 60,
        priority=5,
        description="Makes listings not visible nor purchasable, or visible again.",
    )
)
register_flow(
    FlowSpec(
        kind=DELIST_LISTINGS,
        label="Delist Listings",
        run=delist_run,
        queue="catalog",
        default_interval_s=60 * 60,
        priority=5,
        description="Removes listings' products from the store (publishing restores them).",
    )
)
