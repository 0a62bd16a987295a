"""The Order errors page grouped by cause: counts, explanations and actions per group,
blocking before warnings, unknown SKUs by SKU, "every error of the filter" for bulk actions,
the CSV export, a constant number of queries, and another tenant's errors never shown."""

import csv
import io

import pytest
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import OrderError, OrderFetchRequest


@pytest.fixture(autouse=True)
def no_queueing(queued):
    return queued


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def unknown_sku(connection, bc_order_id, *skus):
    text = "; ".join(
        f"line {n} “Mug”: SKU “{sku}” is not a hub product; create it in the hub or correct "
        "the SKU in BigCommerce"
        for n, sku in enumerate(skus, 1)
    )
    return make_error(
        connection, bc_order_id, OrderError.Code.UNKNOWN_SKU, text[:1].upper() + text[1:] + "."
    )


def make_error(connection, bc_order_id, code, message):
    now = timezone.now()
    return OrderError.objects.create(
        connection=connection,
        bc_order_id=bc_order_id,
        code=code,
        message=message,
        first_seen_at=now,
        last_seen_at=now,
    )


def tracking_off(connection, bc_order_id, sku):
    return make_error(
        connection,
        bc_order_id,
        OrderError.Code.TRACKING_OFF,
        f"Line 1 (SKU “{sku}”): inventory tracking is off for this product in BigCommerce.",
    )


@pytest.fixture
def errors(connection):
    made = [unknown_sku(connection, 100 + n, "GHOST-1") for n in range(3)]
    made.append(unknown_sku(connection, 110, "GHOST-2", "GHOST-1"))
    made += [tracking_off(connection, 200 + n, "TRACK-1") for n in range(5)]
    made.append(make_error(connection, 300, OrderError.Code.INVALID_ADDRESS, "Invalid address."))
    return made


def test_the_errors_page_groups_errors_by_cause_blocking_first(manager, errors):
    html = client_for(manager).get(reverse("order-errors")).content.decode()
    blocking, warnings = html.index("<h2>Blocking"), html.index("<h2>Warnings")
    unknown = html.index('data-group="unknown_sku"')
    address = html.index('data-group="invalid_address"')
    tracking = html.index('data-group="tracking_off"')
    assert blocking < unknown < address < warnings < tracking  # the larger group first
    assert "Create these 2 SKUs in the hub" in html
    assert "Turn on inventory tracking for this product in BigCommerce" in html
    assert 'GHOST-1 <span class="muted">(4)</span>' in html
    assert 'GHOST-2 <span class="muted">(1)</span>' in html
    assert "Retry these 4" in html and "Retry these 5" in html
    # The list below: blocking errors first too.
    rows = html[html.index("<tbody>") :]
    assert rows.index("#300") < rows.index("#200")


def test_the_errors_page_filters_by_sku_and_severity(manager, errors):
    client = client_for(manager)
    html = client.get(reverse("order-errors") + "?sku=GHOST-2").content.decode()
    assert "#110" in html and "#100" not in html and "1 error<" in html
    html = client.get(reverse("order-errors") + "?severity=warning").content.decode()
    assert "#200" in html and "#300" not in html and "#100" not in html


def test_retry_of_every_error_of_the_filter_retries_beyond_the_page(operator, connection):
    for n in range(60):  # more than one page
        unknown_sku(connection, 1000 + n, "GHOST-9")
    make_error(connection, 5, OrderError.Code.INVALID_ADDRESS, "Invalid address.")
    response = client_for(operator).post(
        reverse("order-error-action", args=["retry"]),
        {"all": "1", "state": "open", "code": "unknown_sku", "ids": []},
    )
    assert response.status_code == 302
    assert set(OrderFetchRequest.objects.values_list("bc_order_id", flat=True)) == set(
        range(1000, 1060)
    )
    retried = OrderError.objects.filter(retry_requested_at__isnull=False)
    assert retried.count() == 60 and not retried.filter(bc_order_id=5).exists()


def test_ignore_of_every_error_of_a_sku(operator, errors):
    client_for(operator).post(
        reverse("order-error-action", args=["ignore"]),
        {"all": "1", "sku": "GHOST-2", "reason": "Discontinued"},
    )
    ignored = OrderError.objects.filter(resolution=OrderError.Resolution.IGNORED)
    assert list(ignored.values_list("bc_order_id", flat=True)) == [110]


