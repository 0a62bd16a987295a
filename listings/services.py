"""Writes of the listings app: the bulk actions of the Listings page and API, and the listing
settings. Publish, hide, unhide and delist mark the listings and queue their flow (the work
is a run's: batched, within the store's quota, logged); pause and unpause are the hub's own
(a paused listing stays on the store and is not synced)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Product
from connections.models import Connection
from dataflows.models import Dataflow, Run
from dataflows.services import run_queue

from .kinds import DELIST_LISTINGS, LISTING_VISIBILITY, PUBLISH_LISTINGS, SYNC_LISTINGS
from .models import Listing, ListingSettings

State, Action = Listing.State, Listing.Action
ACTIONS = {
    "publish": "Publish",
    "pause": "Pause",
    "unpause": "Unpause",
    "hide": "Hide",
    "unhide": "Unhide",
    "delist": "Delist",
}
ON_STORE = (State.LIVE, State.PAUSED, State.HIDDEN, State.ERROR)
# action -> (states it applies to, pending action or new state, kind to queue)
RULES = {
    "publish": (None, Action.PUBLISH, PUBLISH_LISTINGS),
    "hide": ((State.LIVE, State.PAUSED, State.ERROR), Action.HIDE, LISTING_VISIBILITY),
    "unhide": ((State.HIDDEN, State.ERROR), Action.UNHIDE, LISTING_VISIBILITY),
    "delist": (ON_STORE + (State.DRAFT,), Action.DELIST, DELIST_LISTINGS),
    "pause": ((State.LIVE, State.ERROR), State.PAUSED, None),
    "unpause": ((State.PAUSED,), State.LIVE, SYNC_LISTINGS),
}


def _queue(connection: Connection, kind: str) -> None:
    dataflow = Dataflow.objects.filter(connection=connection, kind=kind).first()
    if dataflow is None:
        raise ValidationError(f"This connection has no {kind.replace('_', ' ')} dataflow.")
    run_queue(dataflow=dataflow, trigger=Run.Trigger.MANUAL)


def listings_act(*, connection: Connection, action: str, product_ids: list[int]) -> str:
    """Apply a bulk action to the listings of these hub products (parents or simple products
    of the connection's tenant) and say what happened."""
    if action not in RULES:
        raise ValidationError(f"Unknown action {action!r}: choose one of {', '.join(ACTIONS)}.")
    if not product_ids:
        raise ValidationError("Choose at least one product.")
    states, target, kind = RULES[action]
    with transaction.atomic():
        products = Product.objects.filter(
            tenant_id=connection.tenant_id, pk__in=product_ids, parent=None
        )
        if action == "publish":
            existing = set(
                Listing.objects.filter(connection=connection, product__in=products).values_list(
                    "product_id", flat=True
                )
            )
            Listing.objects.bulk_create(
                [
                    Listing(connection=connection, product_id=pk)
                    for pk in products.values_list("pk", flat=True)
                    if pk not in existing
                ]
            )
        listings = Listing.objects.select_for_update().filter(
            connection=connection, product__in=products
        )
        if states is not None:
            listings = listings.filter(state__in=states)
        chosen = list(listings)
        if action == "delist":
            drafts = [x.pk for x in chosen if x.bc_product_id is None]
            Listing.objects.filter(pk__in=drafts).update(state=State.DELISTED, pending="")
            chosen = [x for x in chosen if x.bc_product_id is not None]
        if action in ("pause", "unpause"):
            fields = {"state": target}
            if action == "unpause":
                fields["content_hash"] = ""  # everything goes with the next sync
            Listing.objects.filter(pk__in=[x.pk for x in chosen]).update(**fields)
        elif chosen:
            Listing.objects.filter(pk__in=[x.pk for x in chosen]).update(pending=target)
        if chosen and kind:
            _queue(connection, kind)
    skipped = len(product_ids) - len(chosen) - (len(drafts) if action == "delist" else 0)
    done = len(chosen) + (len(drafts) if action == "delist" else 0)
    verb = {"pause": "paused", "unpause": "unpaused"}.get(action, f"queued to {action}")
    message = f"{done} listing{'s' if done != 1 else ''} {verb}"
    if skipped:
        message += f"; {skipped} left alone (not in a state where {action} applies)"
    return message + "."


SETTINGS_FIELDS = (
    "override_names",
    "long_attribute_policy",
    "new_listings_paused",
    "update_mode",
    "protected_fields",
    "attribute_mapping",
)


def listing_settings_update(*, connection: Connection, **values) -> ListingSettings:
    settings = ListingSettings.objects.filter(connection=connection).first() or ListingSettings(
        connection=connection
    )
    for name, value in values.items():
        if name not in SETTINGS_FIELDS:
            raise ValidationError({name: "Not a listing setting."})
        setattr(settings, name, value)
    settings.save()
    return settings
