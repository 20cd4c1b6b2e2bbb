"""Admin API over the outbox: failed notifications and their retry, broadcasts."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.permissions import StaffPermission

from .models import Channel, Notification, NotificationStatus
from .selectors import broadcast_list_with_counts, notification_list
from .serializers import (
    BroadcastAcceptedSerializer,
    BroadcastCreateSerializer,
    BroadcastSerializer,
    NotificationListQuerySerializer,
    NotificationSerializer,
)
from .services import broadcast_create, notification_retry


class AdminNotificationListView(GenericAPIView):
    permission_classes = [StaffPermission.of("notifications.view_notification")]
    serializer_class = NotificationSerializer
    filter_backends = []

    @extend_schema(
        operation_id="admin_notifications_list",
        parameters=[
            OpenApiParameter("status", enum=NotificationStatus.values),
            OpenApiParameter("channel", enum=Channel.values),
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
        request=None,
        responses={
            200: NotificationSerializer,
            409: OpenApiResponse(
                description="`notification_not_failed`: only a failed notification is retried"
            ),
        },
    )
    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk)
        return Response(NotificationSerializer(notification_retry(notification=notification)).data)


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
