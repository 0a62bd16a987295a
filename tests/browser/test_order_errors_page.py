"""The grouped Order errors page in a real browser: blocking groups before warnings, each with
its action, readable at desktop and phone widths (no sideways scrolling of the page), and
"Retry these" retries every error of its group. Set ORDERS_SCREENSHOTS=DIR to keep screenshots."""

import os

import pytest
from django.utils import timezone

from orders.models import OrderError, OrderFetchRequest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def errors(connection):
    now = timezone.now()

    def make(bc_order_id, code, message):
        OrderError.objects.create(
            connection=connection, bc_order_id=bc_order_id, code=code, message=message,
            first_seen_at=now, last_seen_at=now,
        )  # fmt: skip

    for n in range(12):
        make(100 + n, OrderError.Code.UNKNOWN_SKU,
             f"Line 1 “Mug”: SKU “GHOST-{n % 4}” is not a hub product; create it in the hub "
             "or correct the SKU in BigCommerce.")  # fmt: skip
    for n in range(5):
        make(200 + n, OrderError.Code.TRACKING_OFF,
             "Line 1 (SKU “TRACK-1”): inventory tracking is off for this product.")  # fmt: skip


@pytest.mark.parametrize("width", [1440, 390])
def test_the_grouped_errors_page_reads_at_desktop_and_phone_widths(
    page, live_server, login, operator, errors, width
):
    page.set_viewport_size({"width": width, "height": 900})
    login("olga")
    page.goto(f"{live_server.url}/orders/errors/")
    if os.environ.get("ORDERS_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["ORDERS_SCREENSHOTS"], f"errors-{width}.png"),
            full_page=True,
        )
    blocking = page.locator('[data-group="unknown_sku"]')
    warning = page.locator('[data-group="tracking_off"]')
    assert blocking.bounding_box()["y"] < warning.bounding_box()["y"]
    assert blocking.get_by_role("link", name="Create these 4 SKUs in the hub").is_visible()
    assert warning.get_by_role(
        "link", name="Turn on inventory tracking for this product"
    ).is_visible()
    groups = page.locator(".error-groups").bounding_box()
    assert groups["x"] + groups["width"] <= width + 1  # the groups fit the screen
    for box in page.locator(".error-group .btn").all():
        button = box.bounding_box()
        assert button["x"] + button["width"] <= groups["x"] + groups["width"] + 1

    blocking.get_by_role("button", name="Retry these 12").click()
    page.wait_for_load_state()
    assert page.get_by_text("12 errors will be retried").is_visible()
    assert OrderFetchRequest.objects.count() == 12
