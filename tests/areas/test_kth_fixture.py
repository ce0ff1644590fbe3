"""The KTH plan as loaded from fixtures/kth_plan.json: complete, verbatim and nothing invented."""

import importlib.util
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from areas.models import (
    ActionPlan,
    Department,
    DevelopmentArea,
    ExternalDependency,
    Group,
    ProgrammeGoal,
    RiskAspect,
    SupportArea,
)
from areas.plandates import read_planned_period

REPO = Path(__file__).resolve().parents[2]
SEED = Path(
    os.environ.get("VSPLAN_SEED", REPO.parent / "shared" / "seed" / "000_23803955bbfbdf64.txt")
)

# Counted by hand in sections 3.1-3.7 of the source, upcoming areas included.
AREAS_PER_SUPPORT_AREA = {
    "UTB": 18,  # 15 in tables + 3 "Kommande utvecklingsområden"
    "FOI": 10,
    "HR": 4,
    "EKO": 5,
    "INF": 25,
    "KOM": 6,
    "LED": 4,
}


def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_kth_fixtures", REPO / "scripts" / "build_kth_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not SEED.is_file(),
    reason=f"the plan's source text is not at {SEED} (CI has it at ../shared/seed/; "
    "set VSPLAN_SEED to its path to check the fixture against it)",
)
def test_every_transcribed_text_occurs_verbatim_in_the_source_and_the_fixture_is_current():
    builder = _builder()
    import tomllib

    spec = tomllib.loads(builder.SPEC.read_text(encoding="utf-8"))
    checker = builder.Checker(builder.clean_source(SEED.read_text(encoding="utf-8")))
    objects = builder.build(spec, checker)
    assert checker.problems == []
    committed = json.loads((REPO / "fixtures" / "kth_plan.json").read_text(encoding="utf-8"))
    assert objects == committed, (
        "fixtures/kth_plan.json is stale: run scripts/build_kth_fixtures.py"
    )


def test_the_checker_rejects_a_word_that_is_not_in_the_source():
    builder = _builder()
    checker = builder.Checker("Inresande utbytesstudenter Förslaget har funnits sedan 2014")
    checker.find("Förslaget har\nfunnits sedan 2015", "test")
    assert len(checker.problems) == 1


def test_line_breaks_of_the_pdf_are_joined_but_lists_and_paragraphs_kept():
    join = _builder().join_lines
    assert (
        join("Utveckling av NyA-\nwebben och NyA-\nklienten")
        == "Utveckling av NyA-webben och NyA-klienten"
    )
    assert (
        join("Arbeta av (analoga-\noch ostrukturerade") == "Arbeta av (analoga- och ostrukturerade"
    )
    assert join("Chefsstöd\n- Chefsintroduktion HR\n- Ledarwebb HR") == (
        "Chefsstöd\n- Chefsintroduktion HR\n- Ledarwebb HR"
    )
    assert join("effektiviteten\n\nStärkt rättssäkerhet") == "effektiviteten\nStärkt rättssäkerhet"


def test_a_word_the_source_broke_with_a_hyphen_is_joined_and_a_real_hyphen_kept():
    join = _builder().join_lines
    assert join("handledare och\nforskarutbildnings-\nstudenter.") == (
        "handledare och forskarutbildningsstudenter."
    )
    assert (
        join("Avtalshanterings-\nprocessen; samordning") == "Avtalshanteringsprocessen; samordning"
    )
    # A suspended compound before "och"/"eller", inside a line or broken, stays as written.
    assert join("Inköps- och upphandlingsarbetet") == "Inköps- och upphandlingsarbetet"
    assert join("Inköps-\noch upphandlingsarbetet") == "Inköps- och upphandlingsarbetet"
    assert join("Studie-\neller yrkesvägledning") == "Studie- eller yrkesvägledning"
    # Names and abbreviations, numbers and ranges keep their hyphen.
    assert join("ansökan om\nEU-\nprojekt") == "ansökan om EU-projekt"
    assert join("inom FU-\nområdet") == "inom FU-området"
    assert join("HT23-\nHT24") == "HT23-HT24"
    assert join("Arbeta av icke-\nsystemknutna") == "Arbeta av icke-systemknutna"
    assert join("System-\n/informationsägare") == "System-/informationsägare"


def test_each_hyphen_decision_is_reviewed_and_the_builder_stops_at_one_that_is_not():
    builder = _builder()
    reviewed = builder.Hyphenation({"forskarutbildnings- studenter": "join", "EU- projekt": "keep"})
    assert builder.join_lines("EU-\nprojekt för forskarutbildnings-\nstudenter", reviewed) == (
        "EU-projekt för forskarutbildningsstudenter"
    )
    assert reviewed.problems() == []
    # A decision overrides the suggestion ...
    overridden = builder.Hyphenation({"Re- location": "keep"})
    assert builder.join_lines("HR inkl Re-\nlocation", overridden) == "HR inkl Re-location"
    # ... a break without one is a problem that names the suggestion, and so is a decision
    # for a break that does not occur or a value that is not a decision.
    stale = builder.Hyphenation({"Gammal- rad": "join", "Inköps- och": "maybe"})
    builder.join_lines("Lednings-\nkommunikation, Inköps-\noch", stale)
    assert stale.problems() == [
        "hyphenation: no decision for 'Lednings- kommunikation' (suggested: 'join')",
        "hyphenation: 'Inköps- och' = 'maybe' is not a decision (join, keep, suspended)",
        "hyphenation: 'Gammal- rad' does not occur in the transcription",
    ]


