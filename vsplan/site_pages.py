"""Pages of the site itself, open to everyone: the accessibility statement and the favicon."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .models import AccessibilityStatement


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: the one written in the admin, or the default."""
    statement = AccessibilityStatement.objects.first()
    text, text_language = ("", "")
    if statement is not None:
        text, text_language = statement.text_for(get_language() or "sv")
    return render(
        request,
        "accessibility.html",
        {
            "statement": statement if text.strip() else None,
            "text": text,
            "text_language": text_language,
        },
    )


@require_GET
@cache_control(max_age=86_400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for by themselves: the icon among the static files."""
    return HttpResponseRedirect(static("img/favicon.ico"))
