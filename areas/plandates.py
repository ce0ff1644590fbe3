"""Read the planned start and end out of the plan's free-text dates.

The plan writes dates as people do: ``VT24``, ``HT 23``, ``Q4 2022-Q4 2023``,
``mars 2023 - mars 2024``, ``Startas 2023/2025``, ``Pågående``. This module turns
such a text into a start and an end, each with the precision it was written in,
and says plainly when (and why) it cannot. It never guesses: a text with no date
in it is undated, and a text whose end would fall before its start is undated too.

Conventions:

* VT (vårtermin) is the spring term, January to June; HT (hösttermin) the
  autumn term, August to December.
* A two-digit year is 20xx.
* A start is the first day of the period it names; an end is the last day, so an
  area planned to end "HT23" is late from 1 January 2024.
* "Våren"/"hösten" (spring, autumn) name the terms: "våren 2024" is VT 2024.
* A month range in one year ("jan-mars 2024") starts with its first month and ends
  with its last; a year before a quarter ("2025 Q1") is the same quarter as "Q1 2025".
* A single period with no other cue (``HT 23``, ``2023``) is both start and end.
* A date after "inför" (in preparation for) is context, not part of the period.
* A date after a start word (start, startas, påbörjas, uppstart, ...) is a start;
  if nothing else is dated, the end is open.
* A date after "from"/"fr.o.m." opens a period with no stated end.
* "Pågående" (ongoing) before the first date means the start is not given.

The function is pure: no database, no settings, no translation at import time.
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date


class Precision(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    TERM = "term"
    QUARTER = "quarter"
    YEAR = "year"


class Note(enum.StrEnum):
    """Why a reading is incomplete. ``NONE`` means both start and end were read."""

    NONE = ""
    EMPTY = "empty"  # the plan gives no planned period at all
    ONGOING = "ongoing"  # "Pågående": no dates
    SOON = "soon"  # "Snart", "snarast": no dates
    CONTINUOUS = "continuous"  # "Löpande": recurring work, no period
    PART_OF_OTHER = "part_of_other"  # "Ingår i ...": dated by another piece of work
    NO_DATE = "no_date"  # words, but no date in them
    END_BEFORE_START = "end_before_start"  # contradictory dates
    OPEN_END = "open_end"  # a start, but no end is stated
    OPEN_START = "open_start"  # an end, but the start is "ongoing" rather than a date


@dataclass(frozen=True)
class PlanDate:
    """One end of a planned period: the day it stands for and how precisely it was written."""

    value: date
    precision: Precision


@dataclass(frozen=True)
class PlannedPeriod:
    start: PlanDate | None
    end: PlanDate | None
    note: Note

    @property
    def is_undated(self) -> bool:
        return self.start is None and self.end is None


MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "february": 2, "feb": 2,
    "mars": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "augusti": 8, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR4 = r"(?:19|20|21)\d\d"

# The seasons that name a term: spring is VT, autumn HT. ("Vår" alone is also "our",
# so only the definite forms and the terms' own names count.)
SPRING = {"vt", "våren", "vårterminen", "spring"}
AUTUMN = {"ht", "hösten", "höstterminen", "autumn"}
_SEASONS = "|".join(sorted((SPRING | AUTUMN) - {"vt", "ht"}, key=len, reverse=True))

# Tried in this order at each position; the first that matches wins, so the more
# specific forms come first (a day before a month, a month before a bare year).
_TOKEN = re.compile(
    rf"""
    (?P<iso>\b(?P<iso_y>{_YEAR4})-(?P<iso_m>\d\d)-(?P<iso_d>\d\d)\b)
  | (?P<months>\b(?P<months_a>{_MONTH_NAMES})\.?\s*(?:[-–—]|\btill\b|\bto\b)\s*
       (?P<months_b>{_MONTH_NAMES})\.?\s+(?P<months_y>{_YEAR4})\b)
  | (?P<day>\b(?P<day_d>\d{{1,2}})\s+(?P<day_m>{_MONTH_NAMES})\.?\s+(?P<day_y>{_YEAR4})\b)
  | (?P<month>\b(?P<month_m>{_MONTH_NAMES})\.?\s+(?P<month_y>{_YEAR4})\b)
  | (?P<term>\b(?P<term_t>vt|ht|{_SEASONS})[\s-]*(?P<term_y>{_YEAR4}|\d\d)\b)
  | (?P<quarter>\bq(?P<quarter_q>[1-4])\s*(?P<quarter_y>{_YEAR4})\b)
  | (?P<year_quarter>\b(?P<year_quarter_y>{_YEAR4})[\s-]?q(?P<year_quarter_q>[1-4])\b
       (?!\s*(?:{_YEAR4})))
  | (?P<span>\b(?P<span_a>{_YEAR4}|\d\d)/(?P<span_b>{_YEAR4}|\d\d)\b)
  | (?P<year>\b(?P<year_y>{_YEAR4})\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)