def test_the_csv_export_has_the_filtered_errors(manager, errors):
    response = client_for(manager).get(reverse("order-errors-export") + "?code=tracking_off")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["error id", "connection", "BigCommerce order id"]
    assert sorted(int(r[2]) for r in rows[1:]) == [200, 201, 202, 203, 204]
    assert {r[4] for r in rows[1:]} == {"warning"} and {r[6] for r in rows[1:]} == {"open"}


def test_the_csv_export_never_runs_a_cell_as_a_formula(manager, connection):
    make_error(connection, 7, OrderError.Code.UNREADABLE, '=HYPERLINK("http://x")')
    response = client_for(manager).get(reverse("order-errors-export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][7] == '\'=HYPERLINK("http://x")'


def test_the_page_and_the_csv_take_as_many_queries_for_many_errors(manager, connection):
    client = client_for(manager)
    client.get(reverse("order-errors"))  # session and caches warm

    def queries(url):
        with CaptureQueriesContext(db_connection) as captured:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        return len(captured)

    def measure():
        return queries(reverse("order-errors")), queries(reverse("order-errors-export"))

    for n in range(3):
        unknown_sku(connection, 10 + n, f"FEW-{n}")
        tracking_off(connection, 20 + n, f"TRK-{n}")
    few = measure()
    for n in range(80):
        unknown_sku(connection, 100 + n, f"MANY-{n}", "MANY-X")
        tracking_off(connection, 300 + n, f"TRK-{n % 7}")
        make_error(connection, 500 + n, OrderError.Code.INVALID_ADDRESS, "Invalid address.")
    assert measure() == few


def test_another_tenants_errors_are_never_shown_exported_or_changed(
    manager, outsider, errors, other_connection
):
    theirs = unknown_sku(other_connection, 900, "BOB-SKU")
    client = client_for(manager)
    assert "BOB-SKU" not in client.get(reverse("order-errors")).content.decode()
    assert "#900" not in client.get(reverse("order-errors") + "?sku=BOB-SKU").content.decode()
    export = client.get(reverse("order-errors-export") + "?state=all")
    assert b"BOB-SKU" not in b"".join(export.streaming_content)
    export = client.get(reverse("order-errors-export") + f"?connection={other_connection.pk}")
    assert b"BOB-SKU" not in b"".join(export.streaming_content)

    response = client.post(reverse("order-error-action", args=["retry"]), {"ids": [theirs.pk]})
    assert response.status_code == 404
    client.post(
        reverse("order-error-action", args=["ignore"]),
        {"all": "1", "connection": other_connection.pk, "reason": "x"},
    )
    client.post(reverse("order-error-action", args=["retry"]), {"all": "1", "sku": "BOB-SKU"})
    theirs.refresh_from_db()
    assert theirs.is_open and theirs.retry_requested_at is None
    assert not OrderFetchRequest.objects.filter(connection=other_connection).exists()

    # And the other way round: Bob's page shows none of Alice's errors.
    html = client_for(outsider).get(reverse("order-errors")).content.decode()
    assert "BOB-SKU" in html and "GHOST-1" not in html


def test_a_viewer_exports_but_cannot_act_on_every_error_of_the_filter(viewer, errors):
    client = client_for(viewer)
    assert client.get(reverse("order-errors-export")).status_code == 200
    response = client.post(reverse("order-error-action", args=["retry"]), {"all": "1"})
    assert response.status_code == 403
    assert not OrderFetchRequest.objects.exists()
    assert "Retry these" not in client.get(reverse("order-errors")).content.decode()


def test_the_api_groups_the_errors_by_cause_for_the_callers_tenants_only(
    viewer, errors, other_connection
):
    from tests.fixtures.tenants import api_client_for

    unknown_sku(other_connection, 900, "BOB-SKU")
    response = api_client_for(viewer).get("/api/v1/order-errors/groups/")

    assert response.status_code == 200
    groups = response.json()
    assert [g["code"] for g in groups] == ["unknown_sku", "invalid_address", "tracking_off"]
    unknown = groups[0]
    assert (unknown["severity"], unknown["errors"], unknown["orders"]) == ("blocking", 4, 4)
    assert unknown["skus"] == [{"sku": "GHOST-1", "errors": 4}, {"sku": "GHOST-2", "errors": 1}]
    assert unknown["action"].startswith("Create these SKUs in the hub")
    assert groups[2]["severity"] == "warning"
    warnings = api_client_for(viewer).get("/api/v1/order-errors/groups/?severity=warning").json()
    assert [g["code"] for g in warnings] == ["tracking_off"]
    listed = api_client_for(viewer).get("/api/v1/order-errors/?sku=GHOST-2").json()
    assert [e["bc_order_id"] for e in listed["results"]] == [110]
