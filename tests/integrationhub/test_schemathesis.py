"""schemathesis against the hub's own schema (/api/v1/schema/), loaded from the WSGI app: every
operation, called by a manager's API token of a tenant with data, answers no 5xx and only
responses the schema documents. Bounded and derandomized, so CI runs it in seconds, the same
cases every time."""

import pytest
import schemathesis
from django.core import signals
from django.core.exceptions import ValidationError
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from catalog.models import Product
from connections import services
from orders.services.importer import OrderImporter
from tests.dataflows.api.helpers import make_log, make_run
from tests.orders.helpers import line, order_payload

MAX_EXAMPLES = 10  # per operation; the whole API in well under a minute
#: No 5xx and responses as documented. Not checked: DRF's 400/404 error bodies, which the
#: schema does not list for each operation, and auth (the role tests cover it).
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]


@pytest.fixture
def api_schema(db):
    # As Django's test client does: a request must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(manager, connection, tenant, monkeypatch):
    """A manager's token of a tenant with orders, an order error, products, runs and logs;
    no store is called and no task is sent."""

    def check(*, store_hash, access_token, scopes=()):
        raise ValidationError({"access_token": "BigCommerce refused this access token."})

    monkeypatch.setattr(services, "connection_check_credentials", check)
    monkeypatch.setattr("dataflows.services._enqueue_run", lambda run_id, **kwargs: None)
    monkeypatch.setattr("orders.services.fetch_requests.run_queue", lambda **kwargs: None)
    Product.objects.create(tenant=tenant, sku="SKU-1", on_hand=10)
    OrderImporter(connection=connection).import_page(
        [order_payload(101, lines=[line(sku="SKU-1")]), order_payload(104, lines=[line(sku="NO")])]
    )
    make_log(make_run(connection))
    return Token.objects.create(user=manager).key


def test_every_operation_answers_no_server_error_and_matches_the_schema(api_schema, token):
    headers = {"Authorization": f"Token {token}"}
    calls, failures = [], {}
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            calls.append(case.operation.label)
            with transaction.atomic():  # as a request of its own: an error poisons no other
                response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as error:  # every operation's failure, reported
            failures[operation.label] = error

    print(f"schemathesis: {len(set(calls))} operations, {len(calls)} cases")
    assert not failures, "\n\n".join(f"{label}: {error}" for label, error in failures.items())
    assert len(set(calls)) >= 20  # every operation of the schema ran
