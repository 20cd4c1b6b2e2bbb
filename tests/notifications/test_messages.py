"""Every order message in every language, rendered from its template with sample data (the longest values a
merchant, platform or customer can send): the facts each must carry, and SMS within two GSM-7 parts."""

from pathlib import Path

import pytest
from django.conf import settings

from core.languages import Language
from notifications.gsm7 import gsm7_text, is_gsm7, sms_segments
from notifications.messages import ESTIMATE_STATUSES, ORDER_MESSAGES, message_render_email, message_render_sms
from notifications.previews import sample_context
from orders.lifecycle import OrderStatus
from orders.payments import PaymentStatus

TEMPLATES = Path(settings.BASE_DIR) / "notifications" / "templates" / "notifications"
LANGUAGES = Language.values
NUMBER, TRACKING = "OT-00000012", "/track/K7QX2M9PLH4T/"
LONG_TOTAL, TOTAL = "KES 999,999,999,999.99", "KES 12,400.00"
# The sample estimate (30 September 2026 in the long sample, 12 March otherwise) as each language writes it.
ESTIMATE = {"en": ("30 September 2026", "12 March 2026"), "sw": ("30 Septemba 2026", "12 Machi 2026")}
PAYMENT_WORDS = {
    "en": {
        "unpaid": "Unpaid",
        "paid": "Paid",
        "partially_refunded": "Partially refunded",
        "refunded": "Refunded",
    },
    "sw": {
        "unpaid": "Bado hayajalipwa",
        "paid": "Yamelipwa",
        "partially_refunded": "Sehemu imerejeshwa",
        "refunded": "Yamerejeshwa yote",
    },
}


def _files(language: str) -> set[str]:
    root = TEMPLATES / language
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_every_message_has_a_file_in_every_language():
    expected = {f"sms/{name}.txt" for name in ORDER_MESSAGES["sms"]} | {
        f"email/{name}{suffix}"
        for name in ORDER_MESSAGES["email"]
        for suffix in (".subject.txt", ".txt", ".html")
    }
    for language in LANGUAGES:
        assert expected <= _files(language), language
    assert _files("en") == _files("sw")


def _sms(name: str, language: str, **context) -> str:
    text = message_render_sms(template=name, context=sample_context(language=language, long=True, **context))
    assert is_gsm7(text), text
    assert sms_segments(text) <= 2, (len(text), text)
    assert NUMBER in text and TRACKING in text, text
    assert "{" not in text and "  " not in text, text
    return text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", OrderStatus.values)
def test_every_status_has_its_own_sentence_with_number_total_estimate_and_link(language, status):
    text = _sms("order_status_changed", language, status=status)

    assert LONG_TOTAL in text
    assert (ESTIMATE[language][0] in text) == (status in ESTIMATE_STATUSES)
    assert "is now" not in text and "delivery failed" not in text.lower()
    others = {
        _sms("order_status_changed", language, status=other)
        for other in OrderStatus.values
        if other != status
    }
    assert text not in others


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_failed_delivery_sentence_reads_naturally(language):
    text = _sms("order_status_changed", language, status="delivery_failed", location="")
    expected = {
        "en": "Your order OT-00000012 (KES 999,999,999,999.99) could not be delivered today; the merchant will try",
        "sw": "Oda yako OT-00000012 (KES 999,999,999,999.99) haikuweza kufikishwa leo; muuzaji atajaribu tena",
    }
    assert text.startswith(expected[language])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.SHIPPED])
