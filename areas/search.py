"""Free-text search that ignores case, å, ä and ö included, the same on SQLite and PostgreSQL.

A word matches a text when the text, lower-cased, contains the word, lower-cased: "LIKVÄRDIG"
finds what "likvärdig" finds, and "a" never finds "å" (nothing is folded to its base letter,
since å, ä and ö are letters of their own in Swedish).

The databases do not lower-case alike: SQLite's LOWER() and LIKE fold only A-Z, and
PostgreSQL's LOWER() follows the database's collation, which folds nothing beyond A-Z under
"C". So the lower-casing is done the same way on both: on SQLite by Python's ``str.lower``,
registered as the SQL function ``vsplan_lower`` on every connection (``register_functions``);
on PostgreSQL by ``LOWER`` under the ICU root collation (``und-x-icu``, which every
PostgreSQL built with ICU has), which lower-cases as Unicode does, whatever the database's own
collation. The words are lower-cased by ``fold`` in Python.

On PostgreSQL a word also matches what its full-text search with the Swedish configuration
matches (``to_tsvector('swedish', …) @@ plainto_tsquery('swedish', word)``): Swedish
stemming, so "studenterna" finds "studenter" and "utvecklingen" finds "utveckling". SQLite has
no Swedish stemmer; there the contained word is the whole rule.

Marking a hit (``mark``) uses the containment rule: a case-insensitive match of the word as
written (a hit found by stemming alone is listed, unmarked).
"""

import re

from django.db.models import CharField, F, Func, Lookup, Q, TextField
from django.db.models.lookups import Contains
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

SQLITE_LOWER = "vsplan_lower"

# The plan's own text that a search reads, in the order a hit is listed.
PLAN_TEXT_FIELDS = [
    "title",
    "why",
    "desired_effect",
    "participating_text",
    "dependencies_text",
    "planned_text",
    "footnote",
]


def fold(text: str) -> str:
    """Text as the search compares it: lower-cased, every letter kept (å stays å)."""
    return text.lower()


def search_words(q: str) -> list[str]:
    """The words of a search; every one must match somewhere."""
    return q.split()


class Folded(Func):
    """An expression's text lower-cased alike on SQLite and PostgreSQL (see the module)."""

    function = "LOWER"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_LOWER, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template='%(function)s((%(expressions)s)::text COLLATE "und-x-icu")',
            **extra_context,
        )


@CharField.register_lookup
@TextField.register_lookup
class SwedishSearch(Lookup):
    """``field__swedish_search=word``: PostgreSQL's full-text match with the Swedish
    configuration; on other databases it matches nothing (the containment rule alone
    applies there)."""

    lookup_name = "swedish_search"

    def as_sql(self, compiler, connection):
        return "1 = 0", []

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = (
            f"to_tsvector('swedish'::regconfig, COALESCE(({lhs})::text, '')) "
            f"@@ plainto_tsquery('swedish'::regconfig, {rhs})"
        )
        return sql, [*lhs_params, *rhs_params]


def contains_word(field: str, word: str) -> Q:
    """Does ``field`` (a path such as ``"progress"`` or ``"report__risks__owner"``) contain
    ``word``, case aside (or, on PostgreSQL, match it by Swedish stemming)?"""
    return Q(Contains(Folded(F(field)), fold(word))) | Q(**{f"{field}__swedish_search": word})


def any_contains_word(fields: list[str], word: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= contains_word(field, word)
    return condition


def plan_text_matches(word: str) -> Q:
    """Areas whose plan text contains ``word``, or whose key it is."""
    return any_contains_word(PLAN_TEXT_FIELDS, word) | Q(key__iexact=word)


def register_functions(sender, connection, **kwargs) -> None:
    """Give every new SQLite connection ``vsplan_lower`` (``connection_created``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_LOWER, 1, _lower_or_none, deterministic=True)


def _lower_or_none(value):
    return value.lower() if isinstance(value, str) else value


def mark(text: str, words: list[str]) -> SafeString:
    """``text`` escaped, with every case-insensitive occurrence of a word in ``<mark>``."""
    text = str(text or "")
    words = [w for w in words if w]
    if not words:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces.append((text[last : match.start()], match.group()))
        last = match.end()
    return format_html_join("", "{}<mark>{}</mark>", pieces) + escape(text[last:])


def excerpt(text: str, words: list[str], *, around: int = 60) -> str:
    """The part of ``text`` around its first hit (the whole text when short), with "…"
    where it is cut."""
    text = " ".join(str(text or "").split())
    folded = fold(text)
    hits = [folded.find(fold(w)) for w in words if w and fold(w) in folded]
    if not hits or len(text) <= 2 * around:
        return text
    first = min(hits)
    start = max(0, first - around)
    end = min(len(text), first + around)
    # Cut at word boundaries where there is one near.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")
