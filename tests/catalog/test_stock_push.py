"""The stock push engine with a scripted BigCommerce: isolating rejected items by halving when
BigCommerce does not name them, stopping when the rejection is not about items, paging and
the indexed 'changed' query."""

from dataclasses import dataclass, field

from django.utils import timezone

from catalog import stock_push
from catalog.kinds import CHANGED_STOCK_UPDATE, FULL_STOCK_UPDATE
from catalog.models import Product, ProductLink
from connections.bigcommerce.errors import ValidationError
from dataflows.models import Dataflow, LogEntry, Run
from dataflows.services import dataflow_run_foreground

NOW = timezone.now()


@dataclass
class Stats:
    requests: int = 0


@dataclass
class ScriptedStore:
    """Accepts absolute adjustments unless they hold a bad item; then 422 like BigCommerce,
    naming nothing (or everything, with `systemic`)."""

    bad: set = field(default_factory=set)
    systemic: bool = False
    too_big_over: int | None = None
    stats: Stats = field(default_factory=Stats)
    levels: dict = field(default_factory=dict)
    batches: list = field(default_factory=list)

    def set_inventory_absolute(self, items, *, reason=None):
        self.stats.requests += 1
        self.batches.append(len(items))
        if self.too_big_over is not None and len(items) > self.too_big_over:
            raise ValidationError("too big", status=413, details=[], body=None)
        keys = [
            ("variant_id" in i and ("v", i["variant_id"])) or ("p", i["product_id"]) for i in items
        ]
        if self.systemic or any(k in self.bad for k in keys):
            title = "Location with id 1 does not exist" if self.systemic else "Invalid item"
            details = (
                [{"field": f"items.{n}", "message": title} for n in range(len(items))]
                if self.systemic
                else []
            )
            raise ValidationError(
                f"rejected: {title}", status=422, details=details, body={"title": title}
            )
        for key, item in zip(keys, items, strict=True):
            self.levels[key] = item["quantity"]
        return [{"transaction_id": f"t{self.stats.requests}"}]

    def close(self):
        pass


def linked_catalog(connection, n, *, start=1, tracking="variant"):
    products = Product.objects.bulk_create(
        Product(tenant=connection.tenant, sku=f"SKU-{start + i}", on_hand=i % 7, stock_set_at=NOW)
        for i in range(n)
    )
    products = Product.objects.filter(tenant=connection.tenant, sku__in=[p.sku for p in products])
    ProductLink.objects.bulk_create(
        ProductLink(
            connection=connection,
            product=p,
            bc_product_id=100 + int(p.sku.split("-")[1]),
            bc_variant_id=1000 + int(p.sku.split("-")[1]),
            bc_sku=p.sku,
            inventory_tracking=tracking,
        )
        for p in products
    )


def run(connection, kind, client):
    dataflow = Dataflow.objects.select_related("connection").get(connection=connection, kind=kind)
    return dataflow_run_foreground(dataflow=dataflow, client=client)


def test_an_unnamed_bad_item_is_isolated_by_halving(connection, monkeypatch):
    monkeypatch.setattr(stock_push, "BATCH_ITEMS", 64)
    linked_catalog(connection, 64)
    store = ScriptedStore(bad={("v", 1000 + 37)})

    result = run(connection, FULL_STOCK_UPDATE, store)

    assert result.status == Run.Status.PARTIAL
    assert (result.updated, result.failed) == (63, 1)
    # 1 rejected batch of 64, then halves: 2 + 2 + 2 + 2 + 2 + 2 requests down to one item.
    assert store.stats.requests == 1 + 2 * 6
    assert len(store.levels) == 63
    error = result.log_entries.get(level=LogEntry.Level.ERROR)
    assert error.object_id == "1037" and "SKU-37" in error.message
    assert ProductLink.objects.get(bc_variant_id=1037).push_error == "Invalid item"


def test_a_rejection_naming_every_item_stops_the_run_instead_of_splitting(connection):
    linked_catalog(connection, 40)
    store = ScriptedStore(systemic=True)

    result = run(connection, FULL_STOCK_UPDATE, store)

    assert result.status == Run.Status.FAILED
    assert store.stats.requests == 1
    assert "rejected every item of a batch of 40" in result.error_message
    assert "inventory location (id 1)" in result.error_message
    assert not ProductLink.objects.exclude(push_error="").exists()


def test_too_many_rejected_items_stop_the_run(connection, monkeypatch):
    monkeypatch.setattr(stock_push, "MAX_REJECTED_ITEMS", 3)
    linked_catalog(connection, 8)
    store = ScriptedStore(bad={("v", 1000 + i) for i in range(1, 9)})

    result = run(connection, FULL_STOCK_UPDATE, store)

    assert result.status == Run.Status.FAILED
    assert "rejected more than 3 items" in result.error_message


def test_a_batch_too_big_for_bigcommerce_is_halved_without_blaming_items(connection):
    linked_catalog(connection, 30)
    store = ScriptedStore(too_big_over=10)

    result = run(connection, FULL_STOCK_UPDATE, store)

    assert result.status == Run.Status.SUCCEEDED
    assert result.updated == 30 and len(store.levels) == 30
    assert store.batches == [30, 15, 7, 8, 15, 7, 8]


def test_items_go_in_batches_of_2000_read_in_pages(connection, monkeypatch):
    monkeypatch.setattr(stock_push, "BATCH_ITEMS", 25)
    monkeypatch.setattr(stock_push, "PAGE_LINKS", 10)
    linked_catalog(connection, 60)
    store = ScriptedStore()

    result = run(connection, FULL_STOCK_UPDATE, store)

    assert store.batches == [25, 25, 10]
    assert result.updated == 60
    assert store.levels == {("v", 1000 + k): (k - 1) % 7 for k in range(1, 61)}


def test_known_failed_items_are_sent_apart_from_the_others(connection):
    linked_catalog(connection, 10)
    ProductLink.objects.filter(bc_variant_id=1003).update(push_error="Invalid item")
    Product.objects.update(on_hand=50)
    store = ScriptedStore(bad={("v", 1003)})

    result = run(connection, CHANGED_STOCK_UPDATE, store)

    # The nine good ones go through in one request; the known bad one alone.
    assert store.batches == [9, 1]
    assert (result.updated, result.failed) == (9, 1)


def test_products_tracked_by_product_are_one_item_even_across_pages(connection, monkeypatch):
    monkeypatch.setattr(stock_push, "PAGE_LINKS", 4)
    linked_catalog(connection, 10)
    # Variants 1001..1006 are one BigCommerce product tracked by product.
    ProductLink.objects.filter(bc_variant_id__lte=1006).update(
        bc_product_id=500, inventory_tracking="product"
    )
    Product.objects.update(on_hand=3)
    store = ScriptedStore()

    result = run(connection, FULL_STOCK_UPDATE, store)

    assert store.levels[("p", 500)] == 18
    assert len([k for k in store.levels if k[0] == "v"]) == 4
    assert result.updated == 5
    links = ProductLink.objects.filter(bc_product_id=500)
    assert set(links.values_list("last_pushed_quantity", "last_pushed_level")) == {(3, 18)}


def test_nothing_to_push_sends_nothing(connection):
    linked_catalog(connection, 5)
    store = ScriptedStore()
    run(connection, FULL_STOCK_UPDATE, store)
    before = store.stats.requests

    result = run(connection, CHANGED_STOCK_UPDATE, store)

    assert result.status == Run.Status.SUCCEEDED
    assert store.stats.requests == before
