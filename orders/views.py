"""Orders API: thin views that parse input, call one service or selector and serialize the result."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsActiveMerchant, IsCustomer
from core.filters import UTCIsoDateTimeFilter
from core.permissions import StaffPermission

from .lifecycle import OrderStatus
from .models import EventSource, Order
from .payments import PaymentStatus
from .permissions import CanReadOrders
from .placement import order_place
from .selectors import order_events, order_get_for, order_list_for
from .serializers import (
    OrderCancelSerializer,
    OrderCreateSerializer,
    OrderPaymentSerializer,
    OrderSerializer,
    OrderStatusSerializer,
    OrderUpdateSerializer,
    TrackingEventSerializer,
)
from .services import order_cancel, order_payment_report, order_status_report, order_update_contact

IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Repeat a request with the same key (per user, at most 100 characters) to get the first "
    "order back (200) instead of a second one.",
)
ERRORS = {
    400: OpenApiResponse(description="`validation_error`, `mixed_merchants`, `product_unavailable`"),
    403: OpenApiResponse(description="`permission_denied` or `kyc_required`"),
    404: OpenApiResponse(description="`not_found`: no such order for this user"),
}


class OrderFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=OrderStatus.choices)
    payment_status = filters.ChoiceFilter(choices=PaymentStatus.choices)
    created_after = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Order
        fields = ["status", "payment_status", "created_after", "created_before"]


class OrderListCreateView(GenericAPIView):
    serializer_class = OrderSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = OrderFilter

    def get_permissions(self):
        return [IsCustomer()] if self.request.method == "POST" else [CanReadOrders()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Order.objects.none()
        return order_list_for(user=self.request.user)

    @extend_schema(
        operation_id="orders_list",
        summary="Orders this user may see",
        description="Customers: their own; merchants: orders for them; admins: all. Newest first.",
        responses={200: OrderSerializer(many=True), 403: ERRORS[403]},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(OrderSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_create",
        summary="Place an order (customers)",
        parameters=[IDEMPOTENCY_HEADER],
        request=OrderCreateSerializer,
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(OrderSerializer, description="The first order of this Idempotency-Key"),
            400: ERRORS[400],
            403: ERRORS[403],
            409: OpenApiResponse(description="`insufficient_stock`; `products` lists what is short"),
        },
    )
    def post(self, request):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order, created = order_place(
            customer=request.user,
            items=[{"product": item["product"], "quantity": item["quantity"]} for item in data["items"]],
            phone_number=data["phone_number"],
            shipping_address=data["shipping_address"],
            note=data["note"],
            idempotency_key=request.headers.get("Idempotency-Key") or None,
        )
        return Response(
            OrderSerializer(order).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class OrderDetailView(APIView):
    def get_permissions(self):
        return [IsCustomer()] if self.request.method == "PATCH" else [CanReadOrders()]

    @extend_schema(
        operation_id="orders_retrieve",
        summary="One order",
        responses={200: OrderSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request, order_id):
        return Response(OrderSerializer(order_get_for(user=request.user, order_id=order_id)).data)

    @extend_schema(
        operation_id="orders_partial_update",
        summary="Change contact details while pending (the customer owner)",
        request=OrderUpdateSerializer,
        responses={
            200: OrderSerializer,
            400: ERRORS[400],
            403: ERRORS[403],
            404: ERRORS[404],
            409: OpenApiResponse(description="`order_not_editable`: the order is no longer pending"),
        },
    )
    def patch(self, request, order_id):
        order = order_get_for(user=request.user, order_id=order_id)
        serializer = OrderUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        order_update_contact(order=order, **serializer.validated_data)
        return Response(OrderSerializer(order_get_for(user=request.user, order_id=order_id)).data)


class OrderCancelView(APIView):
    permission_classes = [CanReadOrders]

    @extend_schema(
        operation_id="orders_cancel",
        summary="Cancel an order; its stock comes back exactly once",
        description="Customers may cancel their own order while it is pending or confirmed; the merchant "
        "and admins as long as the lifecycle allows (pending, confirmed, processing).",
        request=OrderCancelSerializer,
        responses={
            200: OrderSerializer,
            403: ERRORS[403],
            404: ERRORS[404],
            409: OpenApiResponse(description="`invalid_transition` or `not_cancellable`"),
        },
    )
    def post(self, request, order_id):
        order = order_get_for(user=request.user, order_id=order_id)
        serializer = OrderCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_cancel(order=order, actor=request.user, reason=serializer.validated_data["reason"])
        return Response(OrderSerializer(order_get_for(user=request.user, order_id=order_id)).data)


class _OrderReportView(APIView):
    """A report on one order by its merchant or an admin: the body parsed by `input_serializer`, applied by
    `report` (an orders service taking order, actor, source and the body's fields), the order answered."""

    permission_classes = [IsActiveMerchant | StaffPermission.of("orders.change_order")]
    input_serializer: type
    report = None

    def post(self, request, order_id):
        order = order_get_for(user=request.user, order_id=order_id)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        type(self).report(
            order=order, actor=request.user, source=EventSource.API, **serializer.validated_data
        )
        return Response(OrderSerializer(order_get_for(user=request.user, order_id=order_id)).data)


def _report_responses(conflict: str) -> dict:
    return {
        200: OrderSerializer,
        400: ERRORS[400],
        403: ERRORS[403],
        404: ERRORS[404],
        409: OpenApiResponse(description=conflict),
    }


@extend_schema_view(
    post=extend_schema(
        operation_id="orders_set_status",
        summary="Move an order along its lifecycle (its merchant or an admin)",
        description="With the status the order already has and an `estimated_delivery`, only the estimate "
        "changes.",
        request=OrderStatusSerializer,
        responses=_report_responses("`invalid_transition`: the lifecycle forbids this move"),
    )
)
class OrderStatusView(_OrderReportView):
    input_serializer = OrderStatusSerializer
    report = staticmethod(order_status_report)


@extend_schema_view(
    post=extend_schema(
        operation_id="orders_set_payment",
        summary="Record an order's payment status (its merchant or an admin)",
        description="A timeline event records each change (who, when, `reference`). The customer is told "
        "of a payment or refund, never of `unpaid`. Repeating the payment status the order has changes "
        "nothing; a partial refund with a new `reference` is a further partial refund.",
        request=OrderPaymentSerializer,
        responses=_report_responses(
            "`invalid_payment_transition`: e.g. refunded before paid, or anything after refunded"
        ),
    )
)
class OrderPaymentView(_OrderReportView):
    input_serializer = OrderPaymentSerializer
    report = staticmethod(order_payment_report)


class OrderTrackingView(APIView):
    permission_classes = [CanReadOrders]

    @extend_schema(
        operation_id="orders_tracking",
        summary="An order's timeline, oldest first",
        responses={200: TrackingEventSerializer(many=True), 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request, order_id):
        order = order_get_for(user=request.user, order_id=order_id)
        return Response(TrackingEventSerializer(order_events(order=order), many=True).data)
