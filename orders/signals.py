"""Events the orders app emits; notifications listens.

Both are sent INSIDE the transaction that made the change, on purpose: receivers write their outbox rows
(notifications.Notification) atomically with the order, and enqueue the actual sending with
`transaction.on_commit`. A receiver must therefore do only database writes and never talk to the outside
world itself; if it raises, the order change rolls back with it.
"""

from django.dispatch import Signal

# sender=Order; kwargs: order (just created: API placement or merchant webhook)
order_placed = Signal()
# sender=Order; kwargs: order, event (the TrackingEvent of the reported status), previous_status, implied_events
# (the TrackingEvents of the steps the report implied, oldest first; usually none). Sent once per reported change,
# however many steps it implied: the customer hears once, of the status reported.
order_status_changed = Signal()
# sender=Order; kwargs: order, event (the OrderEvent of the reported payment status), previous_payment_status.
# Sent once per payment change (none for a repeat or a late report).
order_payment_changed = Signal()
# sender=Order; kwargs: order, event (the estimate's OrderEvent), previous_estimate (a date or None). Sent when
# a report changes only the delivery estimate; with a status change the estimate rides on order_status_changed.
order_estimate_changed = Signal()
