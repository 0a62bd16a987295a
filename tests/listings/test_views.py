"""The Listings page and the listings REST API: states, filters, bulk actions, settings,
roles and tenant isolation."""

from listings.models import Listing, ListingSettings
from tests.fixtures.tenants import api_client_for, make_connection
from tests.listings.conftest import act, listing


def test_the_page_shows_listable_products_with_their_state_and_error(
    client, operator, shop, tee, mug
):
    act(shop, "publish", mug)
    Listing.objects.filter(product=mug).update(state="error", last_error="Name taken (409)")
    client.force_login(operator)
    html = client.get(f"/catalog/listings/?connection={shop.pk}").content.decode()
    assert 'data-sku="TEE"' in html and 'data-sku="TEE-S"' not in html  # variants go with it
    assert 'data-state="not_listed"' in html and "Name taken (409)" in html


def test_the_state_filter_shows_only_that_state(client, operator, shop, tee, mug):
    act(shop, "publish", mug)
    client.force_login(operator)
    html = client.get(f"/catalog/listings/?connection={shop.pk}&state=draft").content.decode()
    assert 'data-sku="MUG"' in html and 'data-sku="TEE"' not in html
    html = client.get(f"/catalog/listings/?connection={shop.pk}&state=not_listed").content.decode()
    assert 'data-sku="TEE"' in html and 'data-sku="MUG"' not in html


def test_a_bulk_publish_from_the_page_marks_the_listings_and_queues_the_run(
    client, operator, shop, tee, mug
):
    client.force_login(operator)
    response = client.post(
        "/catalog/listings/actions/",
        {"connection": shop.pk, "action": "publish", "product": [tee.pk, mug.pk]},
    )
    assert response.status_code == 302
    assert {x.pending for x in Listing.objects.all()} == {"publish"}
    assert shop.dataflows.get(kind="publish_listings").runs.filter(status="queued").exists()


def test_another_tenants_connection_is_a_404(client, outsider, shop, mug):
    client.force_login(outsider)
    response = client.post(
        "/catalog/listings/actions/",
        {"connection": shop.pk, "action": "publish", "product": [mug.pk]},
    )
    assert response.status_code == 404
    assert not Listing.objects.exists()


def test_another_tenants_products_are_not_listed_on_my_connection(operator, shop, other_tenant):
    from catalog.models import Product

    theirs = Product.objects.create(tenant=other_tenant, sku="THEIRS")
    act(shop, "publish", theirs)
    assert not Listing.objects.exists()


def test_operators_cannot_delist_managers_can(operator, manager, shop, mug):
    act(shop, "publish", mug)
    Listing.objects.update(state="live", bc_product_id=5)
    body = {"connection": shop.pk, "action": "delist", "products": [mug.pk]}
    assert (
        api_client_for(operator).post("/api/v1/listings/actions/", body, format="json").status_code
        == 403
    )
    response = api_client_for(manager).post("/api/v1/listings/actions/", body, format="json")
    assert (
        response.status_code == 200 and "1 listing queued to delist" in response.json()["message"]
    )
    assert listing(shop, mug).pending == "delist"


def test_the_api_lists_listings_filtered_by_state(viewer, shop, mug, tee, tenant):
    act(shop, "publish", mug, tee)
    Listing.objects.filter(product=mug).update(state="live")
    other = make_connection(tenant, name="Other", store_hash="oth222")
    act(other, "publish", mug)
    body = api_client_for(viewer).get(f"/api/v1/listings/?connection={shop.pk}&state=live").json()
    assert [row["sku"] for row in body["results"]] == ["MUG"]


def test_a_manager_saves_the_listing_settings_from_the_page(client, manager, shop):
    client.force_login(manager)
    response = client.post(
        f"/catalog/listings/connections/{shop.pk}/settings/",
        {
            "long_attribute_policy": "fail",
            "update_mode": "create_only",
            "protected_fields": ["description", "images"],
            "attribute_mapping": "Material = Fabric\n\nColour = Color",
            "new_listings_paused": "on",
        },
    )
    assert response.status_code == 302
    saved = ListingSettings.objects.get(connection=shop)
    assert saved.long_attribute_policy == "fail" and saved.new_listings_paused
    assert saved.override_names is False  # unchecked
    assert saved.protected_fields == ["description", "images"]
    assert saved.attribute_mapping == {"Material": "Fabric", "Colour": "Color"}
    page = client.get(f"/catalog/listings/?connection={shop.pk}").content.decode()
    assert "Material = Fabric" in page
