"""Security helpers shared by the settings: who the client is, and the login lockout.

Behind a reverse proxy every connection comes from the proxy. The proxy names the
client in ``X-Forwarded-For``; the app believes that header (and the other
``X-Forwarded-*`` headers) only on connections from an address listed in
``VSPLAN_TRUSTED_PROXIES``, so a client can never choose its own address or scheme.
"""

import functools
import ipaddress
import math

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

# Django's username field is at most 150 characters; anything longer is no one's.
USERNAME_LIMIT = 150

# The headers a proxy sets about the client's connection (request.META names).
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The username django-axes records for a login attempt, made safe to store.

    Attempts carry whatever was posted: an overlong name or one with NUL bytes
    would otherwise make PostgreSQL refuse the row and the login page fail.
    """
    if credentials and "username" in credentials:
        raw = credentials.get("username")
    else:
        raw = request.POST.get("username", "") if request is not None else ""
    return str(raw or "").replace("\x00", "")[:USERNAME_LIMIT]


@functools.cache
def _networks(configured: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket (::ffff:192.0.2.1) is that IPv4 client.
    return getattr(address, "ipv4_mapped", None) or address


def is_trusted_proxy(text: str) -> bool:
    """Is this address one of VSPLAN_TRUSTED_PROXIES (addresses or networks)?"""
    address = _address(text)
    if address is None:
        return False
    return any(address in network for network in _networks(tuple(settings.VSPLAN_TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The client's IP address: the connection's, or, from a trusted proxy, the one it names.

    ``X-Forwarded-For`` lists the addresses a request came through, each proxy
    appending the one it saw; only the entries added by our own (trusted) proxies
    can be believed, so the client is the right-most entry that is not one of
    them. Anything to its left was written by the client and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(remote):
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # not an address: nothing further left can be trusted either
        if not is_trusted_proxy(str(address)):
            return str(address)
    return remote


class ForwardedHeadersMiddleware:
    """Drop the ``X-Forwarded-*`` headers of a request that did not come from a trusted proxy.

    First in the chain, so that nothing after it (the HTTPS redirect, secure
    cookies, the login lockout) can be told a scheme or an address by the client.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """The page a locked-out login gets (429): until when this account is locked from here.

    A lock is per account and address; it ends a cool-off period after the last
    failed attempt (attempts during the lock do not extend it), so the end shown
    is the end. ``Retry-After`` says the same in seconds.
    """
    from axes.helpers import get_client_username, get_cool_off
    from axes.models import AccessAttempt

    last_failure = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=client_address(request),
    ).aggregate(last=Max("attempt_time"))["last"]
    now = timezone.now()
    ends = (last_failure or now) + get_cool_off(request)
    response = render(request, "registration/locked_out.html", {"locked_until": ends}, status=429)
    response["Retry-After"] = str(max(1, math.ceil((ends - now).total_seconds())))
    return response
