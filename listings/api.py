"""REST endpoints of the listings app: `product-data/` (bulk listing data of hub products) and
`listings/` (list, filter, and the bulk actions). Thin views: the input serializer validates, a
service writes, the output serializer answers. Another tenant's objects are unknown (404)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from connections.access import need_for, tenant_require_role
from connections.api import ServiceErrorsMixin

from .product_data import MAX_ITEMS, product_data_set_bulk
from .serializers import ProductDataBulkInputSerializer, ProductDataBulkOutputSerializer


class ProductDataViewSet(ServiceErrorsMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Bulk listing data of hub products from the warehouse or ERP."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProductDataBulkInputSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="Create or update the listing data of many hub products (one transaction)",
        description=f"Up to {MAX_ITEMS} items keyed by `sku`: name, description, codes, price, "
        "weight and dimensions, brand, `image_urls`, `categories` (names), `attributes` "
        "(`{name, value}`), and for a variant its `parent_sku` and `option_values` "
        "(`{option, value}`, e.g. Size M). Fields left out stay as they are; unknown SKUs are "
        "created. Listed products whose data changed are sent by the next Sync Listings.",
        request=ProductDataBulkInputSerializer,
        responses={
            200: ProductDataBulkOutputSerializer,
            400: OpenApiResponse(description="Invalid items; nothing applied."),
            403: OpenApiResponse(description="Viewers cannot change products."),
        },
    )
    def create(self, request):
        serializer = ProductDataBulkInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tenant_require_role(request, tenant=data["tenant"], need=need_for("product_data.set"))
        result = product_data_set_bulk(tenant=data["tenant"], items=data["items"])
        body = {
            "received": result.received,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        return Response(ProductDataBulkOutputSerializer(body).data, status=status.HTTP_200_OK)
