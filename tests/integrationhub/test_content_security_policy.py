"""The Content-Security-Policy: on every page, scripts from the hub only, and no template needs
an inline script or handler (they would be blocked)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.connections.screens import client_for

INLINE_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def policy(response) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts if part[0]}


@pytest.mark.parametrize("path", ["/", "/orders/", "/catalog/", "/accounts/login/"])
def test_pages_allow_scripts_from_the_hub_only(manager, path):
    response = client_for(manager).get(path)

    assert policy(response)["script-src"] == "'self'"
    assert policy(response)["object-src"] == "'none'"
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html)


def test_no_template_has_an_inline_script_or_handler():
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (settings.BASE_DIR / "templates").rglob("*.html")
        if INLINE_SCRIPT.search(text := path.read_text()) or INLINE_HANDLER.search(text)
    ]

    assert offenders == []


def test_the_api_docs_load_every_script_from_the_hub(db):
    client = Client()
    response = client.get("/api/v1/docs/")
    html = response.content.decode()

    assert response.status_code == 200
    assert policy(response)["script-src"] == "'self'"
    assert not INLINE_SCRIPT.search(html)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert len(scripts) == 3 and all(src.startswith("/") for src in scripts)
    init = client.get(scripts[-1])
    assert init.status_code == 200
    assert "SwaggerUIBundle" in init.content.decode()
