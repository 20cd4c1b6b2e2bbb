"""Turn a notification's template key and context into the text a provider sends."""

import re

from django.template.loader import render_to_string

SMS_TEMPLATE = "notifications/sms/{key}.txt"
EMAIL_SUBJECT_TEMPLATE = "notifications/email/{key}.subject.txt"
EMAIL_TEXT_TEMPLATE = "notifications/email/{key}.txt"
EMAIL_HTML_TEMPLATE = "notifications/email/{key}.html"

# Context values that must never be shown in listings (and are scrubbed from the row once sent).
SENSITIVE_CONTEXT_KEYS = frozenset({"code"})
MASK = "******"


def message_render_sms(*, template: str, context: dict) -> str:
    """One line of text; whitespace collapsed so the message stays inside as few SMS parts as possible."""
    text = render_to_string(SMS_TEMPLATE.format(key=template), context)
    return re.sub(r"\s+", " ", text).strip()


def message_render_email(*, template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text body, HTML body)."""
    subject = " ".join(render_to_string(EMAIL_SUBJECT_TEMPLATE.format(key=template), context).split())
    text = render_to_string(EMAIL_TEXT_TEMPLATE.format(key=template), context).strip() + "\n"
    html = render_to_string(EMAIL_HTML_TEMPLATE.format(key=template), context)
    return subject, text, html


def context_masked(context: dict) -> dict:
    """The context as admins may see it: secrets (OTP codes) replaced by a mask."""
    return {key: (MASK if key in SENSITIVE_CONTEXT_KEYS else value) for key, value in (context or {}).items()}
