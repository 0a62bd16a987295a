"""The sandbox's OAuth token endpoint: an app's install code gives a token that opens the store."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.sandbox


def register(sandbox, **extra):
    body = {
        "client_id": "app-client",
        "client_secret": "s3cret",
        "code": "code-1",
        "store_hash": sandbox.store_hash,
        "scope": "store_v2_orders",
        "redirect_uri": "https://hub.example.com/auth",
        **extra,
    }
    r = sandbox.control("POST", "/oauth/clients", body)
    assert r.status_code == 201
    return body


def exchange(sandbox, **overrides):
    body = {
        "client_id": "app-client",
        "client_secret": "s3cret",
        "code": "code-1",
        "context": f"stores/{sandbox.store_hash}",
        "scope": "store_v2_orders",
        "grant_type": "authorization_code",
        "redirect_uri": "https://hub.example.com/auth",
        **overrides,
    }
    return requests.post(f"{sandbox.url}/oauth2/token", json=body, timeout=10)


def test_an_oauth_code_gives_a_token_that_opens_the_store(sandbox):
    register(sandbox)
    r = exchange(sandbox)
    assert r.status_code == 200
    body = r.json()
    assert body["context"] == f"stores/{sandbox.store_hash}"
    assert body["scope"] == "store_v2_orders"
    assert {"id", "username", "email"} <= set(body["user"]) and body["owner"]
    assert body["account_uuid"]
    assert sandbox.api("GET", "/v2/orders", token=body["access_token"]).status_code == 200


def test_an_oauth_code_works_once(sandbox):
    register(sandbox)
    assert exchange(sandbox).status_code == 200
    assert exchange(sandbox).status_code == 400


@pytest.mark.parametrize(
    "overrides",
    [
        {"code": "wrong"},
        {"client_secret": "wrong"},
        {"client_id": "nobody"},
        {"grant_type": "password"},
        {"context": "stores/other02"},
        {"redirect_uri": "https://evil.example.com/auth"},
    ],
)
def test_a_wrong_oauth_exchange_is_400(sandbox, overrides):
    register(sandbox)
    r = exchange(sandbox, **overrides)
    assert r.status_code == 400
    assert r.json()["error"]


def test_the_token_endpoint_accepts_a_form_body(sandbox):
    register(sandbox)
    r = requests.post(
        f"{sandbox.url}/oauth2/token",
        timeout=10,
        data={
            "client_id": "app-client",
            "client_secret": "s3cret",
            "code": "code-1",
            "context": f"stores/{sandbox.store_hash}",
            "grant_type": "authorization_code",
            "redirect_uri": "https://hub.example.com/auth",
        },
    )
    assert r.status_code == 200
