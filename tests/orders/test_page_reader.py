"""Order Import's pages read in a helper process (orders.page_reader): the same orders as read in
the run, the answers the helper cannot read left to the run, and a helper that fails loses
nothing."""

import json
import logging

import pytest

from orders.models import Order
from orders.normalize import normalize_page
from orders.page_reader import PageReader, ReadPage
from tests.orders.helpers import hub_ids, line, order_payload, run_flow

pytestmark = pytest.mark.usefixtures("enqueued")


def body(*payloads) -> bytes:
    return json.dumps(list(payloads)).encode()


def page_of(order_ids) -> bytes:
    return body(*(order_payload(n, lines=[line(line_id=n * 10, quantity=2)]) for n in order_ids))


@pytest.fixture
def reader():
    reader = PageReader(start_after=0)
    yield reader
    reader.close()


def test_a_page_read_by_the_helper_is_the_page_the_run_would_have_read(reader):
    content = page_of([101, 102, 103])

    page = reader.decode(content)

    assert isinstance(page, ReadPage) and reader.pages_read == 1
    assert [p["id"] for p in page] == [101, 102, 103]
    expected = normalize_page(json.loads(content))
    for bc_id, order in page.normalized.orders.items():
        assert order.raw is None  # stored as its text, not sent back parsed
        order.raw = expected.orders[bc_id].raw
        assert order == expected.orders[bc_id]
    assert page.normalized.orders.keys() == expected.orders.keys()


def test_the_helper_reads_page_after_page_in_the_order_they_were_sent(reader):
    pages = [reader.decode(page_of(range(n * 10, n * 10 + 5))) for n in range(1, 5)]

    for n, page in enumerate(pages, start=1):
        assert list(page.normalized.orders) == list(range(n * 10, n * 10 + 5))


def test_an_answer_that_is_not_json_raises_value_error_so_the_client_asks_again(reader):
    with pytest.raises(ValueError):
        reader.decode(b'[{"id": 1, "status_id"')

    assert isinstance(reader.decode(page_of([7])), ReadPage)  # the helper goes on


def test_orders_without_their_line_items_inline_are_left_to_the_run(reader):
    linked = order_payload(5)
    linked["consignments"] = {"url": "https://api.bigcommerce.com/.../consignments"}

    page = reader.decode(body(order_payload(4), linked))

    assert not isinstance(page, ReadPage) and [p["id"] for p in page] == [4, 5]
    assert page[1]["consignments"] == linked["consignments"]  # completed by the run


def test_a_short_backfill_reads_its_first_page_in_the_run_without_starting_the_helper():
    reader = PageReader()

    page = reader.decode(page_of([1, 2]))

    assert not isinstance(page, ReadPage) and reader._process is None
    reader.close()


def test_a_helper_that_dies_leaves_the_pages_to_the_run_and_loses_none(reader, caplog):
    read = reader.decode(page_of([1, 2]))
    assert isinstance(read, ReadPage)
    reader._process.kill()
    reader._process.wait()

    with caplog.at_level(logging.WARNING, logger="orders.page_reader"):
        pages = [reader.decode(page_of([3, 4])), reader.decode(page_of([5, 6]))]

    assert [[p["id"] for p in page] for page in pages] == [[3, 4], [5, 6]]
    assert not any(isinstance(page, ReadPage) for page in pages) and reader.broken
    assert "page reader process failed" in caplog.text
    assert list(read.normalized.orders) == [1, 2]  # answered before it died


def test_a_page_whose_reading_the_helper_did_not_finish_is_read_from_its_body(reader):
    from concurrent.futures import Future

    unfinished = Future()
    unfinished.set_exception(EOFError("the page reader ended"))
    page = ReadPage([8, 9], unfinished, page_of([8, 9]))

    assert list(page.normalized.orders) == [8, 9]


def test_a_backfill_of_several_pages_imports_every_order_through_the_helper(
    store, store_client, sandbox_settings, caplog
):
    sandbox_settings.reset(orders=900)
    expected = {o["id"] for o in sandbox_settings.get_all_orders(status_id=11)}

    with caplog.at_level(logging.INFO, logger="orders.flows.order_import"):
        run_flow(store, client=store_client)

    assert expected <= hub_ids(store) | {e.bc_order_id for e in store.order_errors.all()}
    assert "pages read in the page reader process" in caplog.text
    order = Order.objects.filter(connection=store, bc_order_id__in=expected).latest("bc_order_id")
    assert order.raw["id"] == order.bc_order_id and order.raw["consignments"]
