"""Child process of `manage.py bench`: fetch every order of a store with its line items, the way
Order Import does (250 orders a request, consignments inline), and print one JSON line.

Run as its own process so that its peak RSS is the importer's alone."""

import argparse
import json
import sys
import time


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--store-hash", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args(argv)

    from connections.bigcommerce.client import BigCommerceClient
    from connections.bigcommerce.sandbox.process import peak_rss_mb

    client = BigCommerceClient(
        store_hash=args.store_hash, access_token=args.token, api_url=args.api_url
    )
    orders = lines = 0
    started = time.monotonic()
    for order in client.iter_orders(include_consignments=True):
        orders += 1
        for consignment in order.get("consignments", {}).get("shipping", []) or []:
            lines += len(consignment.get("line_items") or [])
    wall = time.monotonic() - started
    print(
        json.dumps(
            {
                "orders": orders,
                "line_items": lines,
                "requests": client.stats.requests,
                "http_429": client.stats.http_429,
                "wall_s": round(wall, 3),
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    import django

    django.setup()
    main()
