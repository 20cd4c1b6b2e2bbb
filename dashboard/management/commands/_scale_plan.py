"""The plan of `seed_scale`: how big each scale is, how orders spread over merchants and time, which status
path each order walks, and so how many notifications and deliveries each order leaves behind.

Every order's shape (merchant, source, status path and its times) comes from its own random stream, so a
first pass can count the notifications and deliveries of each order and the second writes exactly the
requested totals, for the newest orders (an outbox and a delivery log are pruned from the oldest end).
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass

HOUR = 3600.0
SPAN_DAYS = 730  # two years of history, busier towards today

# Status paths an order walks (each step one timeline event), and how often each is taken.
_HAPPY = ("pending", "confirmed", "processing", "shipped", "in_transit", "out_for_delivery", "delivered")
PATHS = (
    _HAPPY,
    _HAPPY[:6] + ("delivery_failed", "out_for_delivery", "delivered"),
    _HAPPY[:6] + ("delivery_failed", "returned"),
    ("pending", "cancelled"),
    ("pending", "confirmed", "cancelled"),
    ("pending", "confirmed", "processing", "cancelled"),
)
PATH_CUMULATIVE = (0.64, 0.68, 0.71, 0.86, 0.96, 1.0)
# Hours from the previous step to this one (low, high).
STEP_HOURS = {
    "confirmed": (0.1, 6),
    "processing": (1, 12),
    "shipped": (2, 24),
    "in_transit": (2, 24),
    "out_for_delivery": (6, 48),
    "delivered": (1, 8),
    "delivery_failed": (1, 8),
    "returned": (24, 96),
    "cancelled": (0.1, 24),
}


@dataclass(frozen=True)
class Sizes:
    categories: int
    merchants: int
    products: int
    customers: int
    orders: int
    big_merchant_orders: int  # the one merchant the benchmarks page through
    notifications: int
    deliveries: int

    def divided(self, by: int) -> Sizes:
        return Sizes(
            categories=max(30, self.categories // by),
            merchants=max(5, self.merchants // by),
            products=max(100, self.products // by),
            customers=max(50, self.customers // by),
            orders=max(300, self.orders // by),
            big_merchant_orders=max(90, self.big_merchant_orders // by),
            notifications=max(200, self.notifications // by),
            deliveries=max(50, self.deliveries // by),
        )


LARGE = Sizes(
    categories=10_000,
    merchants=500,
    products=100_000,
    customers=200_000,
    orders=1_000_000,
    big_merchant_orders=300_000,
    notifications=2_000_000,
    deliveries=500_000,
)
SCALES = {"large": LARGE, "medium": LARGE.divided(10), "tiny": LARGE.divided(1000)}


def merchant_weights(sizes: Sizes) -> list[float]:
    """Each merchant's share of the orders: the first takes `big_merchant_orders`, the rest a Zipf tail, so
    a few merchants own most orders and most merchants see few."""
    big = sizes.big_merchant_orders / sizes.orders
    tail = [1 / (rank**1.1) for rank in range(1, sizes.merchants)]
    scale = (1 - big) / sum(tail) if tail else 0
    return [big] + [w * scale for w in tail]


def webhook_share(index: int) -> float:
    """Share of a merchant's orders that its shop platform reports by webhook (every third merchant sells
    mostly through a platform; the big merchant mostly through our API)."""
    return 0.8 if index % 3 == 2 else 0.2


@dataclass
class Shape:
    created: float
    merchant: int
    webhook: bool
    has_email: bool
    events: list[tuple[str, float]]


class Shapes:
    """Each order's merchant, source and status walk, in creation order; replayable from the seed."""

    def __init__(self, *, seed: int, sizes: Sizes, now: float):
        self.seed, self.sizes, self.now = seed, sizes, now
        weights = merchant_weights(sizes)
        self.cumulative, total = [], 0.0
        for weight in weights:
            total += weight
            self.cumulative.append(total)
        self.webhook = [webhook_share(i) for i in range(sizes.merchants)]

    def __iter__(self):
        rng = random.Random(self.seed)
        n, now, span = self.sizes.orders, self.now, SPAN_DAYS * 24 * HOUR
        start = now - span
        cumulative, top = self.cumulative, self.cumulative[-1]
        last_merchant = len(cumulative) - 1
        for i in range(n):
            r = rng.random
            # Density growing linearly with time: the i-th order sits at sqrt(i/n) of the span.
            created = start + span * math.sqrt((i + r()) / n) - HOUR  # the newest an hour old at least
            merchant = min(bisect(cumulative, r() * top), last_merchant)
            webhook = r() < self.webhook[merchant]
            path = PATHS[bisect(PATH_CUMULATIVE, r())]
            # A platform often reports an order it had already confirmed.
            first = 1 if webhook and len(path) > 2 and r() < 0.5 else 0
            events = [(path[first], created)]
            moment = created
            for status in path[first + 1 :]:
                low, high = STEP_HOURS[status]
                moment += (low + (high - low) * r()) * HOUR
                if moment > now:
                    break
                events.append((status, moment))
            yield Shape(created, merchant, webhook, (not webhook) or r() < 0.5, events)


def notification_count(shape: Shape) -> int:
    """Outbox rows an order wrote: its SMS and the admin email when placed, then an SMS (and an email when
    the order has an address) per status change."""
    return 2 + (len(shape.events) - 1) * (2 if shape.has_email else 1)


def delivery_count(shape: Shape, index: int) -> int:
    """Webhook deliveries behind an order: order.created, one per status update, and for every 20th order
    one refused attempt (bad signature) before the good one."""
    if not shape.webhook:
        return 0
    return len(shape.events) + (1 if index % 20 == 0 else 0)


def newest_covering(counts, total: int) -> int:
    """The index of the oldest order such that the orders from it to the newest hold at least `total`
    rows (or 0)."""
    running = 0
    for index in range(len(counts) - 1, -1, -1):
        running += counts[index]
        if running >= total:
            return index
    return 0
