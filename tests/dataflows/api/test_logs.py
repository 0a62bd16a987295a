"""REST: /api/v1/runs/{id}/logs/."""

from dataflows.models import LogEntry
from tests.dataflows.api.helpers import (
    ids,
    make_log,
    make_run,
    run_url,
)
from tests.fixtures.tenants import api_client_for


def test_a_runs_log_is_listed_in_the_order_it_was_written(run, viewer):
    second = make_log(run, LogEntry.Level.WARNING, "SKU is blank", object_kind="variant")
    first = run.log_entries.order_by("id").first()

    response = api_client_for(viewer).get(run_url(run, "logs/"))

    assert response.status_code == 200
    assert ids(response) == [first.pk, second.pk]
    row = response.json()["results"][0]
    assert row["run"] == run.pk
    assert (row["level"], row["object_kind"], row["object_id"]) == ("info", "order", "101")


def test_a_runs_log_filters_by_level(run, viewer):
    warning = make_log(run, LogEntry.Level.WARNING, "SKU is blank")
    make_log(run, LogEntry.Level.ERROR, "Order 7 refused")

    response = api_client_for(viewer).get(run_url(run, "logs/"), {"level": "warning"})

    assert ids(response) == [warning.pk]


def test_a_runs_log_filters_by_object(run, viewer):
    mine = make_log(run, object_kind="order", object_id="202")

    response = api_client_for(viewer).get(
        run_url(run, "logs/"), {"object_kind": "order", "object_id": "202"}
    )

    assert ids(response) == [mine.pk]


def test_an_unknown_log_level_is_refused_with_400(run, viewer):
    response = api_client_for(viewer).get(run_url(run, "logs/"), {"level": "loud"})

    assert response.status_code == 400
    assert list(response.json()) == ["level"]


def test_a_runs_log_shows_only_that_runs_entries(connection, run, viewer):
    other_run = make_run(connection, "product_match")
    make_log(other_run, message="Product matched")

    response = api_client_for(viewer).get(run_url(run, "logs/"))

    assert response.json()["count"] == 1


def test_a_runs_log_is_paginated(run, viewer):
    for index in range(4):
        make_log(run, message=f"Order {index}")

    page = api_client_for(viewer).get(run_url(run, "logs/"), {"page_size": 2, "page": 3}).json()

    assert page["count"] == 5
    assert [row["message"] for row in page["results"]] == ["Order 3"]


def test_a_long_log_takes_a_constant_number_of_queries(run, manager, django_assert_max_num_queries):
    LogEntry.objects.bulk_create(
        LogEntry(run=run, message=f"Order {index}", object_kind="order", object_id=str(index))
        for index in range(120)
    )
    client = api_client_for(manager)

    with django_assert_max_num_queries(4):  # token, run, count, page
        response = client.get(run_url(run, "logs/"), {"page_size": 100})

    assert len(response.json()["results"]) == 100


def test_another_tenants_user_cannot_read_a_log_even_through_a_filter(run, outsider):
    response = api_client_for(outsider).get(run_url(run, "logs/"), {"level": "info"})

    assert response.status_code == 404
