"""The sandbox's seed data: deterministic, realistic, and with the traps the hub must survive."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from connections.bigcommerce.sandbox import render_catalog, render_orders
from connections.bigcommerce.sandbox.seed import BASE_TS
from tests.connections.bigcommerce.sandbox.helpers import API, FULL, make_store


def snapshot(store):
    return {
        "orders": [render_orders.order_dict(o, API, FULL, True) for o in store.orders],
        "products": [
            render_catalog.product_dict(p, frozenset({"variants"})) for p in store.products
        ],
    }


@pytest.fixture(scope="module")
def big_store():
    return make_store(orders=3000, products=300, variants=3)


def test_the_same_seed_gives_the_same_store():
    assert json.dumps(snapshot(make_store(seed=7))) == json.dumps(snapshot(make_store(seed=7)))


def test_another_seed_gives_another_store():
    assert snapshot(make_store(seed=7)) != snapshot(make_store(seed=8))


def test_each_store_of_a_sandbox_gets_its_own_data():
    assert snapshot(make_store(index=0)) != snapshot(make_store(index=1))


def test_seeded_dates_come_from_the_fixed_base_date_not_the_clock():
    store = make_store()
    assert min(o.created for o in store.orders) >= BASE_TS
    assert max(o.modified for o in store.orders) < BASE_TS + 200 * 86400
    assert max(p.modified for p in store.products) < BASE_TS


def test_sizes_follow_the_options():
    store = make_store(orders=77, products=13, variants=4)
    assert len(store.orders) == 77
    assert len(store.products) == 13
    assert len(store.variants) == 13 * 4
    assert all(len(p.variants) == 4 for p in store.products)


def test_single_variant_products_have_a_base_variant_with_the_product_sku():
    store = make_store(products=10, variants=1)
    for p in store.products:
        assert len(p.variants) == 1
        assert p.variants[0].label is None
        assert p.variants[0].sku == p.sku
        assert p.tracking in ("product", "none")


def test_order_ids_and_creation_dates_increase(big_store):
    ids = [o.id for o in big_store.orders]
    created = [o.created for o in big_store.orders]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(a < b for a, b in zip(created, created[1:], strict=False))


def test_date_modified_is_never_before_date_created(big_store):
    assert all(o.modified >= o.created for o in big_store.orders)


def test_statuses_have_realistic_shares(big_store):
    counts = Counter(o.status_id for o in big_store.orders)
    ranked = [status for status, _ in counts.most_common()]
    assert ranked[:4] == [11, 10, 2, 5]
    assert set(counts) == set(range(15))
    assert 0.35 < counts[11] / 3000 < 0.5


def test_about_two_percent_of_orders_are_archived(big_store):
    share = sum(o.is_deleted for o in big_store.orders) / 3000
    assert 0.01 < share < 0.035


def test_some_orders_are_guest_orders_and_some_addresses_have_a_company(big_store):
    assert 0.08 < sum(o.customer_id == 0 for o in big_store.orders) / 3000 < 0.25
    assert any(o.ship_addr[2] for o in big_store.orders)
    assert any(not o.ship_addr[2] for o in big_store.orders)
    assert any(o.ship_addr != o.billing for o in big_store.orders)


def test_orders_have_one_to_four_lines_that_mostly_reference_catalog_variants(big_store):
    lines = [ln for o in big_store.orders for ln in o.lines]
    assert {len(o.lines) for o in big_store.orders} == {1, 2, 3, 4}
    known = [ln for ln in lines if ln.variant_id in big_store.variant_by_id]
    for ln in known:
        v = big_store.variant_by_id[ln.variant_id]
        assert (ln.product_id, ln.sku) == (v.product.id, v.sku)
    missing = [ln for ln in lines if ln.variant_id not in big_store.variant_by_id]
    assert 0 < len(missing) / len(lines) < 0.06
    assert all(ln.sku not in big_store.sku_index for ln in missing)
    assert any(ln.product_id == 0 for ln in missing)  # custom products


def test_shipped_and_completed_orders_are_fully_shipped_with_a_shipment(big_store):
    for o in big_store.orders:
        if o.status_id in (2, 10):
            assert all(ln.shipped == ln.qty for ln in o.lines)
            assert o.shipments and o.shipped_at
        elif o.status_id == 3:
            assert 0 < sum(ln.shipped for ln in o.lines) < sum(ln.qty for ln in o.lines)
        else:
            assert not o.shipments and all(ln.shipped == 0 for ln in o.lines)


def test_the_catalog_has_blank_duplicate_and_padded_skus(big_store):
    skus = [v.sku for v in big_store.variants]
    assert "" in skus
    assert any(s != s.strip() for s in skus if s)
    assert any(len(vs) > 1 for vs in big_store.sku_index.values())
    assert any(v.upc == "" for v in big_store.variants)
    assert all(len(v.upc) == 12 for v in big_store.variants if v.upc)


def test_some_products_do_not_track_inventory(big_store):
    tracking = Counter(p.tracking for p in big_store.products)
    assert tracking["none"] > 0 and tracking["product"] > 0
    assert tracking["variant"] > tracking["product"]
    for p in big_store.products:
        if p.tracking == "variant":
            assert p.inventory == sum(v.inventory for v in p.variants)


def test_a_tiny_store_still_has_an_archived_order_a_guest_and_a_company():
    store = make_store(orders=20, products=5)
    assert any(o.is_deleted for o in store.orders)
    assert any(o.customer_id == 0 for o in store.orders)
    assert any(o.ship_addr[2] for o in store.orders)


@pytest.mark.sandbox
def test_resetting_with_the_same_seed_serves_the_same_orders(sandbox):
    sandbox.reset(seed=5)
    first = sandbox.get_all_orders(
        include="consignments.line_items", consignment_structure="object"
    )
    sandbox.reset(seed=5)
    again = sandbox.get_all_orders(
        include="consignments.line_items", consignment_structure="object"
    )
    sandbox.reset(seed=6)
    other = sandbox.get_all_orders(
        include="consignments.line_items", consignment_structure="object"
    )
    assert first == again
    assert first != other
