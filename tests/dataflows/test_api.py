"""REST API of dataflows, runs and run logs:
/api/v1/connections/{id}/dataflows/[{kind}/], /api/v1/runs/[{id}/], /api/v1/runs/{id}/logs/.

Each endpoint is tried by owner (manager), operator, viewer, another tenant's manager (404,
never 403), staff and an anonymous client."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from connections.models import Connection
from dataflows.models import Dataflow, Kind, LogEntry, Run
from tests.fixtures.tenants import api_client_for, make_connection

RUNS_URL = "/api/v1/runs/"
BASE_TIME = timezone.now().replace(microsecond=0) - timedelta(days=1)


def dataflows_url(connection, kind=None):
    url = f"/api/v1/connections/{connection.pk}/dataflows/"
    return f"{url}{kind}/" if kind else url


def run_url(run, suffix=""):
    return f"{RUNS_URL}{run.pk}/{suffix}"


def make_run(connection, kind=Kind.ORDER_IMPORT, *, minutes=0, **fields):
    """A run queued `minutes` after BASE_TIME."""
    dataflow = Dataflow.objects.get(connection=connection, kind=kind)
    run = Run.objects.create(dataflow=dataflow, trigger=fields.pop("trigger", "schedule"), **fields)
    Run.objects.filter(pk=run.pk).update(queued_at=BASE_TIME + timedelta(minutes=minutes))
    run.refresh_from_db()
    return run


def make_log(run, level=LogEntry.Level.INFO, message="Order imported", **fields):
    return LogEntry.objects.create(run=run, level=level, message=message, **fields)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The fixtures' users get passwords; hashing them the production way is slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def user_for(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


def ids(response):
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def run(connection):
    run = make_run(connection, status=Run.Status.SUCCEEDED, fetched=3, created=2, skipped=1)
    make_log(run, object_kind="order", object_id="101")
    return run


# --------------------------------------------------------------------------- role matrix

VIEW, OPERATE = "view", "operate"
EXPECTED_BY_ROLE = {
    "manager": {VIEW: 200, OPERATE: 200},
    "staff": {VIEW: 200, OPERATE: 200},
    "operator": {VIEW: 200, OPERATE: 200},
    "viewer": {VIEW: 200, OPERATE: 403},
    "outsider": {VIEW: 404, OPERATE: 404},
    "anonymous": {VIEW: 401, OPERATE: 401},
}
ENDPOINTS = [
    pytest.param("get", lambda c, r: dataflows_url(c), None, VIEW, id="dataflows-list"),
    pytest.param(
        "patch",
        lambda c, r: dataflows_url(c, "order_import"),
        {"enabled": False, "interval_seconds": 900},
        OPERATE,
        id="dataflow-update",
    ),
    pytest.param("get", lambda c, r: run_url(r), None, VIEW, id="run-retrieve"),
    pytest.param("get", lambda c, r: run_url(r, "logs/"), None, VIEW, id="run-logs"),
]


def _dataflow_state(connection):
    return list(
        Dataflow.objects.filter(connection=connection)
        .order_by("kind")
        .values_list("enabled", "interval_seconds", "options")
    )


@pytest.mark.parametrize("role", list(EXPECTED_BY_ROLE))
@pytest.mark.parametrize("method,url,body,need", ENDPOINTS)
def test_each_endpoint_answers_each_role_as_its_rights_allow(
    request, connection, run, role, method, url, body, need
):
    before = _dataflow_state(connection)

    response = getattr(api_client_for(user_for(request, role)), method)(
        url(connection, run), body, format="json"
    )

    assert response.status_code == EXPECTED_BY_ROLE[role][need], response.content
    if response.status_code >= 400:
        assert _dataflow_state(connection) == before, "a refused request changed nothing"


@pytest.mark.parametrize("method,url,body,need", ENDPOINTS)
def test_it_validates_ownership(outsider, connection, run, method, url, body, need):
    """Another tenant's manager gets 404 for every endpoint, exactly as for a missing id."""
    client = api_client_for(outsider)
    missing_connection = Connection(pk=999999)
    missing_run = Run(pk=999999)

    response = getattr(client, method)(url(connection, run), body, format="json")
    missing = getattr(client, method)(url(missing_connection, missing_run), body, format="json")

    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_anonymous_clients_get_401_on_the_runs_list(run):
    assert api_client_for(None).get(RUNS_URL).status_code == 401


