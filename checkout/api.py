"""The Shipping Provider endpoints BigCommerce calls during a shopper's checkout
(`shipping_provider.yml`): POST rate and POST check_connection_options.

No session, no CSRF (BigCommerce is the caller; the checkout key in the connection options is
the credential). No call to BigCommerce or any other service while answering: the settings row
by key, the cart's stock, and the caches."""

from __future__ import annotations

import hashlib
import logging

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .payloads import PayloadError, cart_read, connection_key, json_load, message, no_quotes
from .quoting import quotes_for_cart
from .selectors import quote_settings_for_key, settings_for_key

log = logging.getLogger(__name__)

UNKNOWN_KEY = (
    "The hub does not know this checkout key. Copy the key from the connection's Checkout tab "
    "in the integration hub into the carrier's connection settings in BigCommerce."
)


def key_hint(key: str) -> str:
    """A log-safe handle on a key (never the secret itself)."""
    return hashlib.sha256(key.encode()).hexdigest()[:8] if key else "(none)"


def bad_request(exc: PayloadError) -> JsonResponse:
    return JsonResponse({"error": str(exc)}, status=400)


@csrf_exempt
@require_POST
def rate(request):
    try:
        payload = json_load(request.body)
        key = connection_key(payload)
        cart = cart_read(payload)
    except PayloadError as exc:
        log.info("checkout rate: malformed request: %s", exc)
        return bad_request(exc)
    settings = quote_settings_for_key(key=key)
    if settings is None:
        log.warning("checkout rate: unknown checkout key %s; answered no quotes", key_hint(key))
        return JsonResponse(no_quotes())
    return JsonResponse(quotes_for_cart(settings=settings, cart=cart, now=timezone.now()))


@csrf_exempt
@require_POST
def check_connection_options(request):
    try:
        payload = json_load(request.body)
        key = connection_key(payload)
    except PayloadError as exc:
        return bad_request(exc)
    settings = settings_for_key(key=key)
    if settings is None:
        log.warning("checkout check: unknown checkout key %s", key_hint(key))
        return JsonResponse({"valid": False, "messages": [message(UNKNOWN_KEY, "ERROR")]})
    connection = settings.connection
    if not settings.enabled or not connection.is_active:
        text = (
            f"The key belongs to “{connection.name}”, whose checkout quotes are switched off in "
            "the hub. Enable them on the connection's Checkout tab (and the connection itself)."
        )
        return JsonResponse({"valid": False, "messages": [message(text, "ERROR")]})
    count = connection.delivery_options.filter(enabled=True).count()
    text = f"Connected to “{connection.name}”: {count} delivery option(s) enabled."
    return JsonResponse({"valid": True, "messages": [message(text, "INFO")]})
