"""Turn a notification's template key and context into the text a provider sends, in the message's language.

Templates live one file per message and language: `notifications/<language>/sms/<key>.txt` and
`notifications/<language>/email/<key>.subject.txt|.txt|.html` (README "Messages"). The context's `language`
picks the folder; a message that has no file in that language is taken from DEFAULT_LANGUAGE, then English,
then from the language-neutral `notifications/sms|email/` (account messages: OTP, KYC, broadcasts). Rows
store raw values (amounts, ISO dates); the display forms (money, local dates) are made here, at sending time.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.template.loader import select_template
from django.utils import timezone, translation

from core.languages import Language
from orders.lifecycle import MAIN_PATH, OrderStatus

from .gsm7 import gsm7_text

# Context values that must never be shown in listings (and are scrubbed from the row once sent).
SENSITIVE_CONTEXT_KEYS = frozenset({"code"})
MASK = "******"
# Every order message, by channel; each has a file in every language (a test renders them all).
ORDER_MESSAGES = {
    "sms": ("order_placed", "order_status_changed", "order_estimate_changed", "order_payment_changed"),
    "email": ("order_placed_admin", "order_placed_merchant", "order_status_changed"),
}
# The estimate is told while the order is still on its way to the delivery day; not once it is out for
# delivery (the message says "today"), nor after.
ESTIMATE_STATUSES = frozenset(MAIN_PATH[: MAIN_PATH.index(OrderStatus.OUT_FOR_DELIVERY)])


def _money(amount, currency: str) -> str:
    """`KES 12,400.00`; a value that is not a number is shown as it came."""
    try:
        return f"{currency} {Decimal(str(amount)):,.2f}".strip()
    except (InvalidOperation, ValueError):
        return f"{currency} {amount}".strip()


def _parsed(value, parse):
    """A date or datetime from its ISO form in the row; anything else (None, bad text) as it is."""
    if not isinstance(value, str):
        return value
    try:
        return parse(value)
    except ValueError:
        return value


def message_language(context: dict) -> str:
    language = (context or {}).get("language")
    return language if language in Language.values else settings.DEFAULT_LANGUAGE


def _display_context(context: dict) -> dict:
    """The stored context plus what templates show: money, dates, the order reference with its total."""
    shown = dict(context or {})
    shown["language"] = message_language(shown)
    currency = shown.get("currency", "")
    if shown.get("total_amount") not in (None, ""):
        shown["total"] = _money(shown["total_amount"], currency)
    number = shown.get("order_number", "")
    shown["order_ref"] = f"{number} ({shown['total']})" if shown.get("total") else number
    for key in ("estimated_delivery", "previous_estimate"):
        shown[key] = _parsed(shown.get(key), date.fromisoformat)
    shown["show_estimate"] = bool(shown["estimated_delivery"]) and (
        shown.get("status", OrderStatus.PENDING) in ESTIMATE_STATUSES
    )
    shown["placed_at"] = _parsed(shown.get("placed_at"), datetime.fromisoformat)
    shown["items"] = [
        {
            **item,
            "unit_price": _money(item.get("unit_price"), currency),
            "line_total": _money(item.get("line_total"), currency),
        }
        for item in shown.get("items") or []
        if isinstance(item, dict)
    ]
    return shown


def _render(path: str, context: dict) -> str:
    """Render `notifications/<language>/<path>` (with its fallbacks) in that language and local time."""
    language = context["language"]
    languages = dict.fromkeys((language, settings.DEFAULT_LANGUAGE, Language.EN))
    template = select_template(
        [f"notifications/{lang}/{path}" for lang in languages] + [f"notifications/{path}"]
    )
    # Month names in the message's language; times in TIME_ZONE even when rendered in an API request (UTC).
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        return template.render(context)


def message_render_sms(*, template: str, context: dict) -> str:
    """One line of GSM-7 text: characters outside the alphabet transliterated or dropped (never UCS-2), and
    whitespace collapsed, so the message stays inside as few SMS parts as possible."""
    text = _render(f"sms/{template}.txt", _display_context(context))
    return re.sub(r"\s+", " ", gsm7_text(text)).strip()


def message_render_email(*, template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text body, HTML body)."""
    shown = _display_context(context)
    subject = " ".join(_render(f"email/{template}.subject.txt", shown).split())
    text = _render(f"email/{template}.txt", shown).strip() + "\n"
    html = _render(f"email/{template}.html", shown)
    return subject, text, html


def context_masked(context: dict) -> dict:
    """The context as admins may see it: secrets (OTP codes) replaced by a mask."""
    return {key: (MASK if key in SENSITIVE_CONTEXT_KEYS else value) for key, value in (context or {}).items()}
