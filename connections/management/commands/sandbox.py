"""`python manage.py sandbox`: run the sandbox store (a simulated BigCommerce).

A thin wrapper around `connections.bigcommerce.sandbox.server`, which needs no Django models.
"""

from django.core.management.base import BaseCommand, CommandError

from connections.bigcommerce.sandbox.server import Config, parse_stores, serve


class Command(BaseCommand):
    help = ("Run the sandbox store: a simulated BigCommerce API over HTTP. Prints "
            "'sandbox listening on http://HOST:PORT' once it accepts connections.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, required=True, help="TCP port; 0 picks a free one")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--stores", default="demo01:demo-token-01",
                            help="HASH:TOKEN,... (default demo01:demo-token-01)")
        parser.add_argument("--orders", type=int, default=500)
        parser.add_argument("--products", type=int, default=100)
        parser.add_argument("--variants", type=int, default=3, help="variants per product")
        parser.add_argument("--quota", type=int, default=150, help="requests per window")
        parser.add_argument("--window-ms", type=int, default=30000)
        parser.add_argument("--latency-ms", type=int, default=0)
        parser.add_argument("--fault-rate", type=float, default=0.0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--fault-kinds", default="",
                            help="KIND,... the random faults pick from (default 500,502,503,"
                                 "429,timeout,malformed and lost_response on shipment POSTs; "
                                 "also 504, slow, 401, 403)")
        parser.add_argument("--fault-seed", type=int, default=None,
                            help="seed of the fault draws, per store and endpoint "
                                 "(default: --seed)")
        parser.add_argument("--webhook-base-url", default="",
                            help="deliver webhooks to this base URL (e.g. http://127.0.0.1:8000) "
                                 "instead of the scheme and host the hooks were registered with")
        parser.add_argument("--webhook-retry-scale", type=float, default=1.0,
                            help="multiply BigCommerce's webhook retry delays (0: at once)")
        parser.add_argument("--webhook-allow-http", action="store_true",
                            help="let /v3/hooks accept plain http destinations (a local hub, "
                                 "e.g. the demo's; BigCommerce itself takes only https)")

    def handle(self, *args, **opts):
        try:
            stores = parse_stores(opts["stores"])
        except ValueError as exc:
            raise CommandError(f"--stores: {exc}") from exc
        if opts["quota"] < 1 or opts["window_ms"] < 1:
            raise CommandError("--quota and --window-ms must be at least 1")
        if not 0 <= opts["fault_rate"] <= 1:
            raise CommandError("--fault-rate must be between 0 and 1")
        if min(opts["orders"], opts["products"], opts["latency_ms"]) < 0 or opts["variants"] < 1:
            raise CommandError("--orders, --products and --latency-ms must not be negative; "
                               "--variants must be at least 1")
        config = Config(stores=stores, orders=opts["orders"], products=opts["products"],
                        variants=opts["variants"], quota=opts["quota"],
                        window_ms=opts["window_ms"], latency_ms=opts["latency_ms"],
                        fault_rate=opts["fault_rate"], seed=opts["seed"],
                        webhook_base_url=opts["webhook_base_url"],
                        webhook_retry_scale=opts["webhook_retry_scale"],
                        webhook_https_only=not opts["webhook_allow_http"],
                        fault_seed=opts["fault_seed"])
        if opts["fault_kinds"]:
            try:
                config.apply({"fault_kinds": opts["fault_kinds"]}, ("fault_kinds",))
            except ValueError as exc:
                raise CommandError(f"--fault-kinds: {exc}") from exc
        try:
            serve(opts["host"], opts["port"], config, out=self.stdout)
        except KeyboardInterrupt:
            pass
        except OSError as exc:
            raise CommandError(f"cannot listen on {opts['host']}:{opts['port']}: {exc}") from exc
