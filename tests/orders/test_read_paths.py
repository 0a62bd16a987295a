"""The screens and API lists that grow with the data take the same number of queries at two
sizes (no N+1), and their indexes give the lists' order without sorting every row."""

import pytest
from django.db import connection as db

from connections.models import Tenant
from dataflows.benchmarks.scheduler import connections_build
from orders.benchmarks.read_paths import orders_build, plans, screens, viewer_for
from orders.models import Order, OrderError

pytestmark = pytest.mark.django_db


@pytest.fixture
def grown():
    """A tenant built in two steps: measure, grow, measure again."""
    tenant = connections_build(count=4, runs_each=0, tenant_name="Read paths")
    orders_build(tenant=tenant, count=200)  # the first connection has errors
    return tenant


def test_every_list_takes_the_same_queries_with_10_times_the_connections_and_orders(grown):
    user = viewer_for(grown)
    small = screens(tenant=grown, user=user)

    connections_build(count=36, runs_each=0, tenant_name="Read paths")
    orders_build(tenant=Tenant.objects.get(pk=grown.pk), count=1800)
    large = screens(tenant=grown, user=user)

    assert Order.objects.filter(tenant=grown).count() == 2000
    assert OrderError.objects.filter(connection__tenant=grown).count() > 40
    assert {name: f["queries"] for name, f in large.items()} == {
        name: f["queries"] for name, f in small.items()
    }


def test_the_bench_builds_orders_with_lines_and_open_and_resolved_errors(grown):
    orders = Order.objects.filter(tenant=grown)
    assert orders.count() == 200
    assert orders.filter(lines__isnull=True).count() == 0
    assert set(orders.values_list("connection__tenant", flat=True)) == {grown.pk}
    errors = OrderError.objects.filter(connection__tenant=grown)
    assert errors.filter(resolved_at__isnull=True).exists()
    assert errors.filter(resolved_at__isnull=False).exists()


@pytest.mark.skipif(db.vendor != "sqlite", reason="SQLite's plans name a sort plainly")
def test_the_orders_page_comes_in_index_order_without_sorting_the_tenants_orders(grown):
    plan = "\n".join(plans(tenant=grown, user=viewer_for(grown))["orders_list_page"]["plan"])

    assert "orders_tenant_created_idx" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
