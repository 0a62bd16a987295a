"""Bad input found from outside answers a clear 4xx (or the page with a message), never a 500:
format suffixes, OPTIONS on the docs, deep or invalid JSON, odd tokens, `next=`, NUL
characters (they fail on PostgreSQL), numbers the databases cannot compare (SQLite),
page_size. Run on both databases."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from connections.models import Connection, SavedListView
from orders.models import OrderError
from orders.services.importer import OrderImporter
from tests.connections.screens import client_for
from tests.fixtures.tenants import api_client_for
from tests.orders.helpers import line, order_payload

HUGE = str(10**20)


@pytest.fixture
def api(manager):
    return api_client_for(manager)


@pytest.fixture
def order_error(connection):
    OrderImporter(connection=connection).import_page([order_payload(104, lines=[line(sku="NO")])])
    return OrderError.objects.get(connection=connection, bc_order_id=104)


def post_json(api, url, text, method="post"):
    return getattr(api, method)(url, data=text, content_type="application/json")


# ----------------------------------------------------------------------------- REST


@pytest.mark.parametrize(
    "url", ["/api/v1/connections.json", "/api/v1/orders.json", "/api/v1/connections/1.json"]
)
def test_a_format_suffix_is_not_found(api, connection, url):
    assert api.get(url).status_code == 404


def test_options_on_the_api_docs_is_not_allowed(client):
    response = client.options("/api/v1/docs/")

    assert response.status_code == 405
    assert client.get("/api/v1/docs/").status_code == 200


def deep(levels):
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [100_000, 40])
@pytest.mark.parametrize(
    "method, url",
    [
        ("post", "/api/v1/connections/"),
        ("patch", "/api/v1/connections/{pk}/"),
        ("patch", "/api/v1/connections/{pk}/dataflows/order_import/"),
        ("post", "/api/v1/order-errors/ignore/"),
    ],
)
def test_json_nested_too_deeply_is_a_400_that_says_so(api, connection, method, url, levels):
    body = f'{{"options": {deep(levels)}}}'

    response = post_json(api, url.format(pk=connection.pk), body, method)

    assert response.status_code == 400, response.content
    assert "nested deeper than 32 levels" in response.json()["detail"]


def test_a_lone_surrogate_in_a_json_string_is_a_400(api, connection):
    url = f"/api/v1/connections/{connection.pk}/"

    response = post_json(api, url, '{"name": "\\ud800"}', "patch")

    assert response.status_code == 400
    assert "lone surrogate" in response.json()["detail"]
    connection.refresh_from_db()
    assert connection.name == "Main store"


def test_a_nul_in_a_json_string_is_a_400_naming_the_field(api, connection):
    url = f"/api/v1/connections/{connection.pk}/"

    response = post_json(api, url, '{"name": "a\\u0000b"}', "patch")

    assert response.status_code == 400
    assert "Null characters are not allowed" in response.json()["name"][0]


def test_nul_inside_dataflow_options_is_a_400(api, connection):
    url = f"/api/v1/connections/{connection.pk}/dataflows/order_import/"

    response = post_json(api, url, '{"options": {"note": "a\\u0000b"}}', "patch")

    assert response.status_code == 400


@pytest.mark.parametrize("token", ["tökén-€", "with space", "0\u200b"])
def test_a_token_that_is_not_printable_ascii_is_refused_with_a_message(api, token):
    payload = {"name": "New", "store_hash": "new456", "access_token": token}

    response = api.post("/api/v1/connections/", payload, format="json")

    assert response.status_code == 400
    assert "no spaces or accented characters" in response.json()["access_token"][0]
    assert not Connection.objects.filter(store_hash="new456").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/runs/?connection={huge}",
        "/api/v1/runs/?dataflow={huge}",
        "/api/v1/products/?tenant={huge}",
        "/api/v1/products/?connection={huge}",
        "/api/v1/order-errors/?order={huge}",
        "/api/v1/orders/?bc_id={huge}",
        "/api/v1/connections/?tenant={huge}",
        "/api/v1/runs/?connection=-1",
    ],
)
def test_a_number_filter_beyond_what_the_database_compares_is_a_400(api, connection, url):
    response = api.get(url.format(huge=HUGE))

    assert response.status_code == 400
    assert "Ensure this value is" in str(response.json())


@pytest.mark.parametrize(
    "url",
    ["/api/v1/orders/?created_before=", "/api/v1/runs/?queued_after=", "/orders/?created_after="],
)
def test_a_date_filter_with_an_offset_python_reads_is_compared_in_utc(api, manager, url):
    client = api if url.startswith("/api/") else client_for(manager)

    response = client.get(f"{url}0876-05-10T16:57:26%2B23:04")

    assert response.status_code == 200  # PostgreSQL takes offsets up to ±15:59 only


def test_a_date_filter_beyond_year_one_in_utc_is_a_400(api):
    response = api.get("/api/v1/orders/?created_after=0001-01-01T00:00:00%2B10:00")

    assert response.status_code == 400
    assert "between the years 1 and 9999" in response.json()["created_after"][0]


@pytest.mark.parametrize("field", ["ids", "connection"])
def test_bulk_actions_refuse_ids_beyond_the_database(api, order_error, field):
    value = [int(HUGE)] if field == "ids" else int(HUGE)
    body = {field: value, "reason": "duplicate"}

    for action in ("retry", "ignore"):
        response = api.post(f"/api/v1/order-errors/{action}/", body, format="json")
        assert response.status_code == 400, response.content


@pytest.mark.parametrize("page_size", ["null", "-5", "0", "abc", "1.5"])
def test_a_page_size_that_is_not_a_whole_number_is_refused(api, connection, page_size):
    response = api.get(f"/api/v1/connections/?page_size={page_size}")

    assert response.status_code == 400
    assert "whole number from 1 to 500" in response.json()["page_size"][0]


def test_a_page_size_is_applied_and_capped(api, connection):
    assert api.get("/api/v1/connections/?page_size=1").status_code == 200
    assert api.get("/api/v1/connections/?page_size=100000").status_code == 200


def test_an_open_order_errors_blank_resolution_is_in_the_schema(api, order_error):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    resolution = schema["components"]["schemas"]["OrderError"]["properties"]["resolution"]
    allowed = set()
    for option in resolution.get("oneOf", [resolution]):
        ref = option.get("$ref", "").split("/")[-1]
        allowed |= set(schema["components"]["schemas"][ref]["enum"] if ref else option["enum"])

    (row,) = api.get("/api/v1/order-errors/").json()["results"]

    assert row["resolution"] == ""
    assert allowed == {"", "resolved", "ignored"}


# ----------------------------------------------------------------------------- screens


def test_a_next_that_is_not_a_path_falls_back_to_the_connection(manager, connection):
    url = reverse("connection-rename", args=[connection.pk])

    response = client_for(manager).post(url, {"name": "Renamed", "next": "abc"})

    assert response.status_code == 302
    assert response["Location"] == reverse("connection-detail", args=[connection.pk])


@pytest.mark.parametrize("target", ["abc", "https://evil.example/", "//evil.example/"])
def test_a_next_that_is_not_a_local_path_falls_back_to_the_error_list(manager, order_error, target):
    url = reverse("order-error-action", args=["ignore"])
    body = {"ids": [order_error.pk], "reason": "duplicate", "next": target}

    response = client_for(manager).post(url, body)

    assert response.status_code == 302
    assert response["Location"] == reverse("order-errors")


def test_a_local_next_is_followed(manager, order_error):
    url = reverse("order-error-action", args=["retry"])
    body = {"ids": [order_error.pk], "next": "/orders/errors/?state=all"}

    response = client_for(manager).post(url, body)

    assert response["Location"] == "/orders/errors/?state=all"


def test_an_error_id_beyond_the_database_is_not_found(manager, order_error):
    url = reverse("order-error-action", args=["retry"])

    response = client_for(manager).post(url, {"ids": [order_error.pk, HUGE]})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/?tenant={huge}",
        "/connections/?tenant={huge}",
        "/connections/{pk}/runs/?dataflow={huge}",
        "/catalog/?connection={huge}",
        "/orders/?connection={huge}",
        "/orders/errors/?order={huge}",
    ],
)
def test_screens_ignore_a_number_filter_beyond_the_database(manager, connection, url):
    response = client_for(manager).get(url.format(huge=HUGE, pk=connection.pk))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", ["/connections/?q=%00", "/orders/?q=%00", "/catalog/?q=%00", "/connections/?q=a%00b"]
)
def test_a_nul_in_the_search_is_no_server_error(manager, connection, url):
    assert client_for(manager).get(url).status_code == 200


def test_a_saved_view_name_with_a_nul_is_refused_with_a_message(manager):
    client = client_for(manager)

    response = client.post(reverse("connection-view-save"), {"name": "Mine\x00"}, follow=True)

    assert "no control characters" in response.content.decode()
    assert not SavedListView.objects.exists()


def test_a_saved_views_search_with_a_nul_is_saved_without_it(manager):
    client = client_for(manager)

    client.post(reverse("connection-view-save"), {"name": "Mine", "q": "ab\x00c"})

    assert SavedListView.objects.get().filters == {"q": "abc"}


def test_an_out_of_range_minimum_order_id_is_a_form_error(manager, connection):
    url = reverse("connection-settings", args=[connection.pk]) + "?section=order-filters"
    body = {"order_status_filter": [11], "import_min_order_id": HUGE}

    response = client_for(manager).post(url, body)

    assert response.status_code == 200
    assert "less than or equal to 9223372036854775807" in response.content.decode()
    connection.refresh_from_db()
    assert connection.import_min_order_id is None
