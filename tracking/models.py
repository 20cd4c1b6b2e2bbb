# The timeline rows live in orders.models.TrackingEvent (written only by orders.services.order_set_status);
# this app renders them publicly.
