"""Loaded with `-p` (pyproject.toml), before pytest-django imports the settings, so these
variables reach the settings of the test run (tests/conftest.py is read too late for that)."""

import os

# The tests run outside DEBUG on the repository's public development keys.
os.environ.setdefault("HUB_INSECURE_DEV_KEYS", "true")
