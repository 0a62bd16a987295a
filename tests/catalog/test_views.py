"""The catalog screens: the tenant's catalog page and a connection's Catalog readiness tab,
tried by each role, by another tenant's manager (404) and anonymous users; and the admin."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.kinds import CHANGED_STOCK_UPDATE, PRODUCT_MATCH
from catalog.models import Product, ProductImportSettings, ProductLink
from dataflows.models import Dataflow, Run
from tests.fixtures.tenants import make_user


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def add_link(connection, product, variant_id, **fields):
    return ProductLink.objects.create(
        connection=connection,
        product=product,
        bc_product_id=fields.pop("bc_product_id", variant_id // 10),
        bc_variant_id=variant_id,
        bc_sku=fields.pop("bc_sku", product.sku if product else ""),
        master_key=fields.pop("master_key", product.sku if product else ""),
        **fields,
    )


@pytest.fixture
def catalog(tenant, connection):
    mug = Product.objects.create(tenant=tenant, sku="MUG-1", name="Mug", on_hand=8)
    Product.objects.filter(pk=mug.pk).update(reserved_by_orders=3)
    add_link(
        connection, mug, 1001, last_pushed_quantity=5, last_pushed_level=5, bc_inventory_level=2
    )
    cap = Product.objects.create(tenant=tenant, sku="CAP-1", name="Cap", on_hand=1)
    add_link(connection, cap, 1002, inventory_tracking="none")
    Product.objects.create(tenant=tenant, sku="LONELY", name="Lonely")
    # BigCommerce data problems.
    add_link(connection, None, 1003, bc_sku="", master_key="")
    add_link(connection, None, 1004, bc_sku=" PAD-1 ", master_key="PAD-1")
    add_link(connection, cap, 1005, bc_sku="CAP-1", inventory_tracking="none")
    return connection


CATALOG = reverse("catalog")


def readiness(connection, **query):
    url = reverse("catalog-readiness", args=[connection.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# ----------------------------------------------------------------------------- catalog page


@pytest.mark.parametrize("role", ["manager", "operator", "viewer"])
def test_every_role_sees_the_catalog_with_stock_and_links(request, catalog, role):
    html = client_for(request.getfixturevalue(role)).get(CATALOG).content.decode()

    assert "MUG-1" in html and "CAP-1" in html and "LONELY" in html
    assert "Tracking off" in html and "Not linked" in html and "Drift" in html
    assert "last pushed <strong>5</strong>" in html
    assert "<strong>5</strong></td>" in html  # available = 8 - 3


def test_the_catalog_shows_only_the_current_tenants_products(catalog, other_tenant, outsider):
    Product.objects.create(tenant=other_tenant, sku="THEIRS")

    html = client_for(outsider).get(CATALOG).content.decode()

    assert "THEIRS" in html and "MUG-1" not in html


@pytest.mark.parametrize(
    "query,shown,hidden",
    [
        ("show=not_linked", ["LONELY"], ["MUG-1", "CAP-1"]),
        ("show=tracking_off", ["CAP-1"], ["MUG-1", "LONELY"]),
        ("show=drift", ["MUG-1"], ["CAP-1", "LONELY"]),
        ("search=mug", ["MUG-1"], ["CAP-1", "LONELY"]),
        ("search=mug&show=drift", ["MUG-1"], ["CAP-1", "LONELY"]),
        ("search=cap&show=drift", [], ["MUG-1", "CAP-1", "LONELY"]),
    ],
)
def test_the_catalog_filters(catalog, manager, query, shown, hidden):
    html = client_for(manager).get(f"{CATALOG}?{query}").content.decode()
    for sku in shown:
        assert f'data-sku="{sku}"' in html
    for sku in hidden:
        assert f'data-sku="{sku}"' not in html


@pytest.mark.parametrize("search", ["Smith & Sons", "#123"])
def test_the_pager_keeps_the_filters_encoded(tenant, manager, search):
    Product.objects.bulk_create(
        Product(tenant=tenant, sku=f"P{i:02}", name=f"{search} {i}") for i in range(60)
    )
    client = client_for(manager)

    html = client.get(CATALOG, {"search": search}).content.decode()

    encoded = search.replace(" ", "+").replace("&", "%26").replace("#", "%23")
    assert f'href="?search={encoded}&amp;page=2"' in html
    page_two = client.get(CATALOG, {"search": search, "page": 2}).content.decode()
    assert page_two.count("data-sku=") == 10


def test_the_catalog_page_takes_a_constant_number_of_queries(
    tenant, connection, manager, django_assert_max_num_queries
):
    for i in range(40):
        product = Product.objects.create(tenant=tenant, sku=f"P{i:02}")
        add_link(connection, product, 2000 + i)
    client = client_for(manager)

    with django_assert_max_num_queries(15):
        response = client.get(CATALOG)

    assert response.status_code == 200
    assert response.content.decode().count("data-link=") == 40


def test_anonymous_users_go_to_the_login_page(catalog):
    for url in (CATALOG, readiness(catalog)):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ----------------------------------------------------------------------------- readiness


def test_the_readiness_tab_counts_each_problem_and_lists_one(catalog, viewer):
    html = client_for(viewer).get(readiness(catalog)).content.decode()

    assert "Catalog readiness" in html
    assert 'data-section="no_key"><b>1</b>' in html
    assert 'data-section="padded"><b>1</b>' in html
    assert 'data-section="tracking_off"><b>2</b>' in html
    assert 'data-section="unmatched"><b>1</b>' in html
    assert 'data-section="duplicates"><b>2</b>' in html  # CAP-1 twice
    # The first non-empty section is listed.
    assert 'data-readiness-section="no_key"' in html and 'data-variant="1003"' in html


def test_a_readiness_section_lists_its_items(catalog, viewer):
    html = client_for(viewer).get(readiness(catalog, section="padded")).content.decode()
    assert 'data-variant="1004"' in html and '" PAD-1 "' in html
    assert 'data-variant="1003"' not in html


def test_it_validates_ownership(catalog, outsider):
    """Another tenant's connection is a 404, exactly like a missing one."""
    client = client_for(outsider)
    assert client.get(readiness(catalog)).status_code == 404
    save = reverse("catalog-product-import", args=[catalog.pk])
    assert client.post(save, {"import_mode": "link_only"}).status_code == 404
    missing = reverse("catalog-readiness", args=[999999])
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_only_a_manager_changes_the_product_import(request, catalog, role):
    url = reverse("catalog-product-import", args=[catalog.pk])
    response = client_for(request.getfixturevalue(role)).post(
        url, {"import_mode": "create_and_overwrite"}
    )

    assert response.status_code == 403
    assert "Only a manager" in response.content.decode()
    assert not ProductImportSettings.objects.exists()


