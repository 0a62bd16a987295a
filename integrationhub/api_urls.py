"""REST API under /api/v1/: each app registers its viewsets here; the schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from catalog.api import ProductViewSet, StockViewSet
from connections.api import ConnectionViewSet
from dataflows.api import ConnectionSynchronizeView, DataflowViewSet, RunLogViewSet, RunViewSet
from listings.api import ListingViewSet, ProductDataViewSet
from orders.api import OrderErrorViewSet, OrderViewSet


class Router(DefaultRouter):
    # No `.json` routes: the views take no `format` argument, so a suffix is a 404, not a 500.
    include_format_suffixes = False


class DocsView(SpectacularSwaggerSplitView):
    # Swagger UI's start-up script served as a file: no inline script (CSP). An HTML page:
    # OPTIONS has no template to render, so only GET and HEAD (405 otherwise).
    http_method_names = ["get", "head"]


router = Router()
router.register("connections", ConnectionViewSet, basename="connection")
router.register(
    r"connections/(?P<connection_pk>\d+)/dataflows", DataflowViewSet, basename="dataflow"
)
router.register("runs", RunViewSet, basename="run")
router.register(r"runs/(?P<run_pk>\d+)/logs", RunLogViewSet, basename="run-log")
router.register("products", ProductViewSet, basename="product")
router.register("stock", StockViewSet, basename="stock")
router.register("product-data", ProductDataViewSet, basename="product-data")
router.register("listings", ListingViewSet, basename="listing")
router.register("orders", OrderViewSet, basename="order")
router.register("order-errors", OrderErrorViewSet, basename="order-error")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path(  # the engine's SYNCHRONIZE, under the connection it queues
        "connections/<int:pk>/synchronize/",
        ConnectionSynchronizeView.as_view(),
        name="connection-synchronize",
    ),
    *router.urls,
]
