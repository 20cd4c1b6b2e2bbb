from enum import StrEnum


class TrackingError(StrEnum):
    # A new live stream could not read its order (database unreachable); the browser retries by itself.
    TRACKING_UNAVAILABLE = "tracking_unavailable"
