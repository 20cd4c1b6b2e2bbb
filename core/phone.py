"""Phone numbers that validate and format themselves once, parsed once per distinct string.

phonenumber-field's `PhoneNumber` re-runs libphonenumber's validation on every `str()`, `len()`, truth test
and save; one placed order did that about ten times, a tenth of the request's CPU. `ParsedPhoneNumber`
remembers the answers (and forgets them when any attribute changes); the model field keeps the instance it
is given, so the number parsed from the request is the one the order, its notifications and its answer use.

phonenumber-field's model field also parses every stored number each time a row is loaded, and every
authenticated request loads its user. `ParsedPhoneNumberModelField` parses a given (string, region) once per
process and hands each caller a fresh copy, so no two model instances or threads share a mutable number.
"""

import re
from functools import lru_cache

import phonenumbers
from django.conf import settings
from phonenumber_field import modelfields
from phonenumber_field.phonenumber import PhoneNumber, to_python
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

_MEMO = "_parsed_memo"

# Longer strings are parsed every time (the column holds 128 characters; libphonenumber refuses over 250), so
# request input cannot make the cache's entries large: at most 4096 short strings and their parse results.
_CACHED_INPUT_MAX_LENGTH = 128
_CACHE_SIZE = 4096


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


ParseResult = tuple[tuple[tuple[str, object], ...], bool] | None


def _parse(value: str, region: str | None) -> ParseResult:
    """libphonenumber's reading of `value` as immutable field values and validity; None when it cannot parse."""
    try:
        number = PhoneNumber.from_string(value, region=region)
    except phonenumbers.NumberParseException:
        return None
    return tuple(vars(number).items()), number.is_valid()


_cached_parse = lru_cache(maxsize=_CACHE_SIZE)(_parse)


def phone_parse(value: str, *, region: str | None = None) -> ParsedPhoneNumber:
    """phonenumber_field's `to_python` for a string, answering a new `ParsedPhoneNumber` on every call."""
    if region is None:
        region = getattr(settings, "PHONENUMBER_DEFAULT_REGION", None)
    parse = _cached_parse if len(value) <= _CACHED_INPUT_MAX_LENGTH else _parse
    result = parse(value, region)
    if result is None:
        return ParsedPhoneNumber(raw_input=value)
    fields, valid = result
    # A copy of the cached values (ints, strings, None: immutable), so callers never share a mutable number;
    # validity depends only on those values, and the memo is dropped as soon as any of them changes.
    number = ParsedPhoneNumber.__new__(ParsedPhoneNumber)
    number.__dict__.update(fields)
    number.__dict__[_MEMO] = {"valid": valid}
    return number


class ParsedPhoneNumberField(PhoneNumberField):
    """The serializer field, same validation and errors, handing out a `ParsedPhoneNumber`."""

    def to_internal_value(self, data):
        if isinstance(data, PhoneNumber):
            return super().to_internal_value(data)
        phone_number = phone_parse(serializers.CharField.to_internal_value(self, data), region=self.region)
        if phone_number and not phone_number.is_valid():
            raise ValidationError(self.error_messages["invalid"])
        return phone_number


class ParsedPhoneNumberDescriptor(modelfields.PhoneNumberDescriptor):
    def __set__(self, instance, value):
        instance.__dict__[self.field.name] = self.field.to_python(value)


class ParsedPhoneNumberModelField(modelfields.PhoneNumberField):
    """phonenumber-field's model field; stored and assigned strings become `ParsedPhoneNumber`s via `phone_parse`.

    Empty values, `PhoneNumber` objects and unparseable strings come out exactly as phonenumber-field's do.
    """

    descriptor_class = ParsedPhoneNumberDescriptor

    def to_python(self, value):
        if isinstance(value, str) and value:
            return phone_parse(value, region=self.region)
        return to_python(value, region=self.region)

    def from_db_value(self, value, expression, connection):
        # phonenumber-field reads stored values with the default region, not the field's own: so do we.
        if isinstance(value, str) and value:
            return phone_parse(value)
        return to_python(value)


_PHONE_LIKE = re.compile(r"\+?[\d\s().-]{6,24}")


def phone_search_term(term: str) -> str | None:
    """What an operator typed into a search box as the E.164 number we store (`0712 345 678`, `712345678` and
    `+254712345678` in the default region all give `+254712345678`), or None when it is not a phone number."""
    term = term.strip()
    if not _PHONE_LIKE.fullmatch(term):
        return None
    number = phone_parse(term)
    return number.as_e164 if number.is_valid() else None
