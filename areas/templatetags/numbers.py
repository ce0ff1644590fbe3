"""Counts the Swedish way: ``{{ n|grouped }}`` gives "7 200" in Swedish, "7,200" in English.

The project keeps USE_THOUSAND_SEPARATOR off (a year, a version or an id in a form must
never read "2 025"); counts that can pass a thousand are grouped with this filter.
"""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def grouped(value) -> str:
    if value in (None, ""):
        return ""
    return number_format(value, force_grouping=True)
