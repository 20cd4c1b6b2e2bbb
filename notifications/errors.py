"""Stable error codes the notifications API returns."""

from enum import StrEnum


class NotificationError(StrEnum):
    NOTIFICATION_NOT_FAILED = "notification_not_failed"
