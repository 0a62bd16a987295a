"""In a real browser, under the hub's Content-Security-Policy: the pages' scripts run (no inline
handler is blocked) and the API docs (Swagger UI) render, with no CSP violation."""

import pytest
from playwright.sync_api import expect

from connections.models import Membership, Tenant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def violations(page):
    """The CSP violations the page reports."""
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def test_choosing_a_tenant_switches_to_it_without_a_button(login, manager, violations):
    other = Tenant.objects.create(name="Bob's Shop")
    Membership.objects.create(tenant=other, user=manager, role=Membership.Role.VIEWER)
    page = login("alice")
    expect(page.locator("html")).to_have_class("js")

    page.get_by_label("Tenant").select_option(label="Bob's Shop")

    expect(page.locator(".role-badge")).to_have_text("Viewer")
    assert violations == []


def test_a_filter_applies_when_chosen(login, manager, live_server, violations):
    page = login("alice")
    page.goto(f"{live_server.url}/orders/errors/")

    page.get_by_label("State").select_option(index=1)

    page.wait_for_url("**/orders/errors/?*state=*")
    assert violations == []


def test_the_api_docs_render_swagger_ui(login, manager, live_server, violations):
    page = login("alice")
    page.goto(f"{live_server.url}/api/v1/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Integration hub API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations == []
