"""The contract fixture and recorder (tests/fixtures/contract.py): exchanges through
`requests` validated, violations collected and failed at the end, or taken over.
"""

from __future__ import annotations

import pytest
import requests
import responses

from tests.contract.helpers import (
    BASE,
    HEADERS,
    assert_names,
    op,
    order_page,
    violation,
)
from tests.contract.validator import validate_exchange
from tests.fixtures.contract import ContractRecorder

# These tests send off-contract exchanges through requests on purpose and check them themselves.
pytestmark = pytest.mark.no_contract


@responses.activate
def test_validate_exchange_from_requests() -> None:
    url = BASE + "/v2/orders/42"
    responses.add(responses.GET, url, json=op("GET", "/v2/orders/42").response_example(200))
    responses.add(responses.PUT, url, json={"id": "42"})
    with requests.Session() as session:
        session.headers.update(HEADERS)
        assert validate_exchange(session.get(url)).name == "GET /v2/orders/{order_id}"
        exc = violation(validate_exchange, session.put(url, json={"status_id": "2"}))
    # both sides are reported
    assert_names(exc, "$.status_id", "expected integer")
    assert_names(exc, "$.id", "expected integer")
    assert exc.phase == "exchange"


@responses.activate
def test_contract_fixture_validates_attached_session(contract: ContractRecorder) -> None:
    responses.add(responses.GET, BASE + "/v2/orders", json=order_page())
    responses.add(responses.GET, BASE + "/v2/orders", status=204)
    responses.add(responses.POST, "https://login.bigcommerce.com/oauth2/token", json={})
    session = contract.attach(requests.Session())
    session.headers.update(HEADERS)
    assert session.get(BASE + "/v2/orders", params={"limit": 250, "page": 1}).status_code == 200
    assert session.get(BASE + "/v2/orders", params={"limit": 250, "page": 2}).status_code == 204
    session.post("https://login.bigcommerce.com/oauth2/token", json={})
    assert contract.exchanges == 2
    assert contract.skipped == 1
    assert contract.operations == ["GET /v2/orders", "GET /v2/orders"]
    assert not contract.violations


@responses.activate
def test_recorder_collects_and_fails_at_the_end() -> None:
    responses.add(responses.GET, BASE + "/v2/orders", json=[{"id": "1"}])
    responses.add(responses.GET, BASE + "/v2/orderz", json=[])
    recorder = ContractRecorder()
    session = recorder.attach(requests.Session())
    session.headers.update(HEADERS)
    # the hook never raises: the code under test sees the real responses
    assert session.get(BASE + "/v2/orders", params={"limit": 251}).json() == [{"id": "1"}]
    assert session.get(BASE + "/v2/orderz").status_code == 200
    assert recorder.exchanges == 2 and len(recorder.violations) == 2
    with pytest.raises(pytest.fail.Exception) as info:
        recorder.check()
    message = str(info.value)
    assert "2 BigCommerce exchange(s) violate" in message
    assert "query limit" in message and "$[0].id" in message and "/orderz" in message
    recorder.check()  # cleared
    recorder.detach()
    assert recorder._hook not in session.hooks["response"]


@responses.activate
def test_recorder_attach_all_and_expect_violations() -> None:
    responses.add(responses.GET, BASE + "/v3/hooks", json={"data": "nope"})
    recorder = ContractRecorder()
    recorder.attach_all()
    try:
        with recorder.expect_violations() as taken:
            requests.get(BASE + "/v3/hooks", headers=HEADERS)
    finally:
        recorder.detach()
    assert recorder.exchanges == 1
    assert len(taken) == 1 and "$.data" in str(taken[0])
    assert not recorder.violations
    assert (
        requests.Session.send.__name__ == "send"
        and requests.Session.send.__qualname__ == "Session.send"
    )
