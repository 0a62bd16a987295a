"""REST: `/api/v1/products/` and `/api/v1/stock/`. Every endpoint is tried by each role, by
a user of another tenant (404, exactly like a missing id), staff and an anonymous client."""

import pytest

from catalog.kinds import CHANGED_STOCK_UPDATE
from catalog.models import Product, ProductLink
from connections.models import Membership
from dataflows.models import Run
from tests.fixtures.tenants import api_client_for, make_connection, make_user

PRODUCTS = "/api/v1/products/"
STOCK = "/api/v1/stock/"


def detail(product):
    return f"{PRODUCTS}{product.pk}/"


def add_product(tenant, sku, **fields):
    return Product.objects.create(tenant=tenant, sku=sku, **fields)


def add_link(connection, product, variant_id, **fields):
    return ProductLink.objects.create(
        connection=connection,
        product=product,
        bc_product_id=variant_id // 10,
        bc_variant_id=variant_id,
        bc_sku=product.sku if product else "",
        **fields,
    )


@pytest.fixture
def product(tenant):
    return add_product(tenant, "MUG-1", name="Mug", on_hand=5)


# ----------------------------------------------------------------------------- roles


ENDPOINTS = [
    # (method, url maker, body, need)
    ("get", lambda p: PRODUCTS, None, "view"),
    ("get", detail, None, "view"),
    ("patch", detail, {"name": "Big mug"}, "operate"),
    ("post", lambda p: PRODUCTS, {"sku": "NEW-1"}, "operate"),
    ("post", lambda p: STOCK, {"items": [{"sku": "MUG-1", "on_hand": 9}]}, "operate"),
]
ALLOWED = {
    "viewer": {"view"},
    "operator": {"view", "operate"},
    "manager": {"view", "operate"},
    "staff": {"view", "operate"},
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("method,url,body,need", ENDPOINTS)
def test_each_endpoint_answers_each_role_as_its_rights_allow(
    request, product, role, method, url, body, need
):
    user = request.getfixturevalue(role)
    if role == "staff":  # staff belong to no tenant: they name it
        body = {**body, "tenant": product.tenant_id} if body else body

    response = getattr(api_client_for(user), method)(url(product), body, format="json")

    if need in ALLOWED[role]:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]


@pytest.mark.parametrize(
    "method,suffix,body",
    [("get", "", None), ("patch", "", {"name": "Stolen"}), ("put", "", {"name": "x"})],
)
def test_it_validates_ownership(product, outsider, method, suffix, body):
    """A manager of another tenant gets 404 for every product endpoint, exactly as for a
    missing id."""
    client = api_client_for(outsider)

    response = getattr(client, method)(f"{detail(product)}{suffix}", body, format="json")
    missing = getattr(client, method)(f"{PRODUCTS}999999/{suffix}", body, format="json")

    assert response.status_code in (404, 405)
    if response.status_code == 404:
        assert response.json() == missing.json()
    product.refresh_from_db()
    assert product.name == "Mug"


def test_it_validates_ownership_of_stock(product, outsider):
    """Another tenant's SKUs are unknown SKUs, and naming the tenant reads as an unknown
    tenant: nothing changes."""
    client = api_client_for(outsider)

    own = client.post(STOCK, {"items": [{"sku": "MUG-1", "on_hand": 0}]}, format="json")
    named = client.post(
        STOCK,
        {"tenant": product.tenant_id, "items": [{"sku": "MUG-1", "on_hand": 0}]},
        format="json",
    )
    unknown = client.post(
        STOCK, {"tenant": 999999, "items": [{"sku": "MUG-1", "on_hand": 0}]}, format="json"
    )

    assert own.status_code == 400 and own.json()["unknown_skus"] == ["MUG-1"]
    assert named.status_code == unknown.status_code == 400
    assert named.json()["tenant"] == [f'Invalid pk "{product.tenant_id}" - object does not exist.']
    assert unknown.json()["tenant"] == ['Invalid pk "999999" - object does not exist.']
    product.refresh_from_db()
    assert product.on_hand == 5


def test_it_validates_ownership_when_creating_products(tenant, outsider):
    response = api_client_for(outsider).post(
        PRODUCTS, {"tenant": tenant.pk, "sku": "X"}, format="json"
    )
    assert response.status_code == 400 and "tenant" in response.json()
    assert not Product.objects.filter(tenant=tenant).exists()


def test_anonymous_clients_get_401(product):
    client = api_client_for(None)
    assert client.get(PRODUCTS).status_code == 401
    assert client.post(STOCK, {"items": []}, format="json").status_code == 401


# ----------------------------------------------------------------------------- products


