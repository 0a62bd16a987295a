"""Each listing setting changes what is sent (the fake driver records every payload)."""

from decimal import Decimal

import pytest

from listings.kinds import PUBLISH_LISTINGS, SYNC_LISTINGS
from listings.models import Listing
from listings.services import listing_settings_update
from tests.listings.conftest import act, listing

LONG = "x" * 251


def publish(shop, run, *products):
    act(shop, "publish", *products)
    return run(shop, PUBLISH_LISTINGS)


def created(fake):
    return fake.named("product_create")[-1]


def synced(fake):
    return [payload for batch in fake.named("products_update") for _, payload in batch]


@pytest.mark.parametrize(
    ("policy", "fields", "state"),
    [
        (
            "truncate",
            [{"name": "Material", "value": "Cotton"}, {"name": "Care", "value": "x" * 250}],
            "live",
        ),
        ("skip", [{"name": "Material", "value": "Cotton"}], "live"),
        ("fail", None, "error"),
    ],
)
def test_the_250_character_policy_truncates_skips_or_fails(
    shop, fake, run, tee, policy, fields, state
):
    tee.attributes = [{"name": "Material", "value": "Cotton"}, {"name": "Care", "value": LONG}]
    tee.save()
    listing_settings_update(connection=shop, long_attribute_policy=policy)
    publish(shop, run, tee)
    assert listing(shop, tee).state == state
    if fields is None:
        assert fake.named("product_create") == []
        assert "over 250 characters" in listing(shop, tee).last_error
    else:
        assert created(fake)["custom_fields"] == fields


def test_only_mapped_attributes_are_pushed_when_the_connection_says_so(shop, fake, run, tee):
    tee.attributes = [{"name": "Material", "value": "Cotton"}, {"name": "Fit", "value": "Slim"}]
    tee.save()
    listing_settings_update(connection=shop, attribute_mapping={"Material": "Fabric"})
    publish(shop, run, tee)
    assert created(fake)["custom_fields"] == [
        {"name": "Fabric", "value": "Cotton"},
        {"name": "Fit", "value": "Slim"},
    ]
    shop.push_only_mapped_attributes = True
    shop.save()
    act(shop, "delist", tee)
    run(shop, "delist_listings")
    publish(shop, run, tee)
    assert created(fake)["custom_fields"] == [{"name": "Fabric", "value": "Cotton"}]


def test_switching_to_mapped_attributes_only_resyncs_the_listings(shop, fake, run, tee):
    tee.attributes = [{"name": "Material", "value": "Cotton"}, {"name": "Fit", "value": "Slim"}]
    tee.save()
    listing_settings_update(connection=shop, attribute_mapping={"Material": "Fabric"})
    publish(shop, run, tee)
    shop.push_only_mapped_attributes = True
    shop.save()
    run(shop, SYNC_LISTINGS)
    [payload] = synced(fake)
    assert payload["custom_fields"] == [{"name": "Fabric", "value": "Cotton"}]


def test_the_variant_option_type_is_set_on_the_created_options(shop, fake, run, tee, mug):
    shop.variant_option_type = "swatch"
    shop.save()
    publish(shop, run, tee, mug)
    assert fake.option_types == {listing(shop, tee).bc_product_id: "swatch"}  # not the mug's
    shop.variant_option_type = ""
    shop.save()
    fake.option_types.clear()
    act(shop, "delist", tee)
    run(shop, "delist_listings")
    publish(shop, run, tee)
    assert fake.option_types == {}


def test_new_listings_paused_are_created_but_not_synced(shop, fake, run, mug):
    listing_settings_update(connection=shop, new_listings_paused=True)
    publish(shop, run, mug)
    assert listing(shop, mug).state == Listing.State.PAUSED
    assert len(fake.named("product_create")) == 1
    mug.price = Decimal("20")
    mug.save()
    run(shop, SYNC_LISTINGS)
    assert synced(fake) == []


def test_names_are_overridden_on_update_only_when_the_setting_says_so(shop, fake, run, mug):
    publish(shop, run, mug)
    mug.name = "Big mug"
    mug.save()
    run(shop, SYNC_LISTINGS)
    assert synced(fake)[-1]["name"] == "Big mug"
    listing_settings_update(connection=shop, override_names=False)
    mug.name = "Bigger mug"
    mug.price = Decimal("9")
    mug.save()
    fake.calls.clear()
    run(shop, SYNC_LISTINGS)
    [payload] = synced(fake)
    assert "name" not in payload and payload["price"] == 9.0


def test_protected_fields_are_never_overwritten_by_an_update(shop, fake, run, mug):
    mug.description = "From the hub"
    mug.save()
    publish(shop, run, mug)
    assert created(fake)["description"] == "From the hub"  # a create sends it
    mug.description = "Changed in the hub"
    mug.save()
    run(shop, SYNC_LISTINGS)
    assert synced(fake) == []  # description is protected by default
    listing_settings_update(connection=shop, protected_fields=[])
    run(shop, SYNC_LISTINGS)
    assert synced(fake)[-1]["description"] == "Changed in the hub"


def test_create_only_publishes_but_never_updates(shop, fake, run, mug):
    listing_settings_update(connection=shop, update_mode="create_only")
    publish(shop, run, mug)
    mug.price = Decimal("30")
    mug.save()
    run(shop, SYNC_LISTINGS)
    assert len(fake.named("product_create")) == 1 and synced(fake) == []
