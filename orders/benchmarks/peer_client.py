"""Child process of `make bench`: the way the official `bigcommerce` Python client is commonly
used to read a store's orders, for comparison with Order Import on the same sandbox store.

That pattern (`api.Orders.iter()`, then `order.products()` and `order.shipping_addresses()` per
order) is simulated with `requests`, as the client sends it: `GET /v2/orders?limit=250&page=N`
until an empty page, then per order `GET /v2/orders/{id}/products` and
`GET /v2/orders/{id}/shipping_addresses`; on a 429 it sleeps for the reset the headers give and
sends the request again. It only reads (no database writes), which favours it. Prints one JSON
line."""

from __future__ import annotations

import argparse
import json
import sys
import time

import requests


class PeerClient:
    def __init__(self, *, api_url: str, store_hash: str, token: str):
        self.base = f"{api_url}/stores/{store_hash}"
        self.session = requests.Session()
        self.session.headers.update({"X-Auth-Token": token, "Accept": "application/json"})
        self.requests = self.http_429 = 0

    def get(self, path: str, **params) -> list:
        while True:
            self.requests += 1
            response = self.session.get(self.base + path, params=params, timeout=60)
            if response.status_code == 429:
                self.http_429 += 1
                reset_ms = float(response.headers.get("X-Rate-Limit-Time-Reset-Ms", 1000))
                time.sleep(max(reset_ms, 1) / 1000)
                continue
            response.raise_for_status()
            return response.json() if response.status_code != 204 and response.content else []

    def orders(self):
        page = 1
        while True:
            batch = self.get("/v2/orders", limit=250, page=page)
            if not batch:
                return
            yield from batch
            page += 1


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--store-hash", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args(argv)
    client = PeerClient(api_url=args.api_url, store_hash=args.store_hash, token=args.token)
    orders = lines = 0
    started = time.monotonic()
    for order in client.orders():
        orders += 1
        lines += len(client.get(f"/v2/orders/{order['id']}/products", limit=250))
        client.get(f"/v2/orders/{order['id']}/shipping_addresses", limit=250)
    print(
        json.dumps(
            {
                "orders": orders,
                "line_items": lines,
                "requests": client.requests,
                "http_429": client.http_429,
                "wall_s": round(time.monotonic() - started, 3),
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
