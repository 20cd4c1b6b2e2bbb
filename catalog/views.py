"""Catalog endpoints: thin views over `catalog.services` (writes) and `catalog.selectors` (reads)."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.permissions import IsActiveMerchant
from core.parsers import JSONParser
from core.permissions import StaffPermission

from . import selectors, services
from .filters import CategoryFilter, ProductFilter
from .serializers import (
    CategoryAveragePriceSerializer,
    CategoryCreateSerializer,
    CategoryOutputSerializer,
    CategoryTreeNodeSerializer,
    CategoryUpdateSerializer,
    ProductCreateSerializer,
    ProductOutputSerializer,
    ProductUpdateSerializer,
)

_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
_ERRORS = {
    400: OpenApiResponse(description="Invalid input: `{code, detail, errors}`."),
    401: OpenApiResponse(description="Not authenticated."),
    403: OpenApiResponse(description="Not allowed (`permission_denied`, or `kyc_required` for merchants)."),
    404: OpenApiResponse(description="No such object (or not yours)."),
}


def _errors(*codes: int, **extra: str) -> dict:
    answers = {code: _ERRORS[code] for code in codes}
    answers.update({int(code): OpenApiResponse(description=text) for code, text in extra.items()})
    return answers


CAN_EDIT_CATEGORIES = StaffPermission.of(
    "catalog.change_category", POST="catalog.add_category", DELETE="catalog.delete_category"
)


@extend_schema_view(
    list=extend_schema(
        summary="List categories (flat, tree order)",
        responses={200: CategoryOutputSerializer(many=True)},
    ),
    retrieve=extend_schema(summary="One category", responses={200: CategoryOutputSerializer, **_errors(404)}),
)
class CategoryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Categories: anyone reads, admins write."""

    serializer_class = CategoryOutputSerializer
    filterset_class = CategoryFilter
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "created_at", "level"]
    lookup_value_regex = _UUID
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.category_list()

    def get_permissions(self):
        if self.action in {"create", "partial_update", "destroy"}:
            return [CAN_EDIT_CATEGORIES()]
        return [AllowAny()]

    @extend_schema(
        summary="Create a category (admin)",
        request=CategoryCreateSerializer,
        responses={
            201: CategoryOutputSerializer,
            **_errors(400, 401, 403, **{"409": "`category_name_taken`"}),
        },
    )
    def create(self, request):
        data = CategoryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_create(**data.validated_data)
        return Response(CategoryOutputSerializer(category).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rename or move a category (admin); a move carries its subtree",
        request=CategoryUpdateSerializer,
        responses={
            200: CategoryOutputSerializer,
            **_errors(400, 401, 403, 404, **{"409": "`category_name_taken`"}),
        },
    )
    def partial_update(self, request, pk=None):
        category = self.get_object()
        data = CategoryUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_update(category=category, **data.validated_data)
        return Response(CategoryOutputSerializer(category).data)

    @extend_schema(
        summary="Delete a category and its empty subtree (admin)",
        responses={
            204: None,
            **_errors(401, 403, 404, **{"409": "`category_in_use`: products in the subtree"}),
        },
    )
    def destroy(self, request, pk=None):
        services.category_delete(category=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The whole category tree, nested",
        responses={200: CategoryTreeNodeSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def tree(self, request):
        # Already-rendered JSON from the cache: 10,000 nodes would cost far more to serialize every time.
        return HttpResponse(selectors.category_tree_json(), content_type="application/json")

    @extend_schema(
        summary="Average price of a category's active products, descendants included",
        responses={200: CategoryAveragePriceSerializer, **_errors(404)},
    )
    @action(detail=True, methods=["get"], url_path="average-price", filter_backends=[])
    def average_price(self, request, pk=None):
        result = selectors.category_average_price(category=self.get_object())
        return Response(CategoryAveragePriceSerializer(result).data)

    @extend_schema(
        summary="Average price of every category (subtrees included), in tree order",
        responses={200: CategoryAveragePriceSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="average-prices", filter_backends=[])
    def average_prices(self, request):
        page = self.paginate_queryset(selectors.category_average_prices())
        return self.get_paginated_response(CategoryAveragePriceSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="List products",
        description="Anyone sees active products; a merchant also sees its own inactive ones.",
        responses={200: ProductOutputSerializer(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(summary="One product", responses={200: ProductOutputSerializer, **_errors(404)}),
)
class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Products: anyone reads; the owning (active) merchant writes."""

    serializer_class = ProductOutputSerializer
    filterset_class = ProductFilter
    search_fields = ["name", "sku", "description"]
    ordering_fields = ["price", "created_at", "name", "stock"]
    ordering = ["-created_at", "id"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_regex = _UUID
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in {"create", "partial_update", "destroy", "low_stock"}:
            return [IsActiveMerchant()]
        return [AllowAny()]

    def get_queryset(self):
        if self.action in {"partial_update", "destroy"}:
            return selectors.product_owned_by(merchant=self.request.user.merchant)
        return selectors.product_list_for(user=self.request.user)

    @extend_schema(
        summary="Create a product (active merchant)",
        request={
            "application/json": ProductCreateSerializer,
            "multipart/form-data": ProductCreateSerializer,
        },
        responses={201: ProductOutputSerializer, **_errors(400, 401, 403, **{"409": "`sku_taken`"})},
    )
    def create(self, request):
        data = ProductCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.product_create(merchant=request.user.merchant, **data.validated_data)
        return Response(
            ProductOutputSerializer(product, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Change one of your products",
        request={
            "application/json": ProductUpdateSerializer,
            "multipart/form-data": ProductUpdateSerializer,
        },
        responses={200: ProductOutputSerializer, **_errors(400, 401, 403, 404, **{"409": "`sku_taken`"})},
    )
    def partial_update(self, request, pk=None):
        product = self.get_object()
        data = ProductUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.product_update(product=product, **data.validated_data)
        return Response(ProductOutputSerializer(product, context=self.get_serializer_context()).data)

    @extend_schema(summary="Delete one of your products", responses={204: None, **_errors(401, 403, 404)})
    def destroy(self, request, pk=None):
        services.product_delete(product=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Featured active products", responses={200: ProductOutputSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def featured(self, request):
        products = self.filter_queryset(selectors.product_featured())
        page = self.paginate_queryset(products)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Your products at or below their low-stock threshold",
        responses={200: ProductOutputSerializer(many=True), **_errors(401, 403)},
    )
    @action(detail=False, methods=["get"], url_path="low-stock", filter_backends=[])
    def low_stock(self, request):
        page = self.paginate_queryset(selectors.product_low_stock(merchant=request.user.merchant))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
