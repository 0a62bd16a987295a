"""REST: /api/v1/runs/[{id}/]."""

from datetime import timedelta

import pytest

from dataflows.registry import flow_specs
from tests.dataflows.api.helpers import (
    BASE_TIME,
    RUNS_URL,
    ids,
    make_run,
    run_url,
)
from tests.fixtures.tenants import api_client_for, make_connection


def test_runs_are_listed_newest_first(connection, viewer):
    old = make_run(connection, minutes=1)
    new = make_run(connection, "product_match", minutes=9)
    middle = make_run(connection, "order_update", minutes=5)

    response = api_client_for(viewer).get(RUNS_URL)

    assert response.status_code == 200
    assert ids(response) == [new.pk, middle.pk, old.pk]


def test_a_run_shows_its_counts_and_its_connection(run, viewer):
    body = api_client_for(viewer).get(run_url(run)).json()

    assert body["connection"] == run.dataflow.connection_id
    assert body["dataflow"] == run.dataflow_id
    assert body["kind"] == "order_import"
    assert body["status"] == "succeeded"
    assert (body["fetched"], body["created"], body["skipped"]) == (3, 2, 1)


def test_the_runs_list_shows_only_the_users_tenants_runs(connection, other_connection, manager):
    mine = make_run(connection)
    make_run(other_connection)

    assert ids(api_client_for(manager).get(RUNS_URL)) == [mine.pk]


def test_staff_see_every_tenants_runs(connection, other_connection, staff):
    runs = {make_run(connection).pk, make_run(other_connection).pk}

    assert set(ids(api_client_for(staff).get(RUNS_URL))) == runs


@pytest.fixture
def assorted_runs(tenant, connection):
    second = make_connection(tenant, name="Second", store_hash="second1")
    return {
        "import_ok": make_run(connection, "order_import", minutes=1, status="succeeded"),
        "import_failed": make_run(connection, "order_import", minutes=2, status="failed"),
        "stock_sync": make_run(
            connection,
            "full_stock_update",
            minutes=3,
            status="succeeded",
            trigger="synchronize",
        ),
        "second": make_run(second, "order_import", minutes=4, status="queued"),
    }


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"kind": "order_import"}, ["second", "import_failed", "import_ok"]),
        ({"status": "failed"}, ["import_failed"]),
        ({"trigger": "synchronize"}, ["stock_sync"]),
        ({"kind": "order_import", "status": "succeeded"}, ["import_ok"]),
    ],
)
def test_runs_filter_by_kind_status_and_trigger(assorted_runs, manager, params, expected):
    response = api_client_for(manager).get(RUNS_URL, params)

    assert ids(response) == [assorted_runs[name].pk for name in expected]


def test_runs_filter_by_connection_and_by_dataflow(assorted_runs, connection, manager):
    client = api_client_for(manager)
    stock = assorted_runs["stock_sync"]

    by_connection = client.get(RUNS_URL, {"connection": connection.pk})
    by_dataflow = client.get(RUNS_URL, {"dataflow": stock.dataflow_id})

    assert ids(by_connection) == [
        assorted_runs[name].pk for name in ("stock_sync", "import_failed", "import_ok")
    ]
    assert ids(by_dataflow) == [stock.pk]


def test_runs_filter_by_queued_time(assorted_runs, manager):
    response = api_client_for(manager).get(
        RUNS_URL, {"queued_after": (BASE_TIME + timedelta(minutes=3)).isoformat()}
    )

    assert ids(response) == [assorted_runs["second"].pk, assorted_runs["stock_sync"].pk]


def test_filtering_runs_by_another_tenants_connection_lists_nothing(
    connection, other_connection, manager
):
    make_run(other_connection)

    response = api_client_for(manager).get(RUNS_URL, {"connection": other_connection.pk})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("param", ["status", "kind", "trigger"])
def test_an_unknown_filter_value_is_refused_with_400_naming_it(connection, manager, param):
    response = api_client_for(manager).get(RUNS_URL, {param: "bogus"})

    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_runs_are_paginated(connection, manager):
    made = [make_run(connection, minutes=minute).pk for minute in range(7)]
    client = api_client_for(manager)

    first = client.get(RUNS_URL, {"page_size": 3}).json()
    third = client.get(RUNS_URL, {"page_size": 3, "page": 3}).json()
    beyond = client.get(RUNS_URL, {"page_size": 3, "page": 4})

    assert first["count"] == 7
    assert [row["id"] for row in first["results"]] == made[::-1][:3]
    assert [row["id"] for row in third["results"]] == [made[0]]
    assert third["next"] is None
    assert beyond.status_code == 404


def test_listing_many_runs_takes_a_constant_number_of_queries(
    tenant, connection, manager, django_assert_max_num_queries
):
    second = make_connection(tenant, name="Second", store_hash="second1")
    for minute, kind in enumerate(spec.kind for spec in flow_specs()):
        make_run(connection, kind, minutes=minute)
        make_run(second, kind, minutes=minute)
    client = api_client_for(manager)

    with django_assert_max_num_queries(3):  # token, count, page
        response = client.get(RUNS_URL)

    assert response.json()["count"] == 20  # 10 kinds on each of the 2 connections


# --------------------------------------------------------------------------- logs
