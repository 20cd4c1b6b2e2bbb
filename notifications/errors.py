"""Stable error codes the notifications API returns."""

from core.errors import DomainCode


class NotificationError(DomainCode):
    NOTIFICATION_NOT_FAILED = "notification_not_failed", 409
    # The provider may already have sent it: a retry needs {"force": true}.
    NOTIFICATION_OUTCOME_UNKNOWN = "notification_outcome_unknown", 409
    # A delivery report from an address outside AFRICASTALKING_CALLBACK_ALLOWED_NETWORKS.
    CALLBACK_SOURCE_NOT_ALLOWED = "callback_source_not_allowed", 403
