"""The test run's settings: the hub's, with the environment below (read by the settings, so
set here: pytest-django imports the settings before tests/conftest.py)."""

import os

# The tests run outside DEBUG, on the repository's public development keys.
os.environ.setdefault("HUB_INSECURE_DEV_KEYS", "true")
# Tasks sent by tests must never land in the demo's filesystem broker (var/broker), where a
# later `make demo` worker would run them. CI sets a real Redis broker explicitly.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
# Nor may they talk to a running demo's sandbox store (var/demo.env, see settings.py).
os.environ.setdefault("HUB_READ_DEMO_ENV", "false")

from integrationhub.settings import *  # noqa: E402, F403
