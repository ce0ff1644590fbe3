"""Typing for requests that django-htmx has looked at, and download headers."""

from urllib.parse import quote

from django.http import HttpRequest
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
