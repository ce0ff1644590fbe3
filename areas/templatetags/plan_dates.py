"""Show a parsed plan date as precisely as the plan wrote it: "HT 2023", "Q4 2022", "maj 2023"."""

from datetime import date

from django import template
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from areas.plandates import Precision

register = template.Library()


@register.filter
def plan_date(value: date | None, precision: str) -> str:
    if value is None:
        return ""
    match precision:
        case Precision.YEAR:
            return str(value.year)
        case Precision.QUARTER:
            return _("Q%(quarter)s %(year)s") % {
                "quarter": (value.month - 1) // 3 + 1,
                "year": value.year,
            }
        case Precision.TERM:
            if value.month <= 6:
                return pgettext("spring term", "VT %(year)s") % {"year": value.year}
            return pgettext("autumn term", "HT %(year)s") % {"year": value.year}
        case Precision.MONTH:
            return formats.date_format(value, "YEAR_MONTH_FORMAT")
        case _:
            return formats.date_format(value, "DATE_FORMAT")
