"""Phone numbers that validate and format themselves once.

phonenumber-field's `PhoneNumber` re-runs libphonenumber's validation on every `str()`, `len()`, truth test
and save; one placed order did that about ten times, a tenth of the request's CPU. `ParsedPhoneNumber`
remembers the answers (and forgets them when any attribute changes); the model field keeps the instance it
is given, so the number parsed from the request is the one the order, its notifications and its answer use.
"""

import phonenumbers
from django.conf import settings
from phonenumber_field.phonenumber import PhoneNumber
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

_MEMO = "_parsed_memo"


class ParsedPhoneNumber(PhoneNumber):
    def __setattr__(self, name, value):
        self.__dict__.pop(_MEMO, None)
        super().__setattr__(name, value)

    def _memo(self) -> dict:
        memo = self.__dict__.get(_MEMO)
        if memo is None:
            memo = self.__dict__[_MEMO] = {}
        return memo

    def is_valid(self):
        memo = self._memo()
        if "valid" not in memo:
            memo["valid"] = super().is_valid()
        return memo["valid"]

    def format_as(self, format):
        memo = self._memo()
        if format not in memo:
            memo[format] = super().format_as(format)
        return memo[format]

    def __str__(self):
        memo = self._memo()
        if "str" not in memo:
            memo["str"] = super().__str__()
        return memo["str"]


def phone_parse(value: str, *, region: str | None = None) -> PhoneNumber:
    """phonenumber_field's `to_python` for a string, answering a `ParsedPhoneNumber`."""
    if region is None:
        region = getattr(settings, "PHONENUMBER_DEFAULT_REGION", None)
    try:
        return ParsedPhoneNumber.from_string(value, region=region)
    except phonenumbers.NumberParseException:
        return ParsedPhoneNumber(raw_input=value)


class ParsedPhoneNumberField(PhoneNumberField):
    """The serializer field, same validation and errors, handing out a `ParsedPhoneNumber`."""

    def to_internal_value(self, data):
        if isinstance(data, PhoneNumber):
            return super().to_internal_value(data)
        phone_number = phone_parse(serializers.CharField.to_internal_value(self, data), region=self.region)
        if phone_number and not phone_number.is_valid():
            raise ValidationError(self.error_messages["invalid"])
        return phone_number
