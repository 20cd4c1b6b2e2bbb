"""SMS text in the GSM-7 alphabet (3GPP TS 23.038), so a message stays in 160/153-character parts.

One character outside it (an emoji, a curly quote or an accent from a merchant's product or shop name) would
send the whole message as UCS-2, in 70/67-character parts: two or three times the parts, and the price.
`gsm7_text` transliterates such characters (NFKD: "ç" -> "c", "ł" -> dropped) or drops them instead.
"""

import math
import unicodedata

# The basic character set (escape excluded) and the extension table, whose characters cost two septets.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€")
SINGLE_SEGMENT_SEPTETS = 160
CONCATENATED_SEGMENT_SEPTETS = 153  # the rest of 160 carries the concatenation header
UCS2_SINGLE_SEGMENT = 70
UCS2_CONCATENATED_SEGMENT = 67
# Typographic characters NFKD leaves alone, by their plain equivalents.
_PLAIN = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\t": " ", "\u2022": "*", "\u00b7": "*",
        "\u00d7": "x", "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i",
    }
)  # fmt: skip


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _gsm7_char(char: str) -> str:
    if char in GSM7_BASIC or char in GSM7_EXTENSION:
        return char
    # Compatibility decomposition: accents come apart from their letters ("ê" -> "e" + U+0302, kept "e"),
    # ligatures and full-width forms become plain letters ("ﬁ" -> "fi"); what is left outside GSM-7 goes.
    return "".join(part for part in unicodedata.normalize("NFKD", char) if part in GSM7_BASIC)


def gsm7_text(text: str) -> str:
    """`text` with every character outside GSM-7 transliterated, or dropped when it has no plain form."""
    if text.isascii() and is_gsm7(text):
        return text
    return "".join(_gsm7_char(char) for char in text.translate(_PLAIN))


def sms_segments(text: str) -> int:
    """How many SMS parts `text` is sent in: GSM-7 when every character is in it, else UCS-2."""
    if is_gsm7(text):
        septets = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        if septets <= SINGLE_SEGMENT_SEPTETS:
            return 1
        return math.ceil(septets / CONCATENATED_SEGMENT_SEPTETS)
    units = len(text.encode("utf-16-le")) // 2
    if units <= UCS2_SINGLE_SEGMENT:
        return 1
    return math.ceil(units / UCS2_CONCATENATED_SEGMENT)
