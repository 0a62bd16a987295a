"""Every page works offline: nothing is loaded from another host at run time (no CDN), and the
hub has a favicon of its own."""

import re

import pytest
from django.conf import settings
from django.test import Client

# What a browser fetches by itself: scripts, styles, icons, images, frames, CSS imports.
LOADED = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc\s*=\s*["']([^"']+)"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']([^"']+)"""
    r"""|(?-i:url)\(\s*["']?([^"')]+)"""  # CSS url(), not JavaScript's new URL(
    r"""|@import\s+["']([^"']+)""",
    re.IGNORECASE,
)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)  # http://, https://, //


def loaded_urls(html: str) -> list[str]:
    return [next(group for group in match.groups() if group) for match in LOADED.finditer(html)]


def external(urls):
    return [url for url in urls if EXTERNAL.match(url.strip())]


def test_the_pattern_finds_what_a_cdn_page_loads():
    html = (
        '<link rel="stylesheet" href="https://cdn.example.com/ui.css">'
        '<script src="//cdn.example.com/ui.js"></script>'
        "<style>@import 'http://fonts.example.com/f.css'; b { background: url(/static/x.png) }"
        "</style>"
    )

    assert external(loaded_urls(html)) == [
        "https://cdn.example.com/ui.css",
        "//cdn.example.com/ui.js",
        "http://fonts.example.com/f.css",
    ]


def test_the_api_docs_load_swagger_ui_from_the_hub_itself(db):
    response = Client().get("/api/v1/docs/")
    urls = loaded_urls(response.content.decode())

    assert response.status_code == 200
    assert any("swagger-ui-bundle.js" in url for url in urls)
    assert external(urls) == []
    for url in urls:
        assert Client().get(url).status_code == 200, url


# The project's templates (pages and the icons they include) and the apps' own static files.
TEMPLATE_FILES = sorted(
    path
    for path in settings.BASE_DIR.glob("templates/**/*")
    if path.suffix in {".html", ".svg", ".txt"}
)
STATIC_FILES = sorted(
    path
    for path in settings.BASE_DIR.glob("*/static/**/*")
    if path.suffix in {".css", ".js", ".svg", ".html"} and "var" not in path.parts
)


@pytest.mark.parametrize(
    "path", TEMPLATE_FILES + STATIC_FILES, ids=lambda p: str(p.relative_to(settings.BASE_DIR))
)
def test_no_template_or_static_file_loads_anything_from_another_host(path):
    # An SVG's xmlns names a namespace; it is never fetched.
    text = re.sub(r'xmlns(?::\w+)?="[^"]*"', "", path.read_text())

    assert external(loaded_urls(text)) == []


def test_every_page_links_the_hubs_favicon_and_it_is_served(db):
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    favicon = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', page)

    assert favicon is not None
    response = client.get(favicon.group(1))
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_pages_without_a_favicon_link_get_the_hubs_at_favicon_ico(db):
    response = Client().get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("/connections/favicon.svg")
