"""The order status policy, whole: which moves exist, the main path and the steps a report may imply, which
statuses are final, bad ends or still cancellable by the customer, the progress a tracking page shows, and
every status's label. Other apps only read it; `orders.services` is the one place a status changes.
"""

from collections import deque

from django.db import models


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    PROCESSING = "processing", "Processing"
    SHIPPED = "shipped", "Shipped"
    IN_TRANSIT = "in_transit", "In transit"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    DELIVERY_FAILED = "delivery_failed", "Delivery failed"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    RETURNED = "returned", "Returned"


S = OrderStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PENDING: (S.CONFIRMED, S.CANCELLED),
    S.CONFIRMED: (S.PROCESSING, S.CANCELLED),
    S.PROCESSING: (S.SHIPPED, S.CANCELLED),
    S.SHIPPED: (S.IN_TRANSIT,),
    S.IN_TRANSIT: (S.OUT_FOR_DELIVERY,),
    S.OUT_FOR_DELIVERY: (S.DELIVERED, S.DELIVERY_FAILED),
    S.DELIVERY_FAILED: (S.OUT_FOR_DELIVERY, S.RETURNED),
    S.DELIVERED: (),
    S.CANCELLED: (),
    S.RETURNED: (),
}
# The path an order takes when nothing goes wrong. Platforms often report only some of these steps
# (pending, then shipped); the steps they skip are filled in along this path and nowhere else.
MAIN_PATH: tuple[str, ...] = (
    S.PENDING,
    S.CONFIRMED,
    S.PROCESSING,
    S.SHIPPED,
    S.IN_TRANSIT,
    S.OUT_FOR_DELIVERY,
    S.DELIVERED,
)
FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
# Final statuses of an order that left the main path for good: it earned nothing (no revenue) and its
# tracking page shows no progress.
BAD_END_STATUSES = frozenset({S.CANCELLED, S.RETURNED})
# Statuses in which the customer may still cancel their own order.
CUSTOMER_CANCELLABLE = frozenset({S.PENDING, S.CONFIRMED})

# A step of the main path a report may imply; the main path's end is only ever reported, never implied.
_IMPLIABLE = frozenset(MAIN_PATH) - {S.DELIVERED}
# Where each status sits on the tracking page's progress bar: a failed delivery is still at the
# out-for-delivery step (it goes out again or comes back); bad ends have no place.
_PROGRESS_POSITION = {
    **{status: i for i, status in enumerate(MAIN_PATH)},
    S.DELIVERY_FAILED: MAIN_PATH.index(S.OUT_FOR_DELIVERY),
}


def status_label(status: str) -> str:
    """The human label of a status ("Out for delivery")."""
    return OrderStatus(status).label


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, ())


def transition_refusal(current: str, target: str) -> str:
    """Why the lifecycle refuses to move an order from `current` to `target`, in words for the client."""
    if current in FINAL_STATUSES:
        return f"The order is {current}, which is final."
    return f"An order cannot move from {current} to {target}."


def forward_path(*, current: str, target: str) -> list[str] | None:
    """The statuses to walk from `current` to `target` (target included), or None when it cannot be reached.

    The shortest path in the lifecycle map whose intermediate steps all lie on the main path: a reported
    `shipped` for a `pending` order walks confirmed, processing, shipped; a reported `returned` for an
    `in_transit` order is refused rather than inventing a failed delivery.
    """
    if current == target:
        return []
    previous: dict[str, str] = {}
    queue = deque([current])
    while queue:
        node = queue.popleft()
        for step in TRANSITIONS.get(node, ()):
            if step in previous or step == current:
                continue
            previous[step] = node
            if step == target:
                path = [step]
                while previous[path[-1]] != current:
                    path.append(previous[path[-1]])
                return path[::-1]
            if step in _IMPLIABLE:
                queue.append(step)
    return None


def progress_steps(status: str) -> list[dict]:
    """The tracking page's progress bar for an order in `status`: each main-path step with its label and
    whether it is done; none for an order that left the main path for good."""
    position = _PROGRESS_POSITION.get(status)
    if position is None:
        return []
    return [{"label": status_label(step), "done": i <= position} for i, step in enumerate(MAIN_PATH)]
