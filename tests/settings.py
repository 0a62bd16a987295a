"""The test run's settings: the hub's, on the repository's public development keys (the tests
run outside DEBUG, where the hub otherwise refuses those keys). Set here, not in conftest.py:
pytest-django imports the settings before it reads tests/conftest.py."""

import os

os.environ.setdefault("HUB_INSECURE_DEV_KEYS", "true")

from integrationhub.settings import *  # noqa: E402, F403