def test_a_manager_saves_the_product_import_settings(catalog, manager):
    url = reverse("catalog-product-import", args=[catalog.pk])

    response = client_for(manager).post(
        url, {"import_mode": "create_and_overwrite", "overwrite_fields": ["name", "price"]}
    )

    assert response.status_code == 302
    settings = ProductImportSettings.objects.get(connection=catalog)
    assert (settings.import_mode, settings.overwrite_fields) == (
        "create_and_overwrite",
        ["name", "price"],
    )
    assert Dataflow.objects.get(connection=catalog, kind=PRODUCT_MATCH).options == {}
    html = client_for(manager).get(readiness(catalog)).content.decode()
    assert 'value="create_and_overwrite" id="id_import_mode_2" required checked' in html
    assert 'value="price" id="id_overwrite_fields_9" checked' in html
    assert 'value="description" id="id_overwrite_fields_1">' in html


def test_an_invalid_product_import_is_refused_with_a_message_and_nothing_saved(catalog, manager):
    url = reverse("catalog-product-import", args=[catalog.pk])
    client = client_for(manager)

    response = client.post(url, {"import_mode": "create_everything"}, follow=True)

    assert "Nothing was saved: choose how product info is imported" in response.content.decode()
    assert not ProductImportSettings.objects.exists()


def test_the_readiness_tab_says_when_saved_settings_are_invalid(catalog, viewer):
    ProductImportSettings.objects.create(connection=catalog)
    ProductImportSettings.objects.update(overwrite_fields=["sku"])  # around the checks

    html = client_for(viewer).get(readiness(catalog)).content.decode()

    assert "These fields cannot be overwritten: sku" in html
    assert "Product Match fails until these settings are saved again" in html


def test_readiness_links_keep_the_section_and_encode_the_page(catalog, viewer):
    for i in range(60):
        add_link(catalog, None, 5000 + i, bc_sku="", master_key="")

    html = client_for(viewer).get(readiness(catalog, section="no_key")).content.decode()

    assert 'href="?section=no_key&amp;page=2"' in html
    assert 'href="?section=padded"' in html


def test_the_readiness_tab_names_the_last_product_match(catalog, viewer):
    dataflow = Dataflow.objects.get(connection=catalog, kind=PRODUCT_MATCH)
    run = Run.objects.create(dataflow=dataflow, trigger="schedule", status="succeeded")
    Run.objects.filter(pk=run.pk).update(finished_at=timezone.now())

    html = client_for(viewer).get(readiness(catalog)).content.decode()

    assert f"Product Match run #{run.pk}" in html


def test_the_connection_page_has_the_readiness_tab(catalog, viewer):
    html = client_for(viewer).get(reverse("connection-detail", args=[catalog.pk])).content
    assert readiness(catalog).encode() in html


# ----------------------------------------------------------------------------- admin


def test_changing_stock_in_the_admin_queues_a_push(catalog, django_capture_on_commit_callbacks):
    staff = make_user("hubstaff", is_staff=True, is_superuser=True)
    mug = Product.objects.get(sku="MUG-1")
    url = reverse("admin:catalog_product_change", args=[mug.pk])
    client = client_for(staff)
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        {
            "tenant": mug.tenant_id,
            "on_hand": 30,
            "links-TOTAL_FORMS": 1,
            "links-INITIAL_FORMS": 1,
            "links-MIN_NUM_FORMS": 0,
            "links-MAX_NUM_FORMS": 1000,
            "links-0-id": mug.links.get().pk,
            "links-0-product": mug.pk,
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    mug.refresh_from_db()
    assert mug.on_hand == 30
    assert mug.stock_set_at is not None  # pushed from now on
    assert Run.objects.filter(
        dataflow__connection=catalog, dataflow__kind=CHANGED_STOCK_UPDATE
    ).exists()


def test_the_admin_lists_products_links_and_store_leases(catalog):
    client = client_for(make_user("hubstaff", is_staff=True, is_superuser=True))
    for model in ("product", "productlink", "productimportsettings", "storelock"):
        assert client.get(reverse(f"admin:catalog_{model}_changelist")).status_code == 200
