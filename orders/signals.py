"""Events the orders app emits (sent after the transaction commits); notifications listens."""

from django.dispatch import Signal

# sender=Order; kwargs: order
order_placed = Signal()
# sender=Order; kwargs: order, event (TrackingEvent), previous_status
order_status_changed = Signal()
