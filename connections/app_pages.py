"""What the BigCommerce app's callback pages share (connections.app_install: the install;
connections.app_views: the signed callbacks): framing by BigCommerce only, the per-IP limit,
the refusal page."""

from __future__ import annotations

import logging
import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt

logger = logging.getLogger(__name__)


FRAME_ANCESTORS = "frame-ancestors 'self' https://*.bigcommerce.com https://*.mybigcommerce.com"
#: Requests a minute per client IP and callback, unless settings say otherwise.
CALLBACK_RATE_PER_MINUTE = 30


def throttled(name: str):
    """A fixed one-minute window per client IP, counted in Django's cache."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            limit = int(
                getattr(settings, "BIGCOMMERCE_APP_CALLBACK_RATE", CALLBACK_RATE_PER_MINUTE)
            )
            window = int(time.time() // 60)
            key = f"bc-app:{name}:{request.META.get('REMOTE_ADDR', '')}:{window}"
            cache.add(key, 0, timeout=120)
            try:
                count = cache.incr(key)
            except ValueError:  # evicted between add and incr
                count = 1
            if count > limit:
                logger.warning("BigCommerce %s callback throttled for %s", name, key)
                response = HttpResponse(
                    "Too many requests to this BigCommerce callback from your address; "
                    "wait a minute, then try again.",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(60 - int(time.time()) % 60)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def frameable(view):
    """BigCommerce shows the callbacks in its control panel: allow that framing, and only it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.setdefault("Content-Security-Policy", FRAME_ANCESTORS)
        return response

    return xframe_options_exempt(wrapper)


def in_frame(request) -> bool:
    return request.headers.get("Sec-Fetch-Dest", "") == "iframe"


def problem(request, *, status: int, title: str, text: str, hints=(), **extra) -> HttpResponse:
    context = {
        "title": title,
        "text": text,
        "hints": [h for h in hints if h],
        "framed": in_frame(request),
        **extra,
    }
    return render(request, "connections/app_error.html", context, status=status)


def login_url(request) -> str:
    return f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
