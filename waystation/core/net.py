"""Who is asking: the client's address, as far as this server can tell.

Behind an HTTPS reverse proxy every request arrives from the proxy's address; the client's is in
`X-Forwarded-For`, to which each proxy appends the address it received the request from. Only the
last TRUSTED_PROXY_COUNT entries were written by proxies we run; anything before them came from
the client and may be invented, so the client address is the entry the outermost trusted proxy
wrote. With TRUSTED_PROXY_COUNT = 0 (the default: no proxy) the header is ignored entirely, since
then the client wrote all of it.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's IP address (normalised), or None when there is no request."""
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return peer
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if not hops:
        return peer
    # Fewer entries than trusted proxies: all of them were written by our proxies (the request
    # reached an inner one directly), so the first is the farthest address they saw.
    hop = hops[-trusted] if len(hops) >= trusted else hops[0]
    return _address(hop) or peer
