"""The sandbox store's HTTP server: a simulated BigCommerce over real HTTP, in its own process.

Start it with ``python manage.py sandbox --port 0`` (or ``serve()`` below); it prints
``sandbox listening on http://HOST:PORT`` once it accepts connections. What it serves, its
rate limit, faults and control API are described in README.md beside this file.

Here: routing of a request to the API (``v2.py``, ``v3.py``) with authentication, the rate
limit and faults applied (state in ``state.py``), to OAuth (``oauth.py``) or to the control
API (``control.py``).
"""

from __future__ import annotations

import re
import socket
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .control import control
from .errors import ApiError
from .oauth import oauth_token
from .responses import ERROR_TYPE, ApiContext, Response, dumps, error_response
from .state import Config, Sandbox, parse_stores
from .v2 import V2_ROUTES, h_shipment_post
from .v3 import V3_ROUTES

__all__ = ["Config", "Sandbox", "make_server", "parse_stores", "serve"]

ROUTES = {
    version: [(re.compile(pattern + "$"), methods) for pattern, methods in routes]
    for version, routes in (("v2", V2_ROUTES), ("v3", V3_ROUTES))
}
_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


class _Drop(Exception):
    """Close the connection without an answer."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sandbox: Sandbox  # set on the subclass made by make_server

    def version_string(self):
        return "BigCommerceSandbox/1.0"

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, format, *args):  # noqa: A002 - quiet server
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PATCH(self):
        self._dispatch("PATCH")

    # ------------------------------------------------------------ plumbing

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, resp: Response, truncate: bool = False) -> None:
        body = resp.body
        if body is None:
            payload = b""
        elif isinstance(body, bytes | bytearray):
            payload = bytes(body)
        else:
            payload = dumps(body)
        status = resp.status
        if truncate:
            status = 200
            payload = payload[: max(1, len(payload) // 2)] if payload else b'{"data":['
        self.send_response(status)
        if payload or status not in (204, 304):
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, val in resp.headers.items():
            self.send_header(key, val)
        if self.close_connection:
            self.send_header("Connection", "close")
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(payload)
        self.wfile.write(b"".join(self._headers_buffer))
        self._headers_buffer = []

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _dispatch(self, method: str) -> None:
        try:
            parts = urlsplit(self.path)
            path = parts.path.rstrip("/") or "/"
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            body = self._read_body()
            if path.startswith("/stores/"):
                self._api(method, path, params, body)
            elif path == "/oauth2/token":
                content_type = self.headers.get("Content-Type", "")
                self._send(oauth_token(self.sandbox, method, content_type, body))
            elif path.startswith("/_sandbox"):
                self._send(control(self.sandbox, method, path, params, body, self._host()))
            else:
                self._send(Response(404, {"status": 404, "title": "Not Found",
                                          "type": ERROR_TYPE}))
        except _Drop:
            self._drop()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # pragma: no cover - a bug: answer 500 and log it
            traceback.print_exc(file=sys.stderr)
            try:
                self._send(Response(500, {"status": 500, "title": "sandbox internal error",
                                          "type": ERROR_TYPE}))
            except OSError:
                self.close_connection = True

    # ------------------------------------------------------------ BigCommerce API

    def _api(self, method, path, params, raw_body) -> None:
        sb = self.sandbox
        m = re.match(r"^/stores/([^/]+)/(v2|v3)(/.*)?$", path)
        if not m:
            self._send(Response(404, {"status": 404, "title": "Not Found", "type": ERROR_TYPE}))
            return
        store_hash, version, rel = m.group(1), m.group(2), m.group(3) or "/"
        endpoint = f"{method} /{version}{_ID_SEGMENT.sub('/{id}', rel)}"
        token = self.headers.get("X-Auth-Token", "")
        with sb.lock:
            store = sb.stores.get(store_hash)
            client_id = store.tokens.get(token) if store is not None and token else None
            if client_id is None:
                sb.count(store_hash if store is not None else None, endpoint, 401)
                resp = error_response(version, 401, "No valid credentials were found in this "
                                                    "request.")
                unauthorized = True
            else:
                unauthorized = False
            latency = sb.config.latency_ms
        if unauthorized:
            self._send(resp)
            return
        if latency:
            time.sleep(latency / 1000)
        handler, match = None, None
        for regex, methods in ROUTES[version]:
            mm = regex.match(rel)
            if mm:
                match = mm
                handler = methods.get(method)
                if handler is None:
                    handler = "405"
                break
        is_shipment_post = handler is h_shipment_post
        with sb.lock:
            allowed, rl_headers = sb.take_quota(store_hash)
            if not allowed:
                sb.count(store_hash, endpoint, 429)
                resp = error_response(version, 429, "Too many requests. Try again after "
                                                    "the reset time.")
                resp.headers = rl_headers
                fault = None
            else:
                fault = sb.pick_fault(method, store_hash, f"/{version}{rel}", path,
                                      is_shipment_post, endpoint)
        if not allowed:
            self._send(resp)
            return
        kind = fault[0] if fault else None
        if kind in ("500", "502", "503", "504", "429", "timeout", "401", "403"):
            with sb.lock:
                sb.count(store_hash, endpoint, "dropped" if kind == "timeout" else int(kind), kind)
            if kind == "timeout":
                time.sleep(fault[1] / 1000)
                raise _Drop()
            if kind == "500":
                r = error_response(version, 500, "Internal Server Error")
                r.headers = rl_headers
            elif kind == "429":
                r = error_response(version, 429, "The platform is under load; try again later.")
            elif kind == "401":  # BigCommerce's 401s carry no rate-limit headers
                r = error_response(version, 401, "No valid credentials were found in this "
                                                 "request.")
            elif kind == "403":
                r = error_response(version, 403, "You don't have a required scope to access "
                                                 "the endpoint")
            else:
                text = {"502": "Bad Gateway", "503": "Service Unavailable",
                        "504": "Gateway Timeout"}[kind]
                r = Response(int(kind), f"<html><body><h1>{kind} {text}</h1></body></html>"
                             .encode(), "text/html")
            self._send(r)
            return
        cpu_start = time.thread_time()
        ctx = ApiContext(store, params, raw_body, f"http://{self._host()}/stores/{store_hash}/v2",
                         client_id, sb.config.webhook_https_only)
        with sb.lock:
            try:
                if handler is None:
                    resp = error_response(version, 404, "The requested resource was not found.")
                elif handler == "405":
                    resp = error_response(version, 405, f"Method {method} is not allowed here.")
                else:
                    resp = handler(ctx, match)
            except ApiError as exc:
                resp = error_response(version, exc.status, exc.message, exc.errors)
            sb.count(store_hash, endpoint, "dropped" if kind == "lost_response" else resp.status,
                     kind)
        resp.headers.update(rl_headers)
        if kind == "lost_response":
            raise _Drop()
        if kind == "slow":  # carried out, answered after the client gave up waiting
            time.sleep(fault[1] / 1000)
        if kind is None:
            # Recorded before the answer goes out, so a client that reads /stats right after
            # its answer always sees it (building the answer is most of the CPU).
            cpu_ms = (time.thread_time() - cpu_start) * 1000
            with sb.lock:
                sb.time(endpoint, cpu_ms)
        self._send(resp, truncate=kind == "malformed")

    def _host(self) -> str:
        host = self.headers.get("Host")
        if host:
            return host
        addr = self.server.server_address
        return f"{addr[0]}:{addr[1]}"



class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(host: str, port: int, config: Config) -> SandboxServer:
    sandbox = Sandbox(config)
    handler = type("BoundHandler", (Handler,), {"sandbox": sandbox})
    server = SandboxServer((host, port), handler)
    server.sandbox = sandbox
    sandbox.outbox.start()
    return server


def serve(host: str, port: int, config: Config, out=None) -> None:
    """Seed, listen, print the ready line, serve until interrupted."""
    out = out or sys.stdout
    server = make_server(host, port, config)
    addr = server.server_address
    out.write(f"sandbox listening on http://{addr[0]}:{addr[1]}\n")
    out.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
