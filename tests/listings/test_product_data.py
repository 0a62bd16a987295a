from decimal import Decimal

import pytest

from catalog.models import Product
from tests.fixtures.tenants import api_client_for

URL = "/api/v1/product-data/"


def item(sku, **fields):
    return {"sku": sku, **fields}


@pytest.fixture
def api(operator):
    return api_client_for(operator)


def test_product_data_creates_a_variant_group_with_its_listing_data(api, tenant):
    body = {
        "items": [
            item(
                "TEE-M",
                parent_sku="TEE",
                option_values=[{"option": "Size", "value": "M"}],
                price="12.50",
            ),
            item(
                "TEE",
                name="T-shirt",
                description="<p>Soft</p>",
                price="12.50",
                weight="0.2",
                brand="Acme",
                image_urls=["https://img.example.com/tee.jpg"],
                categories=["Shirts"],
                attributes=[{"name": "Material", "value": "Cotton"}],
            ),
        ]
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["created"]) == ["TEE", "TEE-M"]
    parent = Product.objects.get(tenant=tenant, sku="TEE")
    variant = Product.objects.get(tenant=tenant, sku="TEE-M")
    assert variant.parent == parent
    assert variant.option_values == [{"option": "Size", "value": "M"}]
    assert parent.brand == "Acme" and parent.categories == ["Shirts"]
    assert parent.attributes == [{"name": "Material", "value": "Cotton"}]
    assert parent.price == Decimal("12.50")


def test_product_data_updates_only_what_changed_and_says_so(api, tenant):
    Product.objects.create(tenant=tenant, sku="A", name="Old", brand="Acme")
    Product.objects.create(tenant=tenant, sku="B", name="Same")
    response = api.post(
        URL, {"items": [item("A", name="New"), item("B", name="Same")]}, format="json"
    )
    assert response.json() == {"received": 2, "created": [], "updated": ["A"], "unchanged": ["B"]}
    product = Product.objects.get(tenant=tenant, sku="A")
    assert product.name == "New" and product.brand == "Acme"


def test_product_data_refuses_an_unknown_parent_and_applies_nothing(api, tenant):
    response = api.post(
        URL, {"items": [item("X", name="x"), item("X-1", parent_sku="NOPE")]}, format="json"
    )
    assert response.status_code == 400
    assert "NOPE" in str(response.json())
    assert not Product.objects.filter(tenant=tenant).exists()


def test_product_data_refuses_a_sku_sent_twice(api):
    response = api.post(URL, {"items": [item("X"), item("X")]}, format="json")
    assert response.status_code == 400


def test_viewers_cannot_set_product_data(viewer, tenant):
    response = api_client_for(viewer).post(URL, {"items": [item("X")]}, format="json")
    assert response.status_code == 403
    assert not Product.objects.filter(tenant=tenant).exists()


def test_the_catalog_page_shows_the_listing_data(client, operator, tenant):
    parent = Product.objects.create(
        tenant=tenant, sku="TEE", name="T-shirt", brand="Acme", categories=["Shirts"]
    )
    Product.objects.create(
        tenant=tenant, sku="TEE-M", parent=parent, option_values=[{"option": "Size", "value": "M"}]
    )
    client.force_login(operator)
    html = client.get("/catalog/").content.decode()
    assert "Acme" in html and "Shirts" in html
    assert "variant of" in html and "Size M" in html
