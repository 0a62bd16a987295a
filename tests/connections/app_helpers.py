"""What the tests of the BigCommerce app callbacks share: the app's credentials, install
links, signed payloads (made with PyJWT) and clients (framed: inside the control panel).

The fixtures `app_settings` (the app's settings) and `bc` (the sandbox as BigCommerce's login
server, with the app registered) are in conftest.py.
"""

import re
import time
import uuid
from urllib.parse import urlencode

import jwt
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from dataflows.models import Dataflow
from tests.fixtures.tenants import make_connection

CLIENT_ID = "hub-app-client-id-7q2"
CLIENT_SECRET = "hub-app-client-secret-3f9a1c77e0b24d6a8c5e"  # >= 32 bytes, as HS256 wants
CALLBACK_URL = "https://hub.example.com/bigcommerce/auth"
SCOPE = "store_v2_orders store_v2_products store_inventory store_v2_information"
ACCOUNT_UUID = "5c7f6a1e-0000-4000-8000-000000000001"


def install_url(code="code-1", *, store_hash="demo01", context=None):
    query = {
        "code": code,
        "scope": SCOPE,
        "context": context if context is not None else f"stores/{store_hash}",
        "account_uuid": ACCOUNT_UUID,
    }
    return f"{reverse('bigcommerce-auth')}?{urlencode(query)}"


def install(client, url, *, tenant=None, follow=False):
    """Open the install link and, when the hub asks, confirm it (the POST of its page, into
    `tenant` or the tenant the page proposes). The GET's answer when it asks nothing."""
    shown = client.get(url)
    page = shown.content.decode()
    if shown.status_code != 200 or "data-app-confirm" not in page:
        return shown
    if tenant is None:
        proposed = re.search(r'name="tenant" value="(\d+)"', page) or re.search(
            r'<option value="(\d+)" selected', page
        )
        tenant = proposed.group(1)
    store_hash = re.search(r'name="store_hash" value="([^"]*)"', page).group(1)
    return client.post(
        reverse("bigcommerce-auth"),
        {"confirm": "yes", "store_hash": store_hash, "tenant": getattr(tenant, "pk", tenant)},
        follow=follow,
    )


def client_for(user, **headers) -> Client:
    client = Client(headers=headers)
    if user is not None:
        client.force_login(user)
    return client


def framed(user=None) -> Client:
    """A browser showing the page inside BigCommerce's control panel."""
    return client_for(user, **{"Sec-Fetch-Dest": "iframe"})


def signed_payload(
    *,
    store_hash="demo01",
    secret=CLIENT_SECRET,
    aud=CLIENT_ID,
    iss="bc",
    issued=None,
    lifetime=24 * 3600,
    drop=(),
    algorithm="HS256",
    **extra,
):
    now = int(time.time()) if issued is None else issued
    claims = {
        "aud": aud,
        "iss": iss,
        "iat": now,
        "nbf": now - 5,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),  # each payload its own, as BigCommerce's
        "sub": f"stores/{store_hash}",
        "user": {"id": 9876, "email": "merchant@example.com", "locale": "en-US"},
        "owner": {"id": 9876, "email": "merchant@example.com"},
        "url": "/",
        "channel_id": None,
        **extra,
    }
    for claim in drop:
        claims.pop(claim)
    return jwt.encode(claims, secret if algorithm != "none" else None, algorithm=algorithm)


def callback_url(name, token):
    url = reverse(name)
    return url if token is None else f"{url}?{urlencode({'signed_payload_jwt': token})}"


def text(response) -> str:
    return " ".join(response.content.decode().split())


def scheduled(connection) -> bool:
    """Whether any dataflow of the connection has an enabled beat schedule."""
    tasks = Dataflow.objects.filter(connection=connection).values("periodic_task")
    return PeriodicTask.objects.filter(pk__in=tasks, enabled=True).exists()


def app_connection(tenant, **fields):
    """A connection the app made (its client id) to the sandbox store."""
    fields.setdefault("store_hash", "demo01")
    fields.setdefault("client_id", CLIENT_ID)
    return make_connection(tenant, **fields)
