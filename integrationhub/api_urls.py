"""REST API under /api/v1/: each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from catalog.api import ProductViewSet, StockViewSet
from connections.api import ConnectionViewSet
from dataflows.api import ConnectionSynchronizeView, DataflowViewSet, RunLogViewSet, RunViewSet
from orders.api import OrderErrorViewSet, OrderViewSet

router = DefaultRouter()
router.register("connections", ConnectionViewSet, basename="connection")
router.register(
    r"connections/(?P<connection_pk>\d+)/dataflows", DataflowViewSet, basename="dataflow"
)
router.register("runs", RunViewSet, basename="run")
router.register(r"runs/(?P<run_pk>\d+)/logs", RunLogViewSet, basename="run-log")
router.register("products", ProductViewSet, basename="product")
router.register("stock", StockViewSet, basename="stock")
router.register("orders", OrderViewSet, basename="order")
router.register("order-errors", OrderErrorViewSet, basename="order-error")

urlpatterns = [
    path(  # the engine's SYNCHRONIZE, under the connection it queues
        "connections/<int:pk>/synchronize/",
        ConnectionSynchronizeView.as_view(),
        name="connection-synchronize",
    ),
    *router.urls,
]
