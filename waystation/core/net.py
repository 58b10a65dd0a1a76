"""Who is asking: the client's address, as far as this server can tell.

Behind an HTTPS reverse proxy every request arrives from the proxy's address; the client's is in
`X-Forwarded-For`, to which each proxy appends the address it received the request from. Only the
last TRUSTED_PROXY_COUNT entries were written by proxies we run; anything before them came from
the client and may be invented, so the client address is the entry the outermost trusted proxy
wrote. With TRUSTED_PROXY_COUNT = 0 (the default: no proxy) the header is ignored entirely, since
then the client wrote all of it.

The address of the request being served is also kept in a context variable, set and reset around
every request by `ClientAddressMiddleware`, so that code far below the view (the audit log) reads
it without a `request` passed down through every service. Outside a request, and in background
jobs (the job runner sets it to None around each job, even one run at the end of a request), it
is None: that work is not the client's.
"""

import contextlib
import ipaddress
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_current: ContextVar[str | None] = ContextVar("client_address", default=None)


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


def current_client_ip() -> str | None:
    """The client address of the request being served; None outside a request and in jobs."""
    return _current.get()


@contextlib.contextmanager
def client_ip_as(address: str | None) -> Iterator[None]:
    """Run the block as if serving a request from `address` (None: no client at all)."""
    token = _current.set(address)
    try:
        yield
    finally:
        _current.reset(token)


class ClientAddressMiddleware:
    """Sets the current client address for the request, and resets it after the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with client_ip_as(client_ip(request)):
            return self.get_response(request)
