"""Fixtures of the engine's REST API tests."""

import pytest

from dataflows.models import Run

from .helpers import make_log, make_run


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The fixtures' users get passwords; hashing them the production way is slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def run(connection):
    run = make_run(connection, status=Run.Status.SUCCEEDED, fetched=3, created=2, skipped=1)
    make_log(run, object_kind="order", object_id="101")
    return run
