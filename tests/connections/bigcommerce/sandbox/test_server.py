"""The sandbox's HTTP server: requests without a valid token of the store are refused, and the
`sandbox` command starts it with its options.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from tests.fixtures.sandbox import REPO_ROOT, _start, _stop

pytestmark = pytest.mark.sandbox


@pytest.mark.no_contract  # a request without the auth header is the point
def test_a_request_without_a_token_is_401(sandbox):
    r = sandbox.session.get(f"{sandbox.store_url}/v2/orders")
    assert r.status_code == 401
    assert r.json()[0]["status"] == 401


def test_a_wrong_token_is_401_on_v2_and_v3(sandbox):
    r2 = sandbox.api("GET", "/v2/orders", token="nope")
    r3 = sandbox.api("GET", "/v3/catalog/products", token="nope")
    assert (r2.status_code, r3.status_code) == (401, 401)
    assert r3.json()["status"] == 401 and r3.json()["title"]
    assert "X-Rate-Limit-Requests-Left" not in r2.headers


def test_an_unknown_store_is_401(sandbox):
    r = sandbox.api("GET", "/v2/orders", store_hash="nosuchstore")
    assert r.status_code == 401


def test_one_stores_token_does_not_open_another_store(sandbox):
    r = sandbox.api("GET", "/v2/orders", store_hash=sandbox.other_store_hash)
    assert r.status_code == 401
    r = sandbox.api(
        "GET", "/v2/orders", store_hash=sandbox.other_store_hash, token=sandbox.other_token
    )
    assert r.status_code == 200


def test_the_command_prints_the_ready_line_and_serves_its_options():
    server = _start(
        [
            "--stores",
            "abc123:tok-1,def456:tok-2",
            "--orders",
            "12",
            "--products",
            "3",
            "--variants",
            "2",
            "--quota",
            "4",
            "--window-ms",
            "5000",
            "--seed",
            "9",
        ]
    )
    try:
        assert server.url.startswith("http://127.0.0.1:")
        r = requests.get(
            f"{server.url}/stores/def456/v2/orders", timeout=10, headers={"X-Auth-Token": "tok-2"}
        )
        assert r.status_code == 200
        assert r.headers["X-Rate-Limit-Requests-Quota"] == "4"
        assert r.headers["X-Rate-Limit-Time-Window-Ms"] == "5000"
        config = requests.get(f"{server.url}/_sandbox/config", timeout=10).json()
        assert (config["orders"], config["products"], config["variants"], config["seed"]) == (
            12,
            3,
            2,
            9,
        )
    finally:
        _stop(server)


def test_the_command_refuses_bad_options():
    r = subprocess.run(
        [sys.executable, "manage.py", "sandbox", "--port", "0", "--stores", "nocolon"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0
    assert "HASH:TOKEN" in r.stderr
