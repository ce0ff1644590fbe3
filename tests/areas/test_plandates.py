"""The plan-date reader, against every planned text in the KTH plan and against arbitrary input."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from areas.plandates import Note, PlanDate, Precision, read_planned_period

D, M, T, Q, Y = Precision.DAY, Precision.MONTH, Precision.TERM, Precision.QUARTER, Precision.YEAR

# Every planned start/end text of sections 3.1-3.7, with line breaks joined, and
# how it must be read: (start, start precision, end, end precision, note).
SEED_TEXTS = {
    "Första steg HT23 och fullt implementerat 2024": ("2023-08-01", T, "2024-12-31", Y, Note.NONE),
    "Första steg 2024 och fullt implementerat 2025": ("2024-01-01", Y, "2025-12-31", Y, Note.NONE),
    "Första steg VT24 och fullt implementerat HT24": ("2024-01-01", T, "2024-12-31", T, Note.NONE),
    "Pilot HT 23": ("2023-08-01", T, "2023-12-31", T, Note.NONE),
    "En arbetsgrupp krävs med mandat och uppdrag inför ett rektorsbeslut. Svårt att avgöra "
    "tidsspann då vi inte har något förslag i nuläget": (None, None, None, None, Note.NO_DATE),
    # "inför masteromgång ht-25" is the purpose, not the period; the evaluation in
    # April 2025 is the last dated step.
    "Maj 2023-november 2024 inför masteromgång ht-25. Utvärdering och uppföljning april 2025.": (
        "2023-05-01", M, "2025-04-30", M, Note.NONE),
    "Löpande, vid behov och vid tillfälle.": (None, None, None, None, Note.CONTINUOUS),
    "Uppdrag om utredning VT23. Sjösättning maj 2024.": ("2023-01-01", T, "2024-05-31", M, Note.NONE),
    "Utredning av personella resurser behövs. VT 23": ("2023-01-01", T, "2023-06-30", T, Note.NONE),
    # Activities "from HT 23" have no stated end.
    "Förbereds VT 23, startar med några aktiviteter from HT 23": (
        "2023-01-01", T, None, None, Note.OPEN_END),
    "Beroende på ambitionsnivå. Utredning av personella resurser behövs. HT 23": (
        "2023-08-01", T, "2023-12-31", T, Note.NONE),
    "Ingår i utredning av PhD-office.": (None, None, None, None, Note.PART_OF_OTHER),
    "VT23-HT23 Rutin på plats VT24": ("2023-01-01", T, "2024-06-30", T, Note.NONE),
    "Arbete pågår och ingår i utredning av PhD-office.": (None, None, None, None, Note.PART_OF_OTHER),
    "Pågående": (None, None, None, None, Note.ONGOING),
    "Snart": (None, None, None, None, Note.SOON),
    "Q4 2023": ("2023-10-01", Q, "2023-12-31", Q, Note.NONE),
    "23/24": ("2023-01-01", Y, "2024-12-31", Y, Note.NONE),
    "2023": ("2023-01-01", Y, "2023-12-31", Y, Note.NONE),
    "2023-2024": ("2023-01-01", Y, "2024-12-31", Y, Note.NONE),
    "2023 till 2025": ("2023-01-01", Y, "2025-12-31", Y, Note.NONE),
    "2023 till 2026": ("2023-01-01", Y, "2026-12-31", Y, Note.NONE),
    "2023 till 2024": ("2023-01-01", Y, "2024-12-31", Y, Note.NONE),
    "Arbetsgrupp har påbörjat arbete under 2023.": ("2023-01-01", Y, None, None, Note.OPEN_END),
    "Arbetsgrupp startar med detta 2023.": ("2023-01-01", Y, None, None, Note.OPEN_END),
    "Arbetsgrupp startat arbete 2023.": ("2023-01-01", Y, None, None, Note.OPEN_END),
    # "Startas 2023/2025": the start falls in 2023-2025; the first year is the
    # earliest start, and no end is stated.
    "Startas 2023/2025": ("2023-01-01", Y, None, None, Note.OPEN_END),
    "Lokalprojekt påbörjas 2023/2026": ("2023-01-01", Y, None, None, Note.OPEN_END),
    "Uppstart feb 2023, klart 2024.": ("2023-02-01", M, "2024-12-31", Y, Note.NONE),
    "Startat 2022/2023": ("2022-01-01", Y, None, None, Note.OPEN_END),
    "Önskad start HT 2023": ("2023-08-01", T, None, None, Note.OPEN_END),
    "HT 2023": ("2023-08-01", T, "2023-12-31", T, Note.NONE),
    "snarast": (None, None, None, None, Note.SOON),
    "VT 2023": ("2023-01-01", T, "2023-06-30", T, Note.NONE),
    "Arkivskuld önskad start HT 2023": ("2023-08-01", T, None, None, Note.OPEN_END),
    "HT23": ("2023-08-01", T, "2023-12-31", T, Note.NONE),
    "mars 2023 - mars 2024": ("2023-03-01", M, "2024-03-31", M, Note.NONE),
    "Q4 2022-Q4 2023 (avslut kan påverkas av CRM-system)": (
        "2022-10-01", Q, "2023-12-31", Q, Note.NONE),
    "2022 – 2023": ("2022-01-01", Y, "2023-12-31", Y, Note.NONE),
    "Påbörjas 2023, men inbegriper många olika delprojekt": (
        "2023-01-01", Y, None, None, Note.OPEN_END),
    "HT23-HT24": ("2023-08-01", T, "2024-12-31", T, Note.NONE),
    "Pågående-VT24": (None, None, "2024-06-30", T, Note.OPEN_START),
    "Start april 2023 – slut december 2023": ("2023-04-01", M, "2023-12-31", M, Note.NONE),
    # The parenthesis dates a related reorganisation; the work goes on through 2024.
    "Start maj 2023 – vidareutveckla 2024 (Ny organisation planeras att införas 1 januari 2024)": (
        "2023-05-01", M, "2024-12-31", Y, Note.NONE),
    "Start april 2023 – slut april 2024": ("2023-04-01", M, "2024-04-30", M, Note.NONE),
    "Start augusti 2023 – slut december 2025": ("2023-08-01", M, "2025-12-31", M, Note.NONE),
    "": (None, None, None, None, Note.EMPTY),
}  # fmt: skip

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "kth_plan.json"


def _as_tuple(text: str) -> tuple:
    period = read_planned_period(text)
    return (
        period.start.value.isoformat() if period.start else None,
        period.start.precision if period.start else None,
        period.end.value.isoformat() if period.end else None,
        period.end.precision if period.end else None,
        period.note,
    )


@pytest.mark.parametrize(("text", "expected"), SEED_TEXTS.items(), ids=repr)
def test_every_planned_text_of_the_seed_is_read_as_reviewed(text, expected):
    assert _as_tuple(text) == expected


def test_the_table_covers_every_planned_text_in_the_fixture():
    objects = json.loads(FIXTURE.read_text(encoding="utf-8"))
    texts = {o["fields"]["planned_text"] for o in objects if o["model"] == "areas.developmentarea"}
    assert texts == set(SEED_TEXTS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("VT24", ("2024-01-01", T, "2024-06-30", T, Note.NONE)),
        ("HT 23", ("2023-08-01", T, "2023-12-31", T, Note.NONE)),
        ("ht-25", ("2025-08-01", T, "2025-12-31", T, Note.NONE)),
        ("2024-05-31", ("2024-05-31", D, "2024-05-31", D, Note.NONE)),
        ("1 januari 2024", ("2024-01-01", D, "2024-01-01", D, Note.NONE)),
        ("maj 2024", ("2024-05-01", M, "2024-05-31", M, Note.NONE)),
        ("februari 2024", ("2024-02-01", M, "2024-02-29", M, Note.NONE)),
        ("Q1 2025", ("2025-01-01", Q, "2025-03-31", Q, Note.NONE)),
        ("December 2025", ("2025-12-01", M, "2025-12-31", M, Note.NONE)),
        ("until HT24", ("2024-08-01", T, "2024-12-31", T, Note.NONE)),
        # A month range in one year: its first month to its last.
        ("jan-mars 2024", ("2024-01-01", M, "2024-03-31", M, Note.NONE)),
        ("Jan – mars 2024", ("2024-01-01", M, "2024-03-31", M, Note.NONE)),
        ("januari till mars 2024", ("2024-01-01", M, "2024-03-31", M, Note.NONE)),
        ("sept.-dec. 2025", ("2025-09-01", M, "2025-12-31", M, Note.NONE)),
        ("jan-mars 2024 - HT24", ("2024-01-01", M, "2024-12-31", T, Note.NONE)),
        # The seasons are the terms.
        ("våren 2024", ("2024-01-01", T, "2024-06-30", T, Note.NONE)),
        ("hösten 2023", ("2023-08-01", T, "2023-12-31", T, Note.NONE)),
        ("Under hösten 23", ("2023-08-01", T, "2023-12-31", T, Note.NONE)),
        ("vårterminen 2025", ("2025-01-01", T, "2025-06-30", T, Note.NONE)),
        ("höstterminen 2025", ("2025-08-01", T, "2025-12-31", T, Note.NONE)),
        ("spring 2025", ("2025-01-01", T, "2025-06-30", T, Note.NONE)),
        ("autumn 2025", ("2025-08-01", T, "2025-12-31", T, Note.NONE)),
        ("våren 2024 - hösten 2025", ("2024-01-01", T, "2025-12-31", T, Note.NONE)),
        # The year before the quarter.
        ("2025 Q1", ("2025-01-01", Q, "2025-03-31", Q, Note.NONE)),
        ("2025-Q4", ("2025-10-01", Q, "2025-12-31", Q, Note.NONE)),
        ("2024 Q3 - 2025 Q2", ("2024-07-01", Q, "2025-06-30", Q, Note.NONE)),
    ],
)
def test_revised_ends_as_heads_type_them(text, expected):
    assert _as_tuple(text) == expected


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("HT24 - VT23", Note.END_BEFORE_START),
        ("2026 till 2023", Note.END_BEFORE_START),
        ("31 februari 2024", Note.NO_DATE),
        ("2024-13-01", Note.NO_DATE),
        ("2025/2023", Note.NO_DATE),
        ("någon gång", Note.NO_DATE),
        ("   \n  ", Note.EMPTY),
        (None, Note.EMPTY),
        ("Q5", Note.NO_DATE),
        ("VT", Note.NO_DATE),
        # A month range across New Year without its first year is not guessed.
        ("nov-feb 2025", Note.END_BEFORE_START),
        # "Vår" alone is also "our": not a season.
        ("i vår plan", Note.NO_DATE),
        ("hösten", Note.NO_DATE),
    ],
)
def test_unreadable_or_contradictory_texts_are_undated_with_a_reason(text, note):
    period = read_planned_period(text)
    assert (period.start, period.end, period.note) == (None, None, note)
    assert period.is_undated


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_no_text_crashes_the_reader_or_ends_before_it_starts(text):
    period = read_planned_period(text)
    if period.start and period.end:
        assert period.start.value <= period.end.value
    assert (period.note == Note.NONE) == bool(period.start and period.end)


_piece = st.one_of(
    st.sampled_from(
        ["VT", "HT", "vt", "ht", "Q1", "Q4", "mars", "maj", "december", "feb", "jan", "sept."]
        + ["våren ", "hösten ", "Våren", "vårterminen ", "autumn ", " Q2", "-Q3"]
    ),
    st.integers(min_value=0, max_value=2199).map(str),
    st.sampled_from(
        [
            "-",
            " - ",
            "–",
            "/",
            " till ",
            "-mars ",
            " jan-",
            " start ",
            " slut ",
            " from ",
            "inför ",
            "Pågående",
            ". ",
            ", ",
            " ",
        ]
    ),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_piece, max_size=8).map("".join))
def test_date_like_input_never_gives_an_end_before_the_start(text):
    period = read_planned_period(text)
    if period.start and period.end:
        assert period.start.value <= period.end.value
    for end in (period.start, period.end):
        if end is not None:
            assert isinstance(end.value, date)


_MONTH_NAMES = [
    "jan",
    "februari",
    "mars",
    "apr",
    "maj",
    "juni",
    "jul",
    "aug",
    "sept",
    "okt",
    "nov",
    "dec",
]
_years = st.integers(min_value=1900, max_value=2199)


@settings(max_examples=300, deadline=None)
@given(_years, st.integers(1, 12), st.integers(1, 12), st.sampled_from(["-", " – ", " till "]))
def test_a_month_range_starts_with_its_first_month_and_ends_with_its_last(year, a, b, dash):
    period = read_planned_period(f"{_MONTH_NAMES[a - 1]}{dash}{_MONTH_NAMES[b - 1]} {year}")
    if b < a:
        assert period.note == Note.END_BEFORE_START
        return
    assert period.start == PlanDate(date(year, a, 1), M)
    assert period.end.precision == M
    assert (period.end.value.year, period.end.value.month) == (year, b)
    assert (period.end.value + timedelta(days=1)).day == 1  # the month's last day


@settings(max_examples=200, deadline=None)
@given(_years, st.sampled_from(["våren", "Våren", "vårterminen", "spring", "VT"]), st.booleans())
def test_spring_is_the_spring_term(year, word, short_year):
    written = f"{year % 100:02d}" if short_year and 2000 <= year < 2100 else str(year)
    period = read_planned_period(f"{word} {written}")
    assert (period.start, period.end) == (
        PlanDate(date(year, 1, 1), T),
        PlanDate(date(year, 6, 30), T),
    )


@settings(max_examples=200, deadline=None)
@given(_years, st.sampled_from(["hösten", "Hösten", "höstterminen", "autumn", "HT"]), st.booleans())
def test_autumn_is_the_autumn_term(year, word, short_year):
    written = f"{year % 100:02d}" if short_year and 2000 <= year < 2100 else str(year)
    period = read_planned_period(f"{word} {written}")
    assert (period.start, period.end) == (
        PlanDate(date(year, 8, 1), T),
        PlanDate(date(year, 12, 31), T),
    )


@settings(max_examples=200, deadline=None)
@given(_years, st.integers(1, 4), st.sampled_from([" ", "-", ""]))
def test_a_quarter_reads_the_same_after_or_before_its_year(year, quarter, separator):
    after = read_planned_period(f"{year}{separator}Q{quarter}")
    before = read_planned_period(f"Q{quarter} {year}")
    assert after == before
    assert after.start == PlanDate(date(year, 3 * quarter - 2, 1), Q)
