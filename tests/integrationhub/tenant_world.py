"""What the enumerated role and isolation tests share: a tenant with one of everything
(connection, dataflows, a run and its log, a product, orders, an order error), its users by
role, and a snapshot of its rows to prove a request changed nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver

from catalog.models import Product, ProductImportSettings, ProductLink
from checkout.models import CheckoutSettings, DeliveryOption
from connections.models import Connection, Membership, SavedListView, Tenant
from dataflows.models import Dataflow, LogEntry, Run
from listings.models import Listing, ListingSettings
from orders.models import Order, OrderError, OrderFetchRequest, OrderLine, Shipment
from orders.services.importer import OrderImporter
from tests.fixtures.tenants import make_connection, make_user
from tests.orders.helpers import line, order_payload

ROLES = {
    "viewer": Membership.Role.VIEWER,
    "operator": Membership.Role.OPERATOR,
    "manager": Membership.Role.MANAGER,
}


@dataclass
class World:
    """One tenant's objects; `kwargs` fills a URL pattern's keyword arguments with their ids."""

    tenant: Tenant
    connection: Connection
    product: Product
    order: Order
    error: OrderError
    run: Run
    saved_view: SavedListView
    option: DeliveryOption
    users: dict = field(default_factory=dict)
    listing: Listing | None = None

    @property
    def dataflow(self) -> Dataflow:
        return self.connection.dataflows.get(kind="order_import")

    @property
    def secrets(self) -> list[str]:
        """Strings that only this tenant's pages may show."""
        return [
            self.tenant.name,
            self.connection.name,
            self.connection.store_hash,
            self.product.sku,
            self.saved_view.name,
            self.option.display_name,
        ]


def tenant_world(name: str, *, store_hash: str, sku: str, order_base: int) -> World:
    tenant = Tenant.objects.create(name=name)
    connection = make_connection(tenant, name=f"{name} store", store_hash=store_hash)
    product = Product.objects.create(tenant=tenant, sku=sku, name=f"{name} widget", on_hand=10)
    OrderImporter(connection=connection).import_page(
        [
            order_payload(order_base, lines=[line(sku=sku, quantity=1, line_id=order_base)]),
            order_payload(order_base + 1, lines=[line(sku=f"{sku}-MISSING")]),
        ]
    )
    order = connection.orders.get(bc_order_id=order_base)
    error = OrderError.objects.get(connection=connection, bc_order_id=order_base + 1)
    run = Run.objects.create(dataflow=connection.dataflows.get(kind="order_import"))
    LogEntry.objects.create(run=run, message=f"{name} log line", object_kind="order")
    users = {
        role: make_user(f"{store_hash}-{role}", tenant=tenant, role=member_role)
        for role, member_role in ROLES.items()
    }
    saved_view = SavedListView.objects.create(
        user=users["manager"], name=f"{name} view", filters={"q": store_hash}
    )
    option = DeliveryOption.objects.create(
        connection=connection,
        code=f"{store_hash}-standard",
        display_name=f"{name} delivery",
        carrier="DHL",
        countries=["NL"],
        cutoff="15:00",
    )
    listing = Listing.objects.create(
        connection=connection, product=product, state=Listing.State.LIVE, bc_product_id=order_base
    )
    return World(tenant, connection, product, order, error, run, saved_view, option, users, listing)


def tenant_snapshot(tenant: Tenant) -> dict:
    """Every row of the tenant, field by field (a change of any of them shows)."""
    connections = Connection.objects.filter(tenant=tenant)
    tables = {
        "tenant": Tenant.objects.filter(pk=tenant.pk),
        "memberships": Membership.objects.filter(tenant=tenant),
        "connections": connections,
        "dataflows": Dataflow.objects.filter(connection__in=connections),
        "runs": Run.objects.filter(dataflow__connection__in=connections),
        "logs": LogEntry.objects.filter(run__dataflow__connection__in=connections),
        "products": Product.objects.filter(tenant=tenant),
        "links": ProductLink.objects.filter(connection__in=connections),
        "import_settings": ProductImportSettings.objects.filter(connection__in=connections),
        "orders": Order.objects.filter(connection__in=connections),
        "lines": OrderLine.objects.filter(order__connection__in=connections),
        "errors": OrderError.objects.filter(connection__in=connections),
        "fetch_requests": OrderFetchRequest.objects.filter(connection__in=connections),
        "shipments": Shipment.objects.filter(order__connection__in=connections),
        "saved_views": SavedListView.objects.filter(user__memberships__tenant=tenant),
        "checkout_settings": CheckoutSettings.objects.filter(connection__in=connections),
        "delivery_options": DeliveryOption.objects.filter(connection__in=connections),
        "listings": Listing.objects.filter(connection__in=connections),
        "listing_settings": ListingSettings.objects.filter(connection__in=connections),
    }
    return {
        name: [model_to_dict(row) for row in queryset.order_by("pk")]
        for name, queryset in tables.items()
    }


def url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(route text, URL name with its namespace, pattern) of every view in the URL conf."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield prefix + str(pattern.pattern), name, pattern
