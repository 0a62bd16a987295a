"""`__any_of` (dataflows.lookups): the rows `__in` finds, with one array parameter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connections.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenants():
    return [Tenant.objects.create(name=name) for name in ("Alpha", "Beta", "Gamma", "Delta")]


@pytest.mark.parametrize(
    "field, values",
    [
        ("name", ["Beta", "Delta", "Nobody"]),
        ("name", ["Beta", "Beta", None]),
        ("name", []),
        ("pk", "tenant ids"),
        ("pk", "tenant ids as text"),
    ],
)
def test_any_of_finds_what_in_finds(tenants, field, values):
    if values == "tenant ids":
        values = [tenants[0].pk, tenants[2].pk, 10**12]
    elif values == "tenant ids as text":
        values = [str(tenants[1].pk)]
    found = set(Tenant.objects.filter(**{f"{field}__any_of": values}))
    assert found == set(Tenant.objects.filter(**{f"{field}__in": values}))


def test_on_postgresql_the_values_are_one_array_parameter(tenants):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's arrays")
    names = [f"Tenant {n}" for n in range(300)]
    with CaptureQueriesContext(connection) as queries:
        list(Tenant.objects.filter(name__any_of=names))
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "= ANY(" in sql and "::varchar[]" in sql and " IN (" not in sql


def test_a_subquery_still_works(tenants):
    inner = Tenant.objects.filter(name__startswith="B").values("pk")
    assert list(Tenant.objects.filter(pk__any_of=inner)) == [tenants[1]]
