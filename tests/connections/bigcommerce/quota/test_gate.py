"""The quota gate (quota/gate.py): BigCommerce's rate-limit headers read, and the pacing every
gate gives, checked on the in-process gate and on the Redis gate alike.

Time is simulated: gates get a fake clock and a sleep that only advances it.
"""

from __future__ import annotations

import math

import pytest

from connections.bigcommerce.quota.gate import Reservation
from connections.bigcommerce.ratelimit import (
    LocalQuotaGate,
    QuotaGate,
    RedisQuotaGate,
    parse_rate_limit_headers,
)
from tests.connections.bigcommerce.helpers import FakeStore, send


@pytest.fixture(params=["local", "redis"])
def make_gate(request, fake):
    """Gates on the fake clock; several gates of one test share one store's quota."""
    if request.param == "local":
        shared = LocalQuotaGate(clock=fake.clock, sleep=fake.sleep)

        def factory(reserve: int = 0) -> QuotaGate:
            shared.reserve = reserve
            return shared

        return factory
    redis_client = request.getfixturevalue("redis_client")
    prefix = request.getfixturevalue("redis_prefix")

    def factory(reserve: int = 0) -> QuotaGate:
        return RedisQuotaGate(
            store_hash="store1",
            redis_client=redis_client,
            key_prefix=prefix,
            reserve=reserve,
            clock=fake.clock,
            sleep=fake.sleep,
        )

    return factory


def test_rate_limit_headers_are_read_case_insensitively():
    info = parse_rate_limit_headers(
        {
            "x-rate-limit-requests-left": "149",
            "X-RATE-LIMIT-TIME-RESET-MS": "29500",
            "X-Rate-Limit-Requests-Quota": "150",
            "x-rate-limit-time-window-ms": "30000",
        }
    )
    assert info is not None
    assert (info.left, info.reset_ms, info.quota, info.window_ms) == (149, 29500.0, 150, 30000.0)


def test_missing_or_garbled_rate_limit_headers_give_nothing():
    assert parse_rate_limit_headers({}) is None
    assert parse_rate_limit_headers({"X-Rate-Limit-Requests-Left": "3"}) is None
    assert (
        parse_rate_limit_headers(
            {"X-Rate-Limit-Requests-Left": "many", "X-Rate-Limit-Time-Reset-Ms": "10"}
        )
        is None
    )


def test_the_first_request_goes_without_waiting(make_gate, fake):
    reservation = make_gate().acquire()
    assert reservation.waited_s == 0
    assert fake.sleeps == []


def test_a_request_waits_for_the_reset_when_none_are_left(make_gate, fake):
    gate = make_gate()
    gate.observe(0, 5000, 150, 30000, reservation=gate.acquire())
    reservation = gate.acquire()
    assert fake.sleeps == [pytest.approx(5.0)]
    assert reservation.waited_s == pytest.approx(5.0)


def test_the_whole_quota_is_used_before_pausing(make_gate, fake):
    gate = make_gate()
    gate.observe(3, 20000, 150, 30000, reservation=gate.acquire())
    for left in (2, 1, 0):
        gate.observe(left, 20000, 150, 30000, reservation=gate.acquire())
    assert fake.sleeps == []
    gate.acquire()
    assert fake.sleeps == [pytest.approx(20.0)]


def test_requests_in_flight_count_against_what_is_left(make_gate, fake):
    gate = make_gate()
    gate.observe(2, 10000, 150, 30000, reservation=gate.acquire())
    gate.acquire()
    gate.acquire()  # two in flight, two left: the next must wait for the reset
    assert fake.sleeps == []
    gate.acquire()
    assert sum(fake.sleeps) == pytest.approx(10.0)


def test_a_reserve_keeps_requests_back(make_gate, fake):
    gate = make_gate(reserve=2)
    gate.observe(3, 10000, 150, 30000, reservation=gate.acquire())
    gate.acquire()
    assert fake.sleeps == []
    gate.acquire()
    assert sum(fake.sleeps) == pytest.approx(10.0)


def test_after_the_reset_the_full_quota_is_assumed_again(make_gate, fake):
    gate = make_gate()
    gate.observe(0, 1000, 3, 30000, reservation=gate.acquire())
    for _ in range(3):  # the first waits 1 s, then a new window of 3 is assumed
        gate.acquire()
    assert fake.sleeps == [pytest.approx(1.0)]


def test_a_slow_answer_sent_in_the_current_window_still_counts(make_gate, fake):
    gate = make_gate()
    gate.observe(50, 20000, 150, 30000, reservation=gate.acquire())
    slow = gate.acquire()
    fake.now += 16  # more than half a window on the way
    gate.observe(0, 19000, 150, 30000, reservation=slow)
    gate.acquire()
    assert fake.sleeps == [pytest.approx(4.0)]  # until the reset known from the first answer


def test_a_late_answer_from_an_earlier_window_is_ignored(make_gate, fake):
    gate = make_gate()
    old = gate.acquire()
    gate.observe(100, 1000, 150, 30000, reservation=gate.acquire())
    fake.now += 1.5  # the window has reset
    gate.observe(120, 29000, 150, 30000, reservation=gate.acquire())
    gate.observe(0, 0, 150, 30000, reservation=old)  # processed before the reset
    gate.acquire()
    assert fake.sleeps == []


