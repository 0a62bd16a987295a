"""Orders' parts of the CONNECTIONS screens: the Orders tab's badge counts the open order
errors, on the page and in every live fragment of the connection page, so that a live
refresh updates it."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dataflows.models import Dataflow, Run
from orders.flows import ORDER_IMPORT
from tests.orders.helpers import open_order_error

BADGE = re.compile(r'<span id="orders-tab-badge"[^>]*?( hidden)?>(\d+)</span>')


@pytest.fixture
def client(viewer):
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def run(connection):
    dataflow = Dataflow.objects.get(connection=connection, kind=ORDER_IMPORT)
    return Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.MANUAL)


def badges(response) -> list[tuple[bool, int]]:
    """(hidden, count) of every Orders tab badge in the answer."""
    assert response.status_code == 200
    return [(bool(hidden), int(n)) for hidden, n in BADGE.findall(response.content.decode())]


def live_urls(connection, run) -> list[str]:
    return [
        reverse("connection-runs", args=[connection.pk]) + "?partial=runs",
        reverse("connection-runs", args=[connection.pk]) + "?partial=runs&compact=1",
        reverse("connection-dataflows", args=[connection.pk]) + "?partial=dataflows",
        reverse("run-detail", args=[connection.pk, run.pk]) + "?partial=run",
    ]


def test_the_tab_badge_is_on_the_page_and_hidden_without_open_errors(client, connection):
    response = client.get(reverse("connection-detail", args=[connection.pk]))
    assert badges(response) == [(True, 0)]


def test_the_tab_badge_counts_open_errors_only(client, connection, other_connection):
    open_order_error(connection, 101)
    open_order_error(connection, 102)
    open_order_error(connection, 103, resolved_at=timezone.now())
    open_order_error(other_connection, 104)
    response = client.get(reverse("connection-detail", args=[connection.pk]))
    assert badges(response) == [(False, 2)]


def test_every_live_fragment_of_the_connection_page_brings_the_current_badge(
    client, connection, run
):
    for url in live_urls(connection, run):
        assert badges(client.get(url)) == [(True, 0)], url
    open_order_error(connection, 101)
    for url in live_urls(connection, run):
        assert badges(client.get(url)) == [(False, 1)], url


def test_the_badge_follows_the_fragment_so_the_page_can_swap_it_by_id(client, connection, run):
    text = client.get(live_urls(connection, run)[0]).content.decode().strip()
    assert text.startswith('<div class="table-wrap" id="runs"')
    assert text.endswith("</span>") and "data-live-part" in text.rsplit("<span", 1)[1]
