"""Typing for requests that django-htmx has looked at, download headers, and form targets."""

from functools import wraps
from urllib.parse import quote

from django.http import HttpRequest, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` value for a download named ``filename`` (RFC 6266).

    ``filename`` is a plain-ASCII fallback (anything else becomes ``_``, quotes and
    backslashes too); ``filename*`` the name itself, UTF-8 and percent-encoded (RFC 8187,
    formerly 5987), which every current browser prefers. So a name in Cyrillic or
    with å, ä, ö arrives as it was, and no name can break out of the header.
    """
    name = "".join(ch for ch in filename if ch.isprintable() and ch not in "\r\n") or "download"
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def form_target(page: str, *, keep: tuple[str, ...] | None = None):
    """For a view that only a form posts to: a GET of its address (a reload, a language
    switch or a bookmark after the page was shown there with an error) is sent on to
    ``page``, the URL name of the page the form is on (with the view's URL arguments, or
    those named in ``keep``), instead of an empty "405 Method Not Allowed". Any other
    method is refused as before."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in ("GET", "HEAD"):
                if keep is not None:
                    kwargs = {name: kwargs[name] for name in keep}
                return redirect(reverse(page, args=args, kwargs=kwargs))
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