def test_the_list_shows_stock_and_links_of_the_users_tenants_only(
    tenant, other_tenant, connection, viewer
):
    mug = add_product(tenant, "MUG-1", on_hand=10, manual_reserved=2)
    Product.objects.filter(pk=mug.pk).update(reserved_by_orders=3)
    add_product(other_tenant, "THEIRS")
    add_link(connection, mug, 1001, last_pushed_quantity=5, bc_inventory_level=5)

    body = api_client_for(viewer).get(PRODUCTS).json()

    assert body["count"] == 1
    item = body["results"][0]
    assert (item["sku"], item["on_hand"], item["available"]) == ("MUG-1", 10, 5)
    assert item["links"][0]["bc_variant_id"] == 1001
    assert item["links"][0]["connection_name"] == connection.name
    assert item["links"][0]["last_pushed_quantity"] == 5


@pytest.fixture
def catalog(tenant, connection):
    """Products in every state the filters know."""
    linked = add_product(tenant, "LINKED")
    add_link(connection, linked, 1001, last_pushed_level=4, bc_inventory_level=4)
    untracked = add_product(tenant, "UNTRACKED")
    add_link(connection, untracked, 1002, inventory_tracking="none")
    drifting = add_product(tenant, "DRIFTING")
    add_link(connection, drifting, 1003, last_pushed_level=4, bc_inventory_level=1)
    rejected = add_product(tenant, "REJECTED")
    add_link(connection, rejected, 1004, push_error="Item does not exist")
    add_product(tenant, "LONELY")
    return connection


@pytest.mark.parametrize(
    "query,skus",
    [
        ("show=not_linked", ["LONELY"]),
        ("show=tracking_off", ["UNTRACKED"]),
        ("show=drift", ["DRIFTING"]),
        ("show=push_failed", ["REJECTED"]),
        ("search=link", ["LINKED"]),
        ("sku=LONELY", ["LONELY"]),
        ("", ["DRIFTING", "LINKED", "LONELY", "REJECTED", "UNTRACKED"]),
    ],
)
def test_the_list_filters(catalog, manager, query, skus):
    body = api_client_for(manager).get(f"{PRODUCTS}?{query}").json()
    assert [item["sku"] for item in body["results"]] == skus


def test_filters_about_one_connection(tenant, catalog, manager):
    other = make_connection(tenant, name="Other store", store_hash="other5")
    add_link(other, Product.objects.get(sku="LONELY"), 5001)
    client = api_client_for(manager)

    linked_elsewhere = client.get(f"{PRODUCTS}?connection={other.pk}").json()
    not_linked_here = client.get(f"{PRODUCTS}?connection={catalog.pk}&show=not_linked").json()

    assert [i["sku"] for i in linked_elsewhere["results"]] == ["LONELY"]
    assert [i["sku"] for i in not_linked_here["results"]] == ["LONELY"]


def test_filtering_by_another_tenants_connection_lists_nothing(catalog, other_connection, manager):
    client = api_client_for(manager)
    for query in ("", "&show=not_linked", "&show=drift"):
        body = client.get(f"{PRODUCTS}?connection={other_connection.pk}{query}").json()
        assert body["count"] == 0


def test_the_list_is_paginated_and_takes_a_constant_number_of_queries(
    tenant, connection, manager, django_assert_max_num_queries
):
    for i in range(60):
        p = add_product(tenant, f"P{i:03}")
        add_link(connection, p, 1000 + i * 10)
        add_link(connection, p, 1001 + i * 10)
    client = api_client_for(manager)

    with django_assert_max_num_queries(8):
        body = client.get(f"{PRODUCTS}?page_size=60").json()

    assert body["count"] == 60 and len(body["results"]) == 60
    assert all(len(item["links"]) == 2 for item in body["results"])
    page = client.get(PRODUCTS).json()
    assert len(page["results"]) == 50 and page["next"]


