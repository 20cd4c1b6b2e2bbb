# The timeline rows live in orders.models.TrackingEvent (written only by orders.services);
# this app renders them publicly.