def test_the_reviewed_transcription_decides_every_hyphen_break():
    builder = _builder()
    import tomllib

    spec = tomllib.loads(builder.SPEC.read_text(encoding="utf-8"))
    decisions = spec["hyphenation"]
    assert decisions["forskarutbildnings- studenter"] == "join"
    assert decisions["Avtalshanterings- processen"] == "join"
    assert decisions["analoga- och"] == "suspended"
    objects = json.loads((REPO / "fixtures" / "kth_plan.json").read_text(encoding="utf-8"))
    areas = {
        o["fields"]["key"]: o["fields"] for o in objects if o["model"] == "areas.developmentarea"
    }
    assert areas["UTB-08"]["why"].endswith("forskarutbildningsstudenter.")
    assert areas["FOI-06"]["title"].startswith("Avtalshanteringsprocessen;")
    texts = [str(v) for fields in areas.values() for v in fields.values()]
    assert any("Inköps- och" in text for text in texts)
    assert not any(re.search(r"\w- (?!och|eller|som|samt)\w", text) for text in texts)


@pytest.mark.django_db
def test_the_tests_copy_of_the_plan_is_exactly_what_loaddata_writes(_kth_plan_rows):
    from django.core.management import call_command
    from django.db import transaction

    from followup.data_generation import data_generation
    from tests.conftest import copy_plan, plan_rows

    with transaction.atomic():
        call_command("loaddata", "kth_plan", verbosity=0)
        loaded = plan_rows()
        transaction.set_rollback(True)
    token = data_generation()
    copy_plan(_kth_plan_rows)

    def comparable(rows):
        # A link row's own id is the database's sequence (PostgreSQL's is not rolled back
        # with the loaddata above): compare what it links.
        return [
            (model, [{k: v for k, v in row.items() if k != "id"} for row in values]
             if model._meta.auto_created else values)
            for model, values in rows
        ]  # fmt: skip

    assert comparable(plan_rows()) == comparable(loaded)
    assert sum(len(values) for _model, values in loaded) > 143 + 400  # objects and links
    assert data_generation() != token  # the triggers saw the copy: nothing cached is reused


@pytest.mark.django_db
def test_the_plan_has_every_development_area_of_sections_3_1_to_3_7(kth_plan):
    counts = Counter(DevelopmentArea.objects.values_list("support_area__code", flat=True))
    assert dict(counts) == AREAS_PER_SUPPORT_AREA
    assert DevelopmentArea.objects.count() == 72
    assert list(DevelopmentArea.objects.filter(upcoming=True).values_list("key", flat=True)) == [
        "UTB-16",
        "UTB-17",
        "UTB-18",
    ]


@pytest.mark.django_db
def test_the_plan_itself_is_as_decided(kth_plan):
    plan = ActionPlan.objects.get()
    assert plan.registration_number == "V-2022-0218 1.2"
    assert plan.title == "Handlingsplan för utveckling av verksamhetsstödet vid KTH"
    assert str(plan.document_date) == "2023-04-05"
    assert plan.decision_date is None  # an unfilled e-signature field in the source
    assert plan.is_current


@pytest.mark.django_db
def test_support_areas_are_the_seven_in_order_with_their_responsible_departments(kth_plan):
    areas = SupportArea.objects.prefetch_related("responsible_departments")
    assert [(sa.number, sa.name_sv) for sa in areas] == [
        ("3.1", "Utbildningsadministrativt stöd"),
        ("3.2", "Forskning- och innovationsstöd"),
        ("3.3", "HR-stöd"),
        ("3.4", "Ekonomistöd"),
        ("3.5", "Infrastrukturstöd"),
        ("3.6", "Kommunikationsstöd"),
        ("3.7", "Ledningsstöd"),
    ]
    responsible = {
        sa.code: sorted(d.code for d in sa.responsible_departments.all()) for sa in areas
    }
    assert responsible["UTB"] == ["EDO", "VS-SCI"]
    assert responsible["INF"] == ["ITA", "PD", "VS-CBH"]
    assert len(responsible["LED"]) == 7


@pytest.mark.django_db
def test_groups_are_the_headings_of_the_tables(kth_plan):
    groups = {(g.support_area.code, g.name) for g in Group.objects.select_related("support_area")}
    assert groups == {
        ("UTB", "In- och utresande studenter"),
        ("UTB", "Examinationsadministration"),
        ("UTB", "Meritvärdering Master"),
        ("UTB", "PhD administration*"),
        ("FOI", "Stöd till KTH:s forskare"),
        ("FOI", "Administrativt stöd i forskningsprocessen"),
        ("FOI", "Övergripande KTH-processer"),
        ("INF", "Infrastruktur"),
        ("INF", "Labbsäkerhet"),
        ("INF", "Service"),
        ("INF", "Lokaler"),
        ("INF", "Arkiv"),
        ("INF", "Registratur"),
        ("INF", "IT samordning"),
    }
    phd = Group.objects.get(name="PhD administration*")
    assert phd.footnote.startswith("*Utvecklingsområdet inom PhD administration har beroende")
    assert phd.areas.count() == 8


