"""Admin API over the outbox (notifications and their retry, broadcasts) and the provider's delivery reports."""

import hmac
import ipaddress
import logging

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from core.errors import DomainError
from core.parsers import JSONParser
from core.permissions import StaffPermission

from .errors import NotificationError
from .models import Channel, DeliveryStatus, Notification, NotificationStatus
from .selectors import broadcast_list_with_counts, notification_list
from .serializers import (
    BroadcastAcceptedSerializer,
    BroadcastCreateSerializer,
    BroadcastSerializer,
    DeliveryReportAcceptedSerializer,
    DeliveryReportSerializer,
    NotificationListQuerySerializer,
    NotificationRetrySerializer,
    NotificationSerializer,
)
from .services import broadcast_create, delivery_report_record, notification_retry

logger = logging.getLogger(__name__)


class AdminNotificationListView(GenericAPIView):
    permission_classes = [StaffPermission.of("notifications.view_notification")]
    serializer_class = NotificationSerializer
    filter_backends = []

    @extend_schema(
        operation_id="admin_notifications_list",
        parameters=[
            OpenApiParameter("status", enum=NotificationStatus.values),
            OpenApiParameter("channel", enum=Channel.values),
            OpenApiParameter("delivery_status", enum=[value for value in DeliveryStatus.values if value]),
        ],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request):
        query = NotificationListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(notification_list(**query.validated_data))
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class AdminNotificationRetryView(GenericAPIView):
    permission_classes = [StaffPermission.of("notifications.retry_notification")]
    serializer_class = NotificationSerializer

    @extend_schema(
        operation_id="admin_notifications_retry",
        request=NotificationRetrySerializer,
        responses={
            200: NotificationSerializer,
            409: OpenApiResponse(
                description="`notification_not_failed`: only a failed notification is retried; "
                "`notification_outcome_unknown`: the provider may already have sent it (the body adds "
                '`provider_message_id` when known): retry with `{"force": true}` to send it anyway'
            ),
        },
    )
    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk)
        payload = NotificationRetrySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        notification = notification_retry(notification=notification, force=payload.validated_data["force"])
        return Response(NotificationSerializer(notification).data)


class AdminBroadcastListView(GenericAPIView):
    permission_classes = [
        StaffPermission.of("notifications.view_broadcast", POST="notifications.send_broadcast")
    ]
    serializer_class = BroadcastSerializer
    filter_backends = []

    @extend_schema(operation_id="admin_broadcasts_list", responses=BroadcastSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(broadcast_list_with_counts())
        return self.get_paginated_response(BroadcastSerializer(page, many=True).data)

    @extend_schema(
        operation_id="admin_broadcasts_create",
        request=BroadcastCreateSerializer,
        responses={202: BroadcastAcceptedSerializer},
    )
    def post(self, request):
        payload = BroadcastCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        broadcast = broadcast_create(**payload.validated_data, created_by=request.user)
        return Response(
            BroadcastAcceptedSerializer({"id": broadcast.pk, "recipients": broadcast.recipients}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class AdminBroadcastDetailView(GenericAPIView):
    permission_classes = [StaffPermission.of("notifications.view_broadcast")]
    serializer_class = BroadcastSerializer

    @extend_schema(operation_id="admin_broadcasts_retrieve", responses=BroadcastSerializer)
    def get(self, request, pk):
        broadcast = get_object_or_404(broadcast_list_with_counts(), pk=pk)
        return Response(BroadcastSerializer(broadcast).data)


def _callback_token_matches(token: str) -> bool:
    expected = settings.AFRICASTALKING_CALLBACK_TOKEN
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def _callback_source_allowed(request) -> bool:
    networks = settings.AFRICASTALKING_CALLBACK_ALLOWED_NETWORKS
    if not networks:
        return True
    # Behind proxies, REST_FRAMEWORK["NUM_PROXIES"] says which X-Forwarded-For hop to trust (as the throttles).
    address = (
        BaseThrottle().get_ident(request) if api_settings.NUM_PROXIES else request.META.get("REMOTE_ADDR")
    )
    try:
        source = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    for network in networks:
        try:
            if source in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:  # reported by `manage.py check` (notifications.E001)
            continue
    return False


class AfricasTalkingDeliveryReportView(GenericAPIView):
    """Africa's Talking posts one delivery report per message to the callback URL set in its dashboard
    (README, "Delivery reports"). The secret token in the path is the credential; the provider signs nothing.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser, JSONParser]
    serializer_class = DeliveryReportSerializer

    @extend_schema(
        operation_id="africastalking_delivery_report",
        request={
            "application/x-www-form-urlencoded": DeliveryReportSerializer,
            "application/json": DeliveryReportSerializer,
        },
        responses={
            200: DeliveryReportAcceptedSerializer,
            403: OpenApiResponse(
                description="`callback_source_not_allowed`: not from AFRICASTALKING_CALLBACK_ALLOWED_NETWORKS"
            ),
            404: OpenApiResponse(description="`not_found`: wrong token, or delivery reports not configured"),
        },
        auth=[],
    )
    def post(self, request, token):
        if not _callback_token_matches(token):
            raise NotFound()
        if not _callback_source_allowed(request):
            logger.warning("Delivery report refused from %s", request.META.get("REMOTE_ADDR"))
            raise DomainError(
                NotificationError.CALLBACK_SOURCE_NOT_ALLOWED,
                "Delivery reports are not accepted from this address.",
            )
        report = DeliveryReportSerializer(data=request.data)
        report.is_valid(raise_exception=True)
        data = report.validated_data
        notification = delivery_report_record(
            provider_message_id=data["id"],
            status=data["status"],
            failure_reason=data.get("failureReason", ""),
            phone_number=data.get("phoneNumber", ""),
        )
        return Response(DeliveryReportAcceptedSerializer({"matched": notification is not None}).data)
