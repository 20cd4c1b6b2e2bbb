"""The payment status policy, whole: the statuses, which moves exist, the one step a platform's report may
imply, and which orders await a refund. `orders.services.order_payment_report` is the one place a payment
status changes.
"""

from django.db import models


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PAID = "paid", "Paid"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"


# A paid (or partially refunded) order that ended badly still holds the customer's money: it stays so until
# refunded, and the dashboard counts it as awaiting a refund.
REFUND_AWAITED = frozenset({PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED})

P = PaymentStatus
PAYMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    # paid -> unpaid: the payment was reversed (a bounced transfer, a chargeback) or marked by mistake.
    P.UNPAID: (P.PAID,),
    P.PAID: (P.PARTIALLY_REFUNDED, P.REFUNDED, P.UNPAID),
    P.PARTIALLY_REFUNDED: (P.REFUNDED,),
    P.REFUNDED: (),
}


def payment_path(*, current: str, target: str, allow_implied: bool) -> list[str] | None:
    """The payment statuses to walk from `current` to `target` (target included), or None when refused.

    Reporting the status the order has walks nothing. With `allow_implied` (a platform's report) a refund
    reported for an unpaid order implies `paid`: its payment report was lost or is still on its way, and is
    filed as late when it comes.
    """
    if current == target:
        return []
    if target in PAYMENT_TRANSITIONS[current]:
        return [target]
    if allow_implied and current == P.UNPAID and target in (P.PARTIALLY_REFUNDED, P.REFUNDED):
        return [P.PAID, target]
    return None


def payment_refusal(current: str, target: str) -> str:
    """Why an order's payment cannot move from `current` to `target`, in words for the client."""
    if target in (P.PARTIALLY_REFUNDED, P.REFUNDED) and current == P.UNPAID:
        return "The order is unpaid: only a paid order can be refunded."
    if current == P.REFUNDED:
        return "The order is refunded, which is final."
    return f"An order's payment cannot move from {current} to {target}."
