"""REST endpoints of the listings app: `product-data/` (bulk listing data of hub products) and
`listings/` (list, filter, and the bulk actions). Thin views: the input serializer validates, a
service writes, the output serializer answers. Another tenant's objects are unknown (404)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from connections.access import need_for, tenant_require_role
from connections.api import ServiceErrorsMixin, StandardPagination
from connections.selectors import connections_visible_to

from .models import Listing
from .product_data import MAX_ITEMS, product_data_set_bulk
from .selectors import listings_visible_to
from .serializers import (
    ListingActionInputSerializer,
    ListingActionOutputSerializer,
    ListingOutputSerializer,
    ProductDataBulkInputSerializer,
    ProductDataBulkOutputSerializer,
)
from .services import listings_act


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


@extend_schema_view(
    list=extend_schema(
        summary="Your connections' listings",
        description="Filters: `connection` (id), `state` (draft, paused, live, hidden, "
        "delisted, error).",
    ),
)
class ListingViewSet(ServiceErrorsMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = ListingOutputSerializer
    pagination_class = StandardPagination
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        listings = listings_visible_to(user=self.request.user).order_by("pk")
        params = self.request.query_params
        if params.get("connection", "").isdigit():
            listings = listings.filter(connection_id=int(params["connection"]))
        if params.get("state") in Listing.State.values:
            listings = listings.filter(state=params["state"])
        return listings

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ListingOutputSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(ListingOutputSerializer(self.get_object()).data)

    @extend_schema(
        summary="A bulk action on listings: publish, pause, unpause, hide, unhide, delist",
        description="Publish, hide, unhide and delist queue their dataflow (the work runs in "
        "the background, its outcome per listing in `state` and `last_error`); pause and "
        "unpause apply at once. Products where the action does not apply are left alone.",
        request=ListingActionInputSerializer,
        responses={
            200: ListingActionOutputSerializer,
            403: OpenApiResponse(description="Your role may not do this action."),
            404: OpenApiResponse(description="No such connection among your tenants'."),
        },
    )
    @action(detail=False, methods=["post"], url_path="actions")
    def actions(self, request):
        serializer = ListingActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        connection = get_object_or_404(
            connections_visible_to(user=request.user).select_related("tenant"),
            pk=data["connection"],
        )
        tenant_require_role(
            request, tenant=connection.tenant, need=need_for(f"listing.{data['action']}")
        )
        message = listings_act(
            connection=connection, action=data["action"], product_ids=data["products"]
        )
        return Response(ListingActionOutputSerializer({"message": message}).data)
