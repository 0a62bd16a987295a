"""Quota gates pacing the requests to one store (the overview is in ``../ratelimit.py``)."""
