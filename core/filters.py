"""Filter fields that refuse, as a 400, values the database cannot represent."""

from datetime import UTC, timedelta

from django import forms
from django_filters import IsoDateTimeFilter
from django_filters.fields import IsoDateTimeField

MAX_UTC_OFFSET = timedelta(hours=14)  # the widest offset in use anywhere (UTC+14, Kiribati)


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO-8601 datetime with a real-world offset, returned in UTC; out of range is a validation error."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None or parsed.utcoffset() is None:
            return parsed
        if abs(parsed.utcoffset()) > MAX_UTC_OFFSET:
            raise forms.ValidationError("The UTC offset must be between -14:00 and +14:00.", code="invalid")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("The date is out of range.", code="invalid") from None


class UTCIsoDateTimeFilter(IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField
