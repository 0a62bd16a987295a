"""The tenant's alert webhook: a JSON POST signed with HMAC-SHA256.

The receiver checks it by computing ``hmac_sha256(secret, f"{timestamp}.{body}")`` over the
raw body and comparing (in constant time) with the hex digest in ``X-Hub-Signature-256``
(after ``sha256=``); the timestamp (``X-Hub-Timestamp``, Unix seconds) is signed too, so that
an old delivery cannot be replayed as new.
"""

import hashlib
import hmac
import ipaddress
import json
from urllib.parse import urlsplit

import requests
from django.conf import settings

SIGNATURE_HEADER = "X-Hub-Signature-256"
TIMESTAMP_HEADER = "X-Hub-Timestamp"
EVENT_HEADER = "X-Hub-Event"
TIMEOUT_S = (5, 15)


class WebhookRetry(Exception):
    """The receiver did not take the alert yet (network error, 5xx, 429): try again later."""


class WebhookRefused(Exception):
    """The receiver answered a 4xx other than 429: retrying would not help."""


def signature_for(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signature_verify(*, secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(signature_for(secret=secret, timestamp=timestamp, body=body),
                               signature or "")  # fmt: skip


def webhook_url_problem(url: str) -> str | None:
    """What is wrong with an alert webhook URL, for the operator; None when it is fine."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "Enter a full URL, like https://alerts.example.com/hub."
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "Enter a full URL, like https://alerts.example.com/hub."
    if parts.scheme == "http" and not settings.DEBUG:
        return "Use an https:// URL: alerts carry your store's details."
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return None
    if not settings.DEBUG and (address.is_private or address.is_loopback or address.is_link_local):
        return "Use a public address: the hub does not post alerts into its own network."
    return None


def webhook_post(*, url: str, secret: str, timestamp: str, event: str, payload: dict) -> int:
    """POST the payload; the status code when the receiver took it (2xx)."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "integration-hub-alerts/1",
        EVENT_HEADER: event,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature_for(secret=secret, timestamp=timestamp, body=body),
    }
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=TIMEOUT_S, allow_redirects=False
        )
    except requests.RequestException as exc:
        raise WebhookRetry(f"{type(exc).__name__}") from exc
    if 200 <= response.status_code < 300:
        return response.status_code
    if response.status_code == 429 or response.status_code >= 500:
        raise WebhookRetry(f"HTTP {response.status_code}")
    raise WebhookRefused(f"HTTP {response.status_code}")
