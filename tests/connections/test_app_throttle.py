"""The app callbacks answer 429 past BIGCOMMERCE_APP_CALLBACK_RATE requests a minute from one
client IP (counted in Django's cache); other addresses are not held back."""

import pytest
from django.test import Client
from django.urls import reverse

CALLBACKS = [
    "bigcommerce-auth",
    "bigcommerce-load",
    "bigcommerce-uninstall",
    "bigcommerce-remove-user",
]


@pytest.mark.parametrize("callback", CALLBACKS)
def test_a_callback_answers_429_past_the_rate_of_one_client_ip(app_settings, callback):
    app_settings.BIGCOMMERCE_APP_CALLBACK_RATE = 3
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert attacker.get(reverse(callback)).status_code != 429

    throttled = attacker.get(reverse(callback))

    assert throttled.status_code == 429
    assert "wait a minute" in throttled.content.decode()
    assert 0 < int(throttled["Retry-After"]) <= 60
    other = Client(REMOTE_ADDR="198.51.100.2").get(reverse(callback))
    assert other.status_code != 429
