"""The tracking page's view of the public tracking JSON: what it says first (state, estimate, what comes
next), the labelled progress, the timeline newest first, local times with "2 h ago", and what a customer
can do after a cancellation or a failed delivery. Built from the same JSON the API and the live stream
send, so the page never shows more than they do.
"""

from datetime import UTC, datetime

from django.utils import dateformat, timezone
from django.utils.dateparse import parse_date, parse_datetime

from orders.lifecycle import BAD_END_STATUSES, OrderStatus, progress_steps, status_label

S = OrderStatus
# What happens next, said the way a shop would say it to its customer.
NEXT_STEP = {
    S.PENDING: "the shop confirms your order.",
    S.CONFIRMED: "the shop prepares your order.",
    S.PROCESSING: "the shop hands your order to the courier.",
    S.SHIPPED: "your order travels to your area.",
    S.IN_TRANSIT: "a courier takes your order out for delivery.",
    S.OUT_FOR_DELIVERY: "the courier delivers your order.",
    S.DELIVERY_FAILED: "the courier tries again, or your order goes back to the shop.",
}
# After the main path ends, or leaves it: what it means and what the customer can do.
OUTCOME = {
    S.DELIVERED: "Your order was delivered. Something wrong with it? Contact {shop}.",
    S.DELIVERY_FAILED: (
        "The courier could not deliver your order. Contact {shop} to arrange a time or correct the address; "
        "if it cannot be delivered, it goes back to the shop."
    ),
    S.CANCELLED: (
        "Nothing will be delivered and nothing more will happen to this order. If you already paid, "
        "contact {shop} about your refund."
    ),
    S.RETURNED: "Your order went back to {shop}. Contact them about a refund or a new delivery.",
}


def tone(status: str) -> str:
    """One colour per kind of state, everywhere on the page: bad ends red, a failed delivery amber."""
    if status in BAD_END_STATUSES:
        return "bad"
    return "warn" if status == S.DELIVERY_FAILED else "ok"


def ago(moment: datetime, now: datetime) -> str:
    """ "2 h ago", "in 3 d": the same words the page's script keeps fresh."""
    seconds = (now - moment).total_seconds()
    amount = abs(seconds)
    if amount < 60:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if amount >= size:
            count = int(amount // size)
            return f"{count} {unit} ago" if seconds > 0 else f"in {count} {unit}"
    return "just now"  # unreachable: amount >= 60 matched a unit


def moment(value: datetime, now: datetime) -> dict:
    local = timezone.localtime(value)  # TIME_ZONE: local time for people (the API answers in UTC)
    return {
        "iso": value.isoformat(),
        "text": dateformat.format(local, "D j M Y, H:i T"),
        "ago": ago(value, now),
        "exact": True,  # a moment: the page's script keeps its "ago" fresh
    }


def estimate(value, now: datetime) -> dict | None:
    """An estimated delivery given as a date or a date-time (ISO text in the JSON), in local words."""
    if not value:
        return None
    text = str(value)
    day = parse_date(text)
    if day is None:
        when = parse_datetime(text)
        if when is None:
            return None
        return moment(when if timezone.is_aware(when) else when.replace(tzinfo=UTC), now)
    days = (day - timezone.localdate(now)).days
    relative = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days)
    if relative is None:
        relative = f"in {days} d" if days > 0 else f"{-days} d ago"
    return {
        "iso": day.isoformat(),
        "text": dateformat.format(day, "D j M Y"),
        "ago": relative,
        "exact": False,
    }


def steps(status: str) -> list[dict]:
    """The progress bar's steps: done, current (the `aria-current` one) or still to come."""
    bar = progress_steps(status)
    current = max((i for i, step in enumerate(bar) if step["done"]), default=-1)
    return [
        {"label": step["label"], "state": "current" if i == current else ("done" if step["done"] else "todo")}
        for i, step in enumerate(bar)
    ]


def page_context(data: dict, *, now: datetime | None = None) -> dict:
    """Everything the tracking page shows, from the public tracking JSON."""
    now = now or timezone.now()
    status = data["status"]
    shop = data["merchant"]
    events = [
        {
            "status": event["status"],
            "label": status_label(event["status"]),
            "tone": tone(event["status"]),
            "location": event["location"],
            "note": event["note"],
            "when": moment(parse_datetime(event["occurred_at"]), now),
        }
        for event in reversed(data["events"])
    ]
    outcome = OUTCOME.get(status, "").format(shop=shop)
    if status == S.CANCELLED:  # who cancelled it, as the timeline says ("Cancelled by the shop.")
        said = next((e["note"] for e in events if e["status"] == S.CANCELLED and e["note"]), "")
        outcome = f"{said} {outcome}".strip()
    contact = data.get("merchant_contact") or {}
    return {
        "order_number": data["order_number"],
        "merchant": shop,
        "status": status,
        "status_label": status_label(status),
        "tone": tone(status),
        "steps": steps(status),
        "next_step": NEXT_STEP.get(status, ""),
        "outcome": outcome,
        "estimated_delivery": estimate(data.get("estimated_delivery"), now)
        if status not in (S.DELIVERED, *BAD_END_STATUSES)
        else None,
        "contact": {key: contact[key] for key in ("email", "phone") if contact.get(key)},
        "events": events,
        "last_update": events[0]["when"] if events else None,
    }


def snapshot_context(snapshot) -> dict:
    """`page_context` for a tracking snapshot, with the version the page's script compares events with.

    Local times in TIME_ZONE whatever the current time zone: the page and its stream's `page` events render
    the same content from this, and the stream is made under /api/, where the current time zone is UTC
    (core.middleware.ApiUtcMiddleware)."""
    with timezone.override(timezone.get_default_timezone()):
        return {**page_context(snapshot.data), "version": snapshot.version}
