import os

import pytest
from django.test import override_settings

# Tasks sent by tests must never land in the demo's filesystem broker (var/broker), where a
# later `make demo` worker would run them. CI sets a real Redis broker explicitly.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
# Nor may they talk to a running demo's sandbox store (var/demo.env, see settings.py).
os.environ.setdefault("HUB_READ_DEMO_ENV", "false")

pytest_plugins = [
    "tests.fixtures.contract",
    "tests.fixtures.sandbox",
    "tests.fixtures.tenants",
    "tests.fixtures.webhooks",
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default PBKDF2 costs ~100 ms a user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def no_api_throttles():
    """The suite's thousands of API calls (few user ids, one address) neither meet the REST
    throttles nor pay for them; tests/integrationhub/test_throttling.py turns them on."""
    from django.conf import settings

    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    ):
        yield
