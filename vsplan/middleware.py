"""Middleware of the project: the interface language, and private downloads."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Activate the language the user picked with the language switch, else the default.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language:
    the product's default is Swedish for everyone, and English is one click away
    (the choice is kept in the language cookie).
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivateDownloadsMiddleware:
    """Mark a signed-in user's downloads ``Cache-Control: private, no-store``.

    A PDF report, an Excel workbook or a CSV/JSON export fetched with a login may
    hold what only that user may read; no shared cache (a proxy) and no disk
    cache should keep a copy. A download is a response that is an attachment or
    not a web page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_download(response):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                response["Cache-Control"] = "private, no-store"
        return response


def _is_download(response: HttpResponse) -> bool:
    if response.has_header("Content-Disposition"):
        return True
    content_type = response.get("Content-Type", "")
    return bool(content_type) and not content_type.startswith("text/html")
