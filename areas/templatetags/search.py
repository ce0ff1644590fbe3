"""``{{ text|marked:words }}``: the text with a search's hits in ``<mark>`` (see areas.search)."""

from django import template

from areas.search import mark

register = template.Library()


@register.filter
def marked(text, words):
    return mark(text, words or [])