@pytest.mark.django_db
def test_cells_are_verbatim_with_line_breaks_joined(kth_plan):
    area = DevelopmentArea.objects.get(key="UTB-01")
    assert area.title == "Inresande utbytesstudenter"
    assert area.why == (
        "Förslaget har funnits sedan 2014 AAE och kommer från handläggarna själva. "
        "Effektivitet och samordning av resurser."
    )
    assert area.participating_text == "VS-skolorna, EDO-IRO, EDO-EES, EDO-AUA"
    assert area.dependencies_text == (
        "Utveckling av Mobility online samt integrering med Ladok är en förutsättning. "
        "Koppling till IT portfölj"
    )
    assert area.planned_text == "Första steg HT23 och fullt implementerat 2024"
    # A cell broken by a page break is whole again.
    evenemang = DevelopmentArea.objects.get(key="KOM-01")
    assert "belastade under perioder. Ett utvecklat systemstöd" in evenemang.why


@pytest.mark.django_db
def test_empty_cells_stay_empty(kth_plan):
    entre = DevelopmentArea.objects.get(key="INF-07")
    assert entre.why == "Effektivare nyttjande av lokaler samt bättre service."
    assert (entre.desired_effect, entre.participating_text, entre.planned_text) == ("", "", "")
    upcoming = DevelopmentArea.objects.get(key="UTB-18")
    assert upcoming.why == upcoming.planned_text == upcoming.participating_text == ""


@pytest.mark.django_db
def test_dependencies_are_linked_both_ways(kth_plan):
    data_office = DevelopmentArea.objects.get(key="FOI-10")
    assert sorted(data_office.dependents.values_list("key", flat=True)) == [
        "LED-01",
        "LED-03",
        "LED-04",
    ]
    it_portfolio = ExternalDependency.objects.get(code="IT-PORTFOLIO")
    assert it_portfolio.areas.count() == 14  # every "Koppling till IT portfölj" and kin
    evenemang = DevelopmentArea.objects.get(key="KOM-01")
    assert set(evenemang.external_dependencies.values_list("code", flat=True)) == {
        "CRM",
        "IT-PORTFOLIO",
    }


@pytest.mark.django_db
def test_departments_are_the_ones_the_document_names_and_no_name_is_invented(kth_plan):
    codes = set(Department.objects.values_list("code", flat=True))
    for code in ["EDO", "IRO", "EES", "AUA", "RSO", "KTHB", "INV", "PD", "MO", "FO", "ITA",
                 "COM", "ABE", "CBH", "EECS", "ITM", "SCI", "UHR", "UKÄ"]:  # fmt: skip
        assert code in codes
    # Codes the source never spells out keep an empty name.
    for code in ["KTHB", "ITA", "IRO", "ABE", "UHR", "UKÄ"]:
        assert Department.objects.get(code=code).name_sv == ""
    # Names the source gives but never pairs with the code are marked unconfirmed.
    assert Department.objects.get(code="PD").name_confirmed is False
    assert Department.objects.get(code="VS-SCI").name_confirmed is True
    assert Department.objects.get(code="IRO").parent.code == "EDO"


@pytest.mark.django_db
def test_goals_and_risk_aspects(kth_plan):
    assert list(ProgrammeGoal.objects.values_list("title", flat=True)) == [
        "Bidra till kvalitet och frigöra resurser till utbildning och forskning",
        "Ha god utvecklingsförmåga",
        "Vara en attraktiv arbetsgivare",
    ]
    assert "PULS-mätningarna" in ProgrammeGoal.objects.get(order=3).follow_up
    assert list(RiskAspect.objects.values_list("name_sv", flat=True)) == [
        "Påverkande omvärldsfaktorer",
        "Påverkande invärldsfaktorer och beroenden",
        "Arbetsmiljöaspekter",
        "Kompetensförsörjningsaspekter",
    ]


@pytest.mark.django_db
def test_stored_dates_are_what_the_reader_makes_of_the_text(kth_plan):
    read, open_ended, undated = 0, 0, 0
    for area in DevelopmentArea.objects.all():
        period = read_planned_period(area.planned_text)
        assert area.planned_start == (period.start.value if period.start else None)
        assert area.planned_end == (period.end.value if period.end else None)
        assert area.planned_note == period.note.value
        if area.planned_start and area.planned_end:
            read += 1
        elif area.planned_start or area.planned_end:
            open_ended += 1
        else:
            undated += 1
    assert (read, open_ended, undated) == (35, 13, 24)
    assert (
        DevelopmentArea.objects.exclude(planned_text="")
        .filter(planned_start__isnull=True, planned_end__isnull=True)
        .count()
        == 12
    )
