"""The sandbox's OAuth token endpoint (BigCommerce's ``login.bigcommerce.com``)."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl

from .responses import Response
from .state import Sandbox


def oauth_token(sb: Sandbox, method: str, content_type: str, raw_body: bytes) -> Response:
    """``POST /oauth2/token``: exchange a code registered through the control API."""
    if method != "POST":
        return Response(405, {"error": "method_not_allowed"})
    try:
        if "application/x-www-form-urlencoded" in content_type:
            body = dict(parse_qsl(raw_body.decode()))
        else:
            body = json.loads(raw_body or b"{}")
    except ValueError:
        return Response(400, {"error": "invalid_request",
                              "error_description": "The body is not valid JSON."})
    if not isinstance(body, dict):
        return Response(400, {"error": "invalid_request"})
    with sb.lock:
        client = sb.oauth_clients.get(body.get("client_id"))
        if client is None or client["client_secret"] != body.get("client_secret"):
            return Response(400, {"error": "invalid_client",
                                  "error_description": "Invalid client id or secret."})
        if body.get("grant_type") != "authorization_code":
            return Response(400, {"error": "unsupported_grant_type",
                                  "error_description": "grant_type must be "
                                                       "authorization_code."})
        grant = client["codes"].get(body.get("code"))
        if grant is None or grant["used"]:
            return Response(400, {"error": "invalid_grant",
                                  "error_description": "Invalid or already used code."})
        if body.get("context") != f"stores/{grant['store_hash']}":
            return Response(400, {"error": "invalid_grant",
                                  "error_description": "The context does not match."})
        if grant["redirect_uri"] and body.get("redirect_uri") != grant["redirect_uri"]:
            return Response(400, {"error": "invalid_grant",
                                  "error_description": "The redirect_uri does not match."})
        store = sb.stores.get(grant["store_hash"])
        if store is None:
            return Response(400, {"error": "invalid_grant",
                                  "error_description": "Unknown store."})
        grant["used"] = True
        digest = hashlib.sha256(
            f"{client['client_id']}:{body['code']}:{store.hash}:{sb.config.seed}".encode())
        token = f"sbx{digest.hexdigest()[:29]}"
        store.tokens[token] = client["client_id"]
        user = grant["user"]
        return Response(200, {
            "access_token": token, "scope": grant["scope"], "user": user,
            "owner": user, "context": f"stores/{store.hash}",
            "account_uuid": store.account_uuid,
        })
