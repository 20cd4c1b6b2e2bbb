"""The client's address, as every part of the app must read it: `TRUSTED_PROXY_COUNT` decides how much of
`X-Forwarded-For` to believe (0, the default: none of it, the socket's address is the client)."""

from rest_framework.throttling import BaseThrottle


def client_address(request) -> str:
    """The address of whoever sent `request` (a Django or DRF request).

    DRF's throttles already read it this way (`NUM_PROXIES` is set to `TRUSTED_PROXY_COUNT`); this delegates
    to the same code so throttles, the admin-login lockout and anything else can never disagree. With N
    trusted proxies, the N-th address from the right of `X-Forwarded-For` is the client: everything left
    of it was written by the client itself and proves nothing.
    """
    return BaseThrottle().get_ident(getattr(request, "_request", request))
