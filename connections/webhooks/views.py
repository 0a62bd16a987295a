"""`POST /bigcommerce/webhooks/<key>`: BigCommerce's callbacks (no session, no CSRF: the
connection's secret in a custom header authenticates them)."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .receiving import webhook_receive
from .registration import SECRET_HEADER


@csrf_exempt
@require_POST
def webhook_receive_view(request, key: str):
    outcome = webhook_receive(
        key=key, secret=request.headers.get(SECRET_HEADER, ""), raw_body=request.body
    )
    body = {"status": outcome.status, "message": outcome.message}
    if outcome.duplicate:
        body["duplicate"] = True
    return JsonResponse(body, status=outcome.status)
