"""REST endpoints for the hub's catalog: `products/` (filter, paginated; create and edit) and
`stock/` (bulk on-hand stock). Thin views: the input serializer validates, a service writes,
the output serializer answers.

Tenant isolation: products are looked up through `products_visible_to`, so another tenant's
product is a 404 whatever the method; a tenant named in a body must be one of the user's
(another's reads as unknown). Viewers read; operators and managers change products and stock.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from connections.access import REFUSED, need_for, tenant_require_role
from connections.api import ServiceErrorsMixin, StandardPagination

from . import services
from .filters import ProductFilter
from .models import Product
from .selectors import product_list, products_visible_to, products_with_links
from .serializers import (
    ProductCreateInputSerializer,
    ProductOutputSerializer,
    ProductUpdateInputSerializer,
    StockBulkInputSerializer,
    StockBulkOutputSerializer,
)

NOT_FOUND = OpenApiResponse(description="No such product among your tenants'.")
FORBIDDEN = OpenApiResponse(description="Viewers cannot change products or stock.")


class TenantRolePermission(BasePermission):
    """Reading needs a membership of the object's tenant (the queryset already ensures it);
    changing needs the operator or manager role there."""

    message = REFUSED[need_for("product.update")]
    write_actions = {"partial_update", "update", "destroy"}

    def has_object_permission(self, request, view, obj):
        if getattr(view, "action", None) in self.write_actions:
            tenant_require_role(request, tenant=obj.tenant, need=need_for("product.update"))
        return True


@extend_schema_view(
    list=extend_schema(
        summary="Your tenants' products with their stock and BigCommerce links",
        description="Filters: `show` = not_linked | tracking_off | drift | push_failed (about "
        "the links of `connection` when given, else of any connection), `search` (SKU or name "
        "contains; EAN, UPC or MPN equals), `sku`, `tenant`.",
    ),
    retrieve=extend_schema(
        summary="A product", responses={200: ProductOutputSerializer, 404: NOT_FOUND}
    ),
)
class ProductViewSet(ServiceErrorsMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, TenantRolePermission]
    serializer_class = ProductOutputSerializer
    pagination_class = StandardPagination
    filterset_class = ProductFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (
            products_visible_to(user=self.request.user)
            .select_related("tenant")
            .order_by("sku", "id")
        )

    def _output(self, product, *, status_code=status.HTTP_200_OK) -> Response:
        product = products_with_links(products_visible_to(user=self.request.user)).get(
            pk=product.pk
        )
        return Response(ProductOutputSerializer(product).data, status=status_code)

    def list(self, request):
        filters = ProductFilter(request.query_params, queryset=Product.objects.none())
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        page = self.paginate_queryset(
            product_list(user=request.user, filters=request.query_params).select_related("tenant")
        )
        return self.get_paginated_response(ProductOutputSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self._output(self.get_object())

    @extend_schema(
        summary="Create a hub product",
        request=ProductCreateInputSerializer,
        responses={
            201: ProductOutputSerializer,
            400: OpenApiResponse(description="Invalid fields, or the SKU exists."),
            403: FORBIDDEN,
        },
    )
    def create(self, request):
        serializer = ProductCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tenant = data.pop("tenant")
        tenant_require_role(request, tenant=tenant, need=need_for("product.create"))
        product = services.product_create(tenant=tenant, **data)
        return self._output(product, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a hub product's data or stock",
        description="A change of `on_hand` or `manual_reserved` pushes the new available stock "
        "to the linked stores shortly (Changed Stock Update).",
        request=ProductUpdateInputSerializer,
        responses={200: ProductOutputSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request, pk=None):
        product = self.get_object()
        serializer = ProductUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        product = services.product_update(product=product, **serializer.validated_data)
        return self._output(product)


class StockViewSet(ServiceErrorsMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Bulk on-hand stock from the warehouse."""

    permission_classes = [IsAuthenticated]
    serializer_class = StockBulkInputSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="Set the on-hand stock of many products (one transaction)",
        description="Up to 10,000 `{sku, on_hand}` items. Everything is applied in one "
        "transaction: invalid items, or SKUs the hub does not know (unless `on_unknown` is "
        "`skip`), answer 400 naming them, and nothing is applied. Products whose available "
        "stock changed are pushed to their linked stores shortly (Changed Stock Update).",
        request=StockBulkInputSerializer,
        responses={
            200: StockBulkOutputSerializer,
            400: OpenApiResponse(description="Invalid items or unknown SKUs; nothing applied."),
            403: FORBIDDEN,
        },
    )
    def create(self, request):
        serializer = StockBulkInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tenant = data["tenant"]
        tenant_require_role(request, tenant=tenant, need=need_for("stock.set"))
        result = services.stock_set_bulk(
            tenant=tenant, items=data["items"], on_unknown=data["on_unknown"]
        )
        body = {
            "received": result.received,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "unknown_skus": result.unknown,
        }
        return Response(StockBulkOutputSerializer(body).data, status=status.HTTP_200_OK)
