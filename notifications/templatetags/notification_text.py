"""Filters the message templates use: templates keep one sentence per line to stay readable, and `squash`
joins what a text email shows as one paragraph (SMS and subjects are collapsed whole when rendered)."""

from django import template

register = template.Library()


@register.filter(is_safe=True)
def squash(value: str) -> str:
    """Whitespace runs, newlines included, as one space; no space at either end."""
    return " ".join(str(value).split())
