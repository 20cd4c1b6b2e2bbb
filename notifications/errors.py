"""Stable error codes the notifications API returns."""

from core.errors import DomainCode


class NotificationError(DomainCode):
    NOTIFICATION_NOT_FAILED = "notification_not_failed", 409
    # The provider may already have sent it: a retry needs {"force": true}.
    NOTIFICATION_OUTCOME_UNKNOWN = "notification_outcome_unknown", 409
    # A delivery report from an address outside AFRICASTALKING_CALLBACK_ALLOWED_NETWORKS.
    CALLBACK_SOURCE_NOT_ALLOWED = "callback_source_not_allowed", 403


# See core/errors.py: what each code means, and which operations answer which codes.
ERROR_DETAILS = {
    NotificationError.NOTIFICATION_NOT_FAILED: "Only a failed notification is retried.",
    NotificationError.NOTIFICATION_OUTCOME_UNKNOWN: "The provider may already have sent it: retry with "
    '`{"force": true}` to send it again.',
    NotificationError.CALLBACK_SOURCE_NOT_ALLOWED: "The report does not come from an allowed network.",
}
OPERATION_ERRORS = {
    "admin_notifications_retry": [
        NotificationError.NOTIFICATION_NOT_FAILED,
        NotificationError.NOTIFICATION_OUTCOME_UNKNOWN,
    ],
    "africastalking_delivery_report": [NotificationError.CALLBACK_SOURCE_NOT_ALLOWED],
}
