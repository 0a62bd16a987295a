"""The test run's settings: the hub's, on the repository's public development keys (the tests
run outside DEBUG, where the hub otherwise refuses those keys)."""

import os

os.environ.setdefault("HUB_INSECURE_DEV_KEYS", "true")

from integrationhub.settings import *  # noqa: E402, F403
