import pytest
from django.core.cache import cache

from checkout import counters


@pytest.fixture(autouse=True)
def _fresh_cache_and_tally():
    """Each test starts with no cached answers and no counts of earlier tests' options."""
    cache.clear()
    counters._tally.clear()
    yield
    cache.clear()
    counters._tally.clear()