def test_an_operator_creates_and_edits_a_product(tenant, operator):
    client = api_client_for(operator)

    created = client.post(PRODUCTS, {"sku": " NEW-1 ", "name": "New", "on_hand": 3}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["sku"] == "NEW-1" and created.json()["available"] == 3

    product_id = created.json()["id"]
    changed = client.patch(
        f"{PRODUCTS}{product_id}/",
        {"description": "Edited in the hub", "manual_reserved": 1},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["description"] == "Edited in the hub"
    assert changed.json()["available"] == 2


def test_a_duplicate_sku_or_a_bad_value_is_a_400_naming_the_field(product, operator):
    client = api_client_for(operator)
    assert client.post(PRODUCTS, {"sku": "MUG-1"}, format="json").json() == {
        "sku": ["A product with SKU 'MUG-1' already exists."]
    }
    bad = client.patch(detail(product), {"on_hand": -1}, format="json")
    assert bad.status_code == 400 and "on_hand" in bad.json()


def test_a_user_of_several_tenants_must_say_which_tenant(tenant, other_tenant, product):
    user = make_user("both", tenant=tenant, role=Membership.Role.OPERATOR)
    Membership.objects.create(tenant=other_tenant, user=user, role=Membership.Role.OPERATOR)

    response = api_client_for(user).post(
        STOCK, {"items": [{"sku": "MUG-1", "on_hand": 1}]}, format="json"
    )

    assert response.status_code == 400
    assert "several tenants" in response.json()["tenant"][0]


# ----------------------------------------------------------------------------- stock


def test_bulk_stock_applies_and_answers_what_it_did(
    tenant, connection, operator, product, django_capture_on_commit_callbacks
):
    other = add_product(tenant, "MUG-2", on_hand=2)
    add_link(connection, product, 1001)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(operator).post(
            STOCK,
            {"items": [{"sku": "MUG-1", "on_hand": 12}, {"sku": " MUG-2 ", "on_hand": 2}]},
            format="json",
        )

    assert response.status_code == 200, response.content
    assert response.json() == {"received": 2, "updated": 1, "unchanged": 1, "unknown_skus": []}
    product.refresh_from_db()
    other.refresh_from_db()
    assert (product.on_hand, other.on_hand) == (12, 2)
    # The linked connection pushes it shortly (a debounced Changed Stock Update).
    assert Run.objects.filter(
        dataflow__connection=connection, dataflow__kind=CHANGED_STOCK_UPDATE
    ).exists()


def test_unknown_skus_are_named_and_nothing_is_applied(product, operator):
    response = api_client_for(operator).post(
        STOCK,
        {"items": [{"sku": "MUG-1", "on_hand": 12}, {"sku": "GHOST", "on_hand": 1}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["unknown_skus"] == ["GHOST"]
    assert "Nothing was applied" in response.json()["non_field_errors"][0]
    product.refresh_from_db()
    assert product.on_hand == 5


def test_unknown_skus_can_be_skipped(product, operator):
    response = api_client_for(operator).post(
        STOCK,
        {
            "on_unknown": "skip",
            "items": [{"sku": "MUG-1", "on_hand": 12}, {"sku": "GHOST", "on_hand": 1}],
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["unknown_skus"] == ["GHOST"]
    product.refresh_from_db()
    assert product.on_hand == 12


@pytest.mark.parametrize(
    "items,message",
    [
        ([{"sku": "MUG-1", "on_hand": -3}], "Item 0 (SKU 'MUG-1'): on_hand:"),
        ([{"sku": "MUG-1"}], "Item 0 (SKU 'MUG-1'): on_hand: This field is required."),
        ([{"sku": "  ", "on_hand": 1}], "Item 0 (SKU ''): sku:"),
        ([{"sku": "MUG-1", "on_hand": "many"}], "on_hand: A valid integer is required."),
        (
            [{"sku": "MUG-1", "on_hand": 1}, {"sku": "MUG-1", "on_hand": 2}],
            "Item 1 (SKU 'MUG-1'): the same SKU as item 0; send each SKU once.",
        ),
        ([], "Send at least one item."),
        ("MUG-1", 'Expected a list of {"sku", "on_hand"} objects.'),
        (None, "This field is required."),
    ],
)
def test_bad_items_are_a_400_with_a_clear_message_and_nothing_applied(
    product, operator, items, message
):
    body = {} if items is None else {"items": items}
    response = api_client_for(operator).post(STOCK, body, format="json")

    assert response.status_code == 400
    assert any(message in m for m in response.json()["items"]), response.json()
    product.refresh_from_db()
    assert product.on_hand == 5


def test_thousands_of_items_in_one_request(tenant, operator, django_assert_max_num_queries):
    Product.objects.bulk_create(Product(tenant=tenant, sku=f"S{i:05}") for i in range(5000))
    items = [{"sku": f"S{i:05}", "on_hand": i % 50} for i in range(5000)]

    with django_assert_max_num_queries(40):
        response = api_client_for(operator).post(STOCK, {"items": items}, format="json")

    assert response.status_code == 200
    assert response.json()["updated"] == 4900  # i % 50 == 0 was 0 already
    assert Product.objects.get(sku="S04999").on_hand == 49


def test_more_than_10000_items_are_refused(operator):
    items = [{"sku": f"S{i}", "on_hand": 1} for i in range(10001)]
    response = api_client_for(operator).post(STOCK, {"items": items}, format="json")
    assert response.status_code == 400
    assert "At most 10000 items per request" in response.json()["items"][0]


def test_many_bad_items_are_summed_up(operator):
    items = [{"sku": f"S{i}", "on_hand": -1} for i in range(80)]
    messages = api_client_for(operator).post(STOCK, {"items": items}, format="json").json()
    assert len(messages["items"]) == 51 and messages["items"][-1] == "… and 30 more."
