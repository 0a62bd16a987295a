"""Product Match when a page's transaction rolls back: its log goes with it."""

import pytest

from catalog.kinds import PRODUCT_MATCH
from catalog.models import Product
from dataflows.models import Run

pytestmark = pytest.mark.sandbox


def test_a_page_that_fails_to_write_leaves_no_log_of_what_it_rolled_back(
    sandbox, store, run_flow, monkeypatch
):
    """The hub products a page created are gone with its transaction: the failed run's log
    must not say they were created (the next run creates them, and says so once)."""
    from django.db import DatabaseError

    from catalog import matching

    real = matching.links_upsert

    def links_upsert(**kwargs):
        raise DatabaseError("the database connection was lost")

    monkeypatch.setattr(matching, "links_upsert", links_upsert)

    failed = run_flow(store, PRODUCT_MATCH)

    assert failed.status == Run.Status.FAILED
    assert "the database connection was lost" in failed.error_message
    assert Product.objects.count() == 0
    assert not failed.log_entries.filter(message__contains=" created from ").exists()
    assert failed.created == 0

    monkeypatch.setattr(matching, "links_upsert", real)
    again = run_flow(store, PRODUCT_MATCH)
    created = again.log_entries.filter(message__contains=" created from ").count()
    assert created == Product.objects.count() > 0