# --------------------------------------------------------------------------- dataflows


def test_the_dataflows_are_listed_one_per_kind_in_the_designs_order(connection, viewer):
    response = api_client_for(viewer).get(dataflows_url(connection))

    assert response.status_code == 200
    rows = response.json()
    assert [row["kind"] for row in rows] == list(Kind.values)
    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["order_import"]["enabled"] is True
    assert by_kind["order_import"]["interval_seconds"] == 300
    assert by_kind["order_import"]["kind_label"] == "Order Import"
    assert by_kind["order_import"]["scheduled"] is True
    assert by_kind["changed_product_match"]["enabled"] is False
    assert by_kind["changed_product_match"]["scheduled"] is False
    assert {row["connection"] for row in rows} == {connection.pk}


def test_each_dataflow_shows_its_newest_run(connection, viewer):
    make_run(connection, Kind.ORDER_IMPORT, minutes=1, status=Run.Status.FAILED)
    newest = make_run(connection, Kind.ORDER_IMPORT, minutes=5, status=Run.Status.SUCCEEDED)
    make_run(connection, Kind.ORDER_IMPORT, minutes=3, status=Run.Status.PARTIAL)

    rows = api_client_for(viewer).get(dataflows_url(connection)).json()

    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["order_import"]["last_run"]["id"] == newest.pk
    assert by_kind["order_import"]["last_run"]["status"] == "succeeded"
    assert by_kind["product_match"]["last_run"] is None


def test_the_next_run_is_estimated_from_the_schedules_last_tick(connection, viewer):
    dataflow = Dataflow.objects.get(connection=connection, kind=Kind.ORDER_IMPORT)
    PeriodicTask.objects.filter(pk=dataflow.periodic_task_id).update(last_run_at=BASE_TIME)

    rows = api_client_for(viewer).get(dataflows_url(connection)).json()

    by_kind = {row["kind"]: row for row in rows}
    expected = (BASE_TIME + timedelta(seconds=300)).isoformat().replace("+00:00", "Z")
    assert by_kind["order_import"]["next_run_at"] == expected
    assert by_kind["product_match"]["next_run_at"] is None


def test_an_inactive_connections_dataflows_are_not_scheduled(tenant, viewer):
    connection = make_connection(tenant, status=Connection.Status.INACTIVE)

    rows = api_client_for(viewer).get(dataflows_url(connection)).json()

    assert {(row["scheduled"], row["next_run_at"]) for row in rows} == {(False, None)}


def test_listing_dataflows_takes_a_constant_number_of_queries(
    connection, manager, django_assert_max_num_queries
):
    for kind in Kind:
        for minutes in range(3):
            make_run(connection, kind, minutes=minutes)
    client = api_client_for(manager)

    with django_assert_max_num_queries(4):  # token, connection, dataflows, newest runs
        response = client.get(dataflows_url(connection))

    assert all(row["last_run"] for row in response.json())


def test_an_operator_disables_a_dataflow_and_its_schedule_stops(connection, operator):
    response = api_client_for(operator).patch(
        dataflows_url(connection, "order_import"), {"enabled": False}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["enabled"], response.json()["scheduled"]) == (False, False)
    dataflow = Dataflow.objects.get(connection=connection, kind=Kind.ORDER_IMPORT)
    assert dataflow.enabled is False
    assert PeriodicTask.objects.get(pk=dataflow.periodic_task_id).enabled is False