def test_other_apps_using_the_quota_lower_what_is_left(make_gate, fake):
    gate = make_gate()
    gate.observe(100, 20000, 150, 30000, reservation=gate.acquire())
    fake.now += 1
    gate.observe(0, 19000, 150, 30000, reservation=gate.acquire())  # someone used 99
    gate.acquire()
    assert fake.sleeps == [pytest.approx(19.0)]


def test_a_429_with_a_reset_makes_every_sharer_wait_it(make_gate, fake):
    first, second = make_gate(), make_gate()
    first.on_429(7000, reservation=first.acquire())
    second.acquire()
    assert fake.sleeps == [pytest.approx(7.0)]


def test_429s_without_headers_pause_everyone_increasingly_until_an_answer(make_gate, fake):
    gate = make_gate()
    for _ in range(3):
        gate.on_429(None, reservation=gate.acquire())
    assert fake.sleeps == [pytest.approx(1.0), pytest.approx(2.0)]
    gate.observe(100, 20000, 150, 30000, reservation=gate.acquire())
    assert fake.sleeps[-1] == pytest.approx(4.0)
    gate.on_429(None, reservation=gate.acquire())
    gate.acquire()
    assert fake.sleeps[-1] == pytest.approx(1.0)


def test_a_request_without_an_answer_is_counted_as_used(make_gate, fake):
    gate = make_gate()
    gate.observe(1, 10000, 150, 30000, reservation=gate.acquire())
    gate.release(gate.acquire())  # e.g. a timeout: BigCommerce may have counted it
    gate.acquire()
    assert fake.sleeps == [pytest.approx(10.0)]


@pytest.mark.parametrize("aligned", [True, False], ids=["clock-windows", "rolling-start"])
def test_n_requests_take_close_to_the_floor_the_quota_sets_and_get_no_429(make_gate, fake, aligned):
    quota, window, n = 20, 30.0, 95
    store = FakeStore(fake.clock, quota=quota, window_s=window, aligned=aligned)
    gate = make_gate()
    start = fake.now
    statuses = [send(gate, store, fake, latency=0.05) for _ in range(n)]
    floor = (math.ceil(n / quota) - 1) * window
    assert statuses.count(429) == 0
    assert store.served == n
    assert fake.now - start <= floor + 5 * 0.05 + window * 0.05
    assert all(count <= quota for count in store.windows())


# Priority: orders 1, shipments 2, stock 3, catalog 4 (the engine gives each run its flow's).
ORDERS, SHIPMENTS, STOCK, CATALOG = 1, 2, 3, 4


def _exhaust(gate, *, quota: int = 1, window_ms: int = 30000, reset_ms: int = 5000) -> None:
    """Nothing left until the reset; then `quota` a window."""
    gate.observe(0, reset_ms, quota, window_ms, reservation=gate.acquire())


def _round(gate, waiters: dict[str, int]) -> str | None:
    """Every waiter asks once, lowest class first (the worst order for priority); the one
    granted is answered at once. Then the others ask again and learn how long to wait."""
    granted = None
    for token, priority in sorted(waiters.items(), key=lambda item: -item[1]):
        if gate.try_acquire(token, priority=priority) is None:
            granted = token
            gate.release(Reservation(token))  # answered without headers: counted as used
    if granted:
        del waiters[granted]
    for token, priority in waiters.items():
        assert gate.try_acquire(token, priority=priority) is not None
    return granted


def test_when_flows_wait_for_a_stores_quota_orders_go_first_then_shipments_stock_catalog(
    make_gate, fake
):
    gate = make_gate()
    _exhaust(gate)
    waiters = {"catalog": CATALOG, "stock": STOCK, "shipments": SHIPMENTS, "orders": ORDERS}
    assert _round(gate, waiters) is None  # all wait for the reset
    order = []
    for wait in (5, 30, 30, 30):  # to the reset, then one request a window
        fake.now += wait
        order.append(_round(gate, waiters))
    assert order == ["orders", "shipments", "stock", "catalog"]


def test_free_units_go_to_every_class_when_there_are_enough(make_gate, fake):
    gate = make_gate()
    _exhaust(gate, quota=4)
    waiters = {"catalog": CATALOG, "orders": ORDERS}
    _round(gate, waiters)
    fake.now += 5
    assert gate.try_acquire("catalog", priority=CATALOG) is None
    assert gate.try_acquire("orders", priority=ORDERS) is None


def test_a_waiting_catalog_request_is_not_starved_by_a_stream_of_orders(make_gate, fake):
    gate = make_gate()
    _exhaust(gate, window_ms=5000)
    waiters = {"catalog": CATALOG}
    _round(gate, waiters)
    winners = []
    for n in range(12):
        fake.now += 4  # a new order request arrives within the window, then the reset
        waiters[f"orders-{n}"] = ORDERS
        _round(gate, waiters)
        fake.now += 1
        winners.append(_round(gate, waiters))
        if winners[-1] == "catalog":
            break
    assert winners[-1] == "catalog"
    assert winners[0] == "orders-0"  # orders go first until the catalog has waited long
    assert len(winners) <= 8  # about three classes times the aging time (10 s)


def test_a_waiter_that_went_away_stops_holding_back_lower_classes(make_gate, fake):
    gate = make_gate()
    _exhaust(gate)
    assert gate.try_acquire("orders-of-a-killed-worker", priority=ORDERS) is not None
    fake.now += 60  # it never asked again
    assert gate.try_acquire("catalog", priority=CATALOG) is None