def test_the_order_placed_sms_carries_number_total_estimate_and_link(language, status):
    text = _sms("order_placed", language, status=status)
    assert LONG_TOTAL in text and ESTIMATE[language][0] in text
    without = _sms("order_placed", language, estimated_delivery=None)
    assert ESTIMATE[language][0] not in without


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_delay_sms_says_when_the_order_is_now_expected(language):
    text = _sms("order_estimate_changed", language, status="shipped")
    assert LONG_TOTAL in text and ESTIMATE[language][0] in text
    assert {"en": "now expected on", "sw": "sasa inatarajiwa kufika"}[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("payment_status", PaymentStatus.values)
def test_every_payment_status_has_its_sms(language, payment_status):
    text = _sms("order_payment_changed", language, payment_status=payment_status)
    assert LONG_TOTAL in text
    if payment_status == "paid":
        assert ESTIMATE[language][0] in text
    if payment_status != "unpaid":
        assert "MPESA-99" in text  # the reference, cut to fit


def test_characters_outside_gsm7_are_transliterated_or_dropped_never_ucs2():
    merchant = "Zoë’s Café — “Łódź” 🛍️ ×2"
    text = message_render_sms(template="order_placed", context=sample_context(merchant=merchant))
    assert 'from Zoe\'s Café - "Lodz" x2 has been received' in text  # é is in GSM-7; the emoji goes
    assert is_gsm7(text)
    assert gsm7_text("naïve ﬁne résumé ç") == "naive fine résumé c"  # é is in GSM-7; ç is not
    assert sms_segments("ç" * 71) == 2 and sms_segments(gsm7_text("ç" * 71)) == 1


def test_the_segment_counter_knows_gsm7_ucs2_and_the_extension_table():
    assert [sms_segments("a" * n) for n in (160, 161, 306, 307)] == [1, 2, 2, 3]
    assert [sms_segments("€" * n) for n in (80, 81)] == [1, 2]  # two septets each
    assert [sms_segments("😀" * n) for n in (35, 36)] == [1, 2]  # UCS-2, two units each


def _email(name: str, language: str, **context) -> tuple[str, str, str]:
    return message_render_email(template=name, context=sample_context(language=language, **context))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("payment_status", PaymentStatus.values)
def test_the_admin_email_lists_everything_an_operator_acts_on(language, payment_status, settings):
    settings.TIME_ZONE = "Africa/Nairobi"
    subject, text, html = _email("order_placed_admin", language, payment_status=payment_status)

    new = {"en": "New order", "sw": "Oda mpya"}[language]
    assert subject == f"{new} {NUMBER} — {TOTAL} — Duka la Mama Njeri"
    context = sample_context()
    for part in (text, html):
        for item in context["items"]:
            assert item["name"] in part
        assert "KES 1,500.00" in part and "KES 3,000.00" in part and TOTAL in part
        assert "Amina Njeri" in part and "+254712345678" in part and "amina@example.com" in part
        assert "Moi Avenue 12, 3rd floor" in part and "Nairobi" in part
        assert PAYMENT_WORDS[language][payment_status] in part
        assert "09:45 EAT" in part  # 06:45 UTC, in Nairobi's time
        assert ESTIMATE[language][1] in part
        assert context["admin_url"] in part and context["tracking_url"] in part
    assert f'<html lang="{language}">' in html
    assert f'href="{context["admin_url"]}"' in html and f'href="{context["tracking_url"]}"' in html
    # Mail clients block remote content and strip <style>: styles inline, no images to fetch.
    assert "<img" not in html and "<style" not in html and "<link" not in html
    assert 'style="' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_merchant_email_lists_the_order_and_links_to_tracking_only(language):
    subject, text, html = _email("order_placed_merchant", language, payment_status="paid")
    assert subject == f"{ {'en': 'New order', 'sw': 'Oda mpya'}[language] } {NUMBER} — {TOTAL}"
    context = sample_context()
    for part in (text, html):
        assert context["items"][0]["name"] in part and TOTAL in part and "Moi Avenue 12" in part
        assert PAYMENT_WORDS[language]["paid"] in part
        assert context["tracking_url"] in part and context["admin_url"] not in part


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", OrderStatus.values)
def test_the_customer_status_email_says_what_the_sms_says(language, status):
    subject, text, html = _email("order_status_changed", language, status=status)
    sms = message_render_sms(
        template="order_status_changed", context=sample_context(language=language, status=status)
    )
    sentence = sms.split(f" ({TOTAL})")[1].split(".")[0]  # the status's own words, after the order reference
    assert NUMBER in subject and sentence in subject
    for part in (text, html):
        assert sentence in " ".join(part.split())
        assert sample_context()["tracking_url"] in part
        assert (ESTIMATE[language][1] in part.replace(",", "")) == (status in ESTIMATE_STATUSES)


def test_a_row_without_a_language_or_with_an_unknown_one_renders_in_the_default_language(settings):
    settings.DEFAULT_LANGUAGE = "sw"
    context = sample_context()
    context.pop("language")
    assert message_render_sms(template="order_placed", context=context).startswith("Asante! Oda yako")
    context["language"] = "fr"
    assert message_render_sms(template="order_placed", context=context).startswith("Asante! Oda yako")


def test_account_messages_without_a_translation_render_from_the_language_neutral_folder():
    subject, text, _ = message_render_email(template="otp", context={"code": "123456", "language": "sw"})
    assert "123456" in text and subject