_START_WORDS = re.compile(
    r"\b(start|startar|startas|startat|startade|uppstart|påbörjas|påbörjat|påbörjad|"
    r"påbörjades|inleds|begins?|starts?)\b",
    re.IGNORECASE,
)
_END_WORDS = re.compile(r"\b(slut|klart|klar|avslut|avslutas|ends?|until|till)\b", re.IGNORECASE)
_FROM_WORDS = re.compile(r"(\bfrom\b|\bfr\.\s?o\.\s?m\.|\bfrån och med\b|\bfrån\b)", re.IGNORECASE)
_CONTEXT_WORDS = re.compile(r"\b(inför)\b", re.IGNORECASE)
_ONGOING = re.compile(r"\b(pågående|pågår|ongoing)\b", re.IGNORECASE)
_SOON = re.compile(r"\b(snart|snarast|soon)\b", re.IGNORECASE)
_CONTINUOUS = re.compile(r"\b(löpande|continuous|continuously)\b", re.IGNORECASE)
_PART_OF = re.compile(r"\b(ingår i|part of)\b", re.IGNORECASE)

# How many words before a date a cue word may stand ("påbörjat arbete under 2023").
_CUE_WINDOW_WORDS = 3


@dataclass(frozen=True)
class _Token:
    start: date
    end: date
    precision: Precision
    position: int
    lead: str  # the few words before the token, where cue words are looked for


def _full_year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month(year: int, name: str) -> tuple[date, date, Precision]:
    month = MONTHS[name.lower()]
    return date(year, month, 1), _last_day(year, month), Precision.MONTH


def _quarter(year: int, quarter: int) -> tuple[date, date, Precision]:
    first_month = 3 * quarter - 2
    return date(year, first_month, 1), _last_day(year, first_month + 2), Precision.QUARTER


def _periods(match: re.Match[str]) -> list[tuple[int, date, date, Precision]]:
    """The periods a token names, each with where it stands in the text: one, or two for a
    month range ("jan-mars 2024": January, then March); none if it names no real date."""
    g = match.groupdict()
    at = match.start()
    try:
        if g["iso"]:
            day = date(int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"]))
            return [(at, day, day, Precision.DAY)]
        if g["months"]:
            year = int(g["months_y"])
            first, last = _month(year, g["months_a"]), _month(year, g["months_b"])
            # "nov-feb 2025" keeps both in 2025, so it ends before it starts: the
            # reader says so rather than guess which year November was in.
            return [(at, *first), (match.start("months_b"), *last)]
        if g["day"]:
            day = date(int(g["day_y"]), MONTHS[g["day_m"].lower()], int(g["day_d"]))
            return [(at, day, day, Precision.DAY)]
        if g["month"]:
            return [(at, *_month(int(g["month_y"]), g["month_m"]))]
        if g["term"]:
            year = _full_year(g["term_y"])
            if g["term_t"].lower() in SPRING:
                return [(at, date(year, 1, 1), date(year, 6, 30), Precision.TERM)]
            return [(at, date(year, 8, 1), date(year, 12, 31), Precision.TERM)]
        if g["quarter"]:
            return [(at, *_quarter(int(g["quarter_y"]), int(g["quarter_q"])))]
        if g["year_quarter"]:
            return [(at, *_quarter(int(g["year_quarter_y"]), int(g["year_quarter_q"])))]
        if g["span"]:
            first, last = _full_year(g["span_a"]), _full_year(g["span_b"])
            if last < first:
                return []
            return [(at, date(first, 1, 1), date(last, 12, 31), Precision.YEAR)]
        if g["year"]:
            year = int(g["year_y"])
            return [(at, date(year, 1, 1), date(year, 12, 31), Precision.YEAR)]
    except ValueError:  # 31 februari 2024, 2024-13-01: not a date
        return []
    return []


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        for position, start, end, precision in _periods(match):
            before = text[:position].split()
            lead = " ".join(before[-_CUE_WINDOW_WORDS:])
            tokens.append(_Token(start, end, precision, position, lead))
    return tokens


def _undated_note(text: str) -> Note:
    if not text:
        return Note.EMPTY
    if _PART_OF.search(text):
        return Note.PART_OF_OTHER
    if _ONGOING.search(text):
        return Note.ONGOING
    if _SOON.search(text):
        return Note.SOON
    if _CONTINUOUS.search(text):
        return Note.CONTINUOUS
    return Note.NO_DATE


def read_planned_period(text: str | None) -> PlannedPeriod:
    """Read a planned start/end text into a period; see the module docstring for the rules."""
    text = " ".join((text or "").split())
    tokens = [t for t in _tokens(text) if not _CONTEXT_WORDS.search(t.lead)]
    if not tokens:
        return PlannedPeriod(None, None, _undated_note(text))

    first = tokens[0]
    ongoing_before_first = bool(_ONGOING.search(text[: first.position]))
    start = None if ongoing_before_first else PlanDate(first.start, first.precision)

    def opens(token: _Token) -> bool:
        return bool(_FROM_WORDS.search(token.lead))

    def is_start(token: _Token) -> bool:
        return bool(_START_WORDS.search(token.lead)) and not _END_WORDS.search(token.lead)

    end = None
    if not any(opens(t) for t in tokens):
        candidates = [t for t in tokens if not is_start(t)]
        if candidates:
            last = max(candidates, key=lambda t: (t.end, t.position))
            end = PlanDate(last.end, last.precision)

    # Any date that ends before the start contradicts it ("HT24 - VT23"): say so
    # rather than pick one of the two readings.
    if start and any(t.end < start.value for t in tokens):
        return PlannedPeriod(None, None, Note.END_BEFORE_START)
    if start is None:
        return PlannedPeriod(None, end, Note.OPEN_START if end else Note.ONGOING)
    if end is None:
        return PlannedPeriod(start, None, Note.OPEN_END)
    return PlannedPeriod(start, end, Note.NONE)