def test_an_operator_reschedules_a_dataflow_and_beat_follows(connection, operator):
    response = api_client_for(operator).patch(
        dataflows_url(connection, "full_stock_update"),
        {"interval_seconds": 3600, "options": {"batch": 500}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["interval_seconds"] == 3600
    assert response.json()["options"] == {"batch": 500}
    dataflow = Dataflow.objects.get(connection=connection, kind=Kind.FULL_STOCK_UPDATE)
    task = PeriodicTask.objects.select_related("interval").get(pk=dataflow.periodic_task_id)
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 3600, "seconds")


def test_enabling_a_dataflow_that_was_off_by_default_schedules_it(connection, operator):
    response = api_client_for(operator).patch(
        dataflows_url(connection, "changed_product_match"), {"enabled": True}, format="json"
    )

    assert response.json()["scheduled"] is True
    dataflow = Dataflow.objects.get(connection=connection, kind=Kind.CHANGED_PRODUCT_MATCH)
    assert PeriodicTask.objects.get(pk=dataflow.periodic_task_id).enabled is True


@pytest.mark.parametrize(
    "body,field",
    [
        ({"interval_seconds": 59}, "interval_seconds"),
        ({"interval_seconds": 0}, "interval_seconds"),
        ({"interval_seconds": 10**10}, "interval_seconds"),
        ({"interval_seconds": "often"}, "interval_seconds"),
        ({"options": ["not", "an", "object"]}, "options"),
        ({"enabled": "perhaps"}, "enabled"),
    ],
)
def test_an_invalid_dataflow_change_is_refused_with_400_naming_the_field(
    connection, operator, body, field
):
    before = _dataflow_state(connection)

    response = api_client_for(operator).patch(
        dataflows_url(connection, "order_import"), body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert _dataflow_state(connection) == before


def test_an_unknown_dataflow_kind_answers_404(connection, operator):
    response = api_client_for(operator).patch(
        dataflows_url(connection, "teleport"), {"enabled": False}, format="json"
    )

    assert response.status_code == 404


def test_viewers_cannot_change_a_dataflow(connection, viewer):
    response = api_client_for(viewer).patch(
        dataflows_url(connection, "order_import"), {"enabled": False}, format="json"
    )

    assert response.status_code == 403
    assert Dataflow.objects.get(connection=connection, kind=Kind.ORDER_IMPORT).enabled is True


def test_another_tenants_user_cannot_change_a_dataflow(connection, outsider):
    response = api_client_for(outsider).patch(
        dataflows_url(connection, "order_import"), {"enabled": False}, format="json"
    )

    assert response.status_code == 404
    assert Dataflow.objects.get(connection=connection, kind=Kind.ORDER_IMPORT).enabled is True


# --------------------------------------------------------------------------- runs


def test_runs_are_listed_newest_first(connection, viewer):
    old = make_run(connection, minutes=1)
    new = make_run(connection, Kind.PRODUCT_MATCH, minutes=9)
    middle = make_run(connection, Kind.ORDER_UPDATE, minutes=5)

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
        "import_ok": make_run(connection, Kind.ORDER_IMPORT, minutes=1, status="succeeded"),
        "import_failed": make_run(connection, Kind.ORDER_IMPORT, minutes=2, status="failed"),
        "stock_sync": make_run(
            connection,
            Kind.FULL_STOCK_UPDATE,
            minutes=3,
            status="succeeded",
            trigger="synchronize",
        ),
        "second": make_run(second, Kind.ORDER_IMPORT, minutes=4, status="queued"),
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
    for minute, kind in enumerate(Kind):
        make_run(connection, kind, minutes=minute)
        make_run(second, kind, minutes=minute)
    client = api_client_for(manager)

    with django_assert_max_num_queries(3):  # token, count, page
        response = client.get(RUNS_URL)

    assert response.json()["count"] == 12


# --------------------------------------------------------------------------- logs


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
    other_run = make_run(connection, Kind.PRODUCT_MATCH)
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
