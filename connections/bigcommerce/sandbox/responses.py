"""What every sandbox handler answers with: responses, the request context, error bodies,
v2 lists and v3 pages."""

from __future__ import annotations

import json

from .errors import ApiError
from .params import V3_MAX_LIMIT, paging

ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"


def dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


class Response:
    __slots__ = ("status", "body", "content_type", "headers")

    def __init__(self, status, body=None, content_type="application/json", headers=None):
        self.status = status
        self.body = body  # object (serialised as JSON), bytes, or None
        self.content_type = content_type
        self.headers = headers or {}



class ApiContext:
    __slots__ = ("store", "params", "raw_body", "api_v2", "client_id", "https_only")

    def __init__(self, store, params, raw_body, api_v2, client_id, https_only=True):
        self.store = store
        self.params = params
        self.raw_body = raw_body
        self.api_v2 = api_v2
        self.client_id = client_id
        self.https_only = https_only

    def json(self):
        if not self.raw_body:
            raise ApiError(400, "The request body is empty; a JSON body is required.")
        try:
            return json.loads(self.raw_body)
        except ValueError:
            raise ApiError(400, "The request body is not valid JSON.") from None


def error_response(version: str, status: int, message: str, errors: dict | None = None):
    if version == "v2":
        return Response(status, [{"status": status, "message": message}])
    body = {"status": status, "title": message, "type": ERROR_TYPE}
    if errors or status == 422:
        body["errors"] = errors or {}
    return Response(status, body)



def v2_list(items: list) -> Response:
    return Response(200, items) if items else Response(204)


def v3_page(items: list, params: dict, render_one=None, render_json=None) -> Response:
    """A v3 list page; `render_json` (an object's encoded JSON) is the faster alternative."""
    page, limit = paging(params, 50, V3_MAX_LIMIT)
    total = len(items)
    total_pages = (total + limit - 1) // limit
    chunk = items[(page - 1) * limit: page * limit]
    links = {"current": f"?page={page}&limit={limit}"}
    if page > 1:
        links["previous"] = f"?page={page - 1}&limit={limit}"
    if page < total_pages:
        links["next"] = f"?page={page + 1}&limit={limit}"
    meta = {"pagination": {"total": total, "count": len(chunk), "per_page": limit,
                           "current_page": page, "total_pages": total_pages, "links": links}}
    if render_json is not None:
        data = ",".join(render_json(x) for x in chunk)
        return Response(200, f'{{"data":[{data}],"meta":{dumps(meta).decode()}}}'.encode())
    return Response(200, {"data": [render_one(x) for x in chunk], "meta": meta})


def includes(params: dict) -> frozenset:
    return frozenset(x.strip() for x in params.get("include", "").split(",") if x.strip())

