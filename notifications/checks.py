"""Checks of the notifications settings, reported by `manage.py check` (and so by `migrate` and runserver)."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, register


@register()
def callback_networks_check(app_configs, **kwargs):
    """A typo in the allow-list would silently refuse every delivery report from that network."""
    errors = []
    for network in settings.AFRICASTALKING_CALLBACK_ALLOWED_NETWORKS:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"AFRICASTALKING_CALLBACK_ALLOWED_NETWORKS holds {network!r}, which is not an address or "
                    "network.",
                    hint="Use addresses or CIDR networks, comma-separated, e.g. 196.201.214.0/24.",
                    id="notifications.E001",
                )
            )
    return errors
