"""What tracking listens to: any write that can change an order's public tracking JSON (a status change, a
timeline row, the order itself) tells the live streams once the transaction commits."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from orders.models import Order, TrackingEvent
from orders.signals import order_status_changed

from .live import tracking_changed


def _after_commit(code: str) -> None:
    # Streams read the committed state; a rolled-back change must never be announced.
    transaction.on_commit(lambda: tracking_changed(code=code))


@receiver(order_status_changed, dispatch_uid="tracking.status_changed")
def status_changed(sender, order, **kwargs):
    _after_commit(order.tracking_code)


@receiver(post_save, sender=TrackingEvent, dispatch_uid="tracking.event_saved")
def event_saved(sender, instance, **kwargs):
    _after_commit(instance.order.tracking_code)


@receiver(post_save, sender=Order, dispatch_uid="tracking.order_saved")
def order_saved(sender, instance, created, **kwargs):
    if not created:  # a new order has no watchers yet; its first event announces it anyway
        _after_commit(instance.tracking_code)
