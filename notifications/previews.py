"""Sample data for every order message: what `manage.py notification_preview` renders, and what the message
tests render (with `long=True`, every free-text value at its longest, with characters outside GSM-7)."""

from decimal import Decimal

from orders import limits

# Values a merchant, a platform or a customer may send, at the length the columns allow.
_LONG_NAME = ("Duka la Mama Ñjeri & Wana — Bidhaa za Nyumbani “Bora” 🛒 " * 5)[
    : limits.CUSTOMER_NAME_MAX_LENGTH
]
_LONG_TEXT = ("Ghala kuu la Nairobi, Barabara ya Mombasa — lango Nº 4 ✓ " * 6)[: limits.LOCATION_MAX_LENGTH]


def sample_context(*, language: str = "en", long: bool = False, **overrides) -> dict:
    """A notification context as the receivers write it, for one order (overrides win)."""
    context = {
        "language": language,
        "order_number": "OT-00000012",
        "tracking_code": "K7QX2M9PLH4T",
        "tracking_url": "https://track.ordertrail.example/track/K7QX2M9PLH4T/",
        "admin_url": "https://track.ordertrail.example/admin/orders/order/5b0e6f1c-8a33-4c51-9d0e-2f6a1c7b9e10/change/",
        "customer_name": "Amina Njeri",
        "phone_number": "+254712345678",
        "email": "amina@example.com",
        "shipping_address": "Moi Avenue 12, 3rd floor\nNairobi",
        "merchant": "Duka la Mama Njeri",
        "total_amount": "12400.00",
        "currency": "KES",
        "status": "pending",
        "payment_status": "unpaid",
        "estimated_delivery": "2026-03-12",
        "previous_estimate": "2026-03-10",
        "reference": "QJ12ABC3DE",
        "location": "Nakuru depot",
        "note": "",
        "source": "api",
        "placed_at": "2026-03-09T06:45:00+00:00",
        "items": [
            {"name": "Kikoy beach towel", "sku": "KIK-01", "quantity": 2, "unit_price": "1500.00", "line_total": "3000.00"},
            {"name": "Kiondo basket, large", "sku": "", "quantity": 1, "unit_price": "9400.00", "line_total": "9400.00"},
        ],
    }  # fmt: skip
    if long:
        biggest = limits.MAX_ORDER_TOTAL
        context.update(
            tracking_url="https://tracking.ordertrail-shop.co.ke/track/K7QX2M9PLH4T/",
            customer_name=_LONG_NAME,
            merchant=_LONG_NAME,
            location=_LONG_TEXT,
            note=_LONG_TEXT,
            reference="MPESA-" + "9" * 94,
            total_amount=str(biggest),
            estimated_delivery="2026-09-30",
            previous_estimate="2026-09-23",
            items=[
                {
                    "name": _LONG_NAME,
                    "sku": "S" * limits.SKU_MAX_LENGTH,
                    "quantity": limits.MAX_LINE_QUANTITY,
                    "unit_price": "9999999.99",
                    "line_total": str(Decimal("9999999.99") * limits.MAX_LINE_QUANTITY),
                }
            ],
        )
    context.update(overrides)
    return context
