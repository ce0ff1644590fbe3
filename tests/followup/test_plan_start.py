"""Any organisation can start: an empty installation, the empty workbook filled in, its
change set reviewed and applied as the first revision; and `import_plan --new`.

These tests start from an empty database (``db``, never ``kth_plan``).
"""

import io

import pytest
from django.conf import settings
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation
from django.utils.html import escape
from openpyxl import Workbook, load_workbook

from areas.excel import ImportRejected
from areas.models import (
    ActionPlan,
    Department,
    DevelopmentArea,
    Group,
    PlanChange,
    PlanImport,
    ProgrammeGoal,
    RiskAspect,
    SupportArea,
)
from areas.roles import SECRETARIAT, ensure_role_groups
from areas.starter import read_start_workbook, write_empty_workbook
from tests.areas.excel_helpers import edited, read
from tests.test_hostile_workbooks import MAIN, replace_member, zip_bomb

PASSWORD = "correct horse battery staple"
ORGANISATION = "Länsstyrelsen i Exempellän"


def sheet(wb, english: str, swedish: str):
    return wb[english] if english in wb.sheetnames else wb[swedish]


def fill(wb, *, departments=None, support_areas=None, groups=None, areas=None) -> None:
    """The fictional county administrative board's plan, written into the empty workbook."""
    plan = sheet(wb, "Action plan", "Handlingsplan")
    plan["B1"] = ORGANISATION
    plan["B2"] = "Verksamhetsutvecklingsplan 2027–2029"
    plan["B3"] = "LST-2026-0042"
    plan["B5"] = "Landshövdingen"
    plan["B6"] = "2026-11-30"
    ws = sheet(wb, "Departments", "Avdelningar")
    for row in departments or [
        ["ADM", "Administrativa avdelningen", "Administration", "", ""],
        ["IT", "IT-enheten", "IT unit", "", "ADM"],
        ["MILJO", "Miljöavdelningen", "Environment department", "", ""],
    ]:
        ws.append(row)
    ws = sheet(wb, "Support areas", "Stödområden")
    for row in support_areas or [
        ["DIG", "1", "Digitalisering", "Digitalisation", "Digitalisering", "IT"],
        ["LED", "2", "Ledning och styrning", "Management", "Ledning", "ADM"],
    ]:
        ws.append(row)
    ws = sheet(wb, "Groups", "Grupper")
    for row in groups or [["DIG", "E-tjänster"]]:
        ws.append(row)
    ws = sheet(wb, "Goals", "Mål")
    ws.append(["Enklare för medborgarna", "Färre steg i ärendena", "Enkät varje år"])
    template = wb["A"]
    dig = wb.copy_worksheet(template)
    dig.title = "DIG"
    led = wb.copy_worksheet(template)
    led.title = "LED"
    wb.remove(template)
    # key, title, group, upcoming, why, desired effect, participating (text), participating,
    # responsible, dependencies (text), depends on, external, planned, form of work, footnote
    for ws, rows in (areas or {
        dig: [
            ["DIG-01", "E-tjänst för tillstånd", "E-tjänster", "nej", "Snabbare ärenden", "",
             "Miljö", "MILJO", "IT", "", "", "", "2027–2028", "", ""],
            ["DIG-02", "Digital arkivering", "E-tjänster", "nej", "", "", "", "", "IT", "",
             "DIG-01", "", "2028", "", ""],
            ["", "Ny webbplats", "", "ja", "", "", "", "", "IT", "", "", "", "", "", ""],
        ],
        led: [
            ["LED-01", "Gemensam verksamhetsplanering", "", "nej", "", "", "", "ADM", "ADM",
             "", "", "", "2027", "", ""],
            ["LED-02", "Miljötillsyn i ny form", "", "nej", "", "", "", "", "MILJO", "", "",
             "", "HT 2027", "", ""],
        ],
    }).items():  # fmt: skip
        for row in rows:
            ws.append(row)


def workbook(language: str = "en", **options) -> bytes:
    buffer = io.BytesIO()
    write_empty_workbook(buffer, language=language)
    return edited(buffer.getvalue(), lambda wb: fill(wb, **options))


def nothing_written() -> None:
    for model in (ActionPlan, Department, SupportArea, Group, DevelopmentArea, ProgrammeGoal):
        assert not model.objects.exists(), model
    assert not PlanChange.objects.exists()


@pytest.fixture
def secretary(db) -> User:
    """On an empty installation the role groups are made by `setup_roles`, as in deploy."""
    ensure_role_groups()
    user = User.objects.create_user("sekreterare", "s@example.org", PASSWORD)
    user.groups.add(AuthGroup.objects.get(name=SECRETARIAT))
    return user


def test_an_organisation_starts_its_plan_from_the_empty_workbook(client, secretary):
    reader = User.objects.create_user("lasare", "l@example.org", PASSWORD)
    client.force_login(reader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/")
    assert page.status_code == 200
    assert "No plan yet" in page.content.decode()
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert client.get("/plan/start/empty.xlsx").status_code == 403
    assert client.post("/plan/start/", {}).status_code == 403

    client.force_login(secretary)
    assert client.get("/start/").url == "/"
    assert client.get("/plan/import/").url == "/plan/start/"  # nothing to revise yet
    assert client.get("/").url == "/plan/start/"
    download = client.get("/plan/start/empty.xlsx")
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(download.content))
    fill(wb)
    out = io.BytesIO()
    wb.save(out)

    response = client.post(
        "/plan/start/", {"workbook": SimpleUploadedFile("exempellan.xlsx", out.getvalue())}
    )
    assert response.status_code == 302, response.content.decode()
    nothing_written()  # read and kept; nothing created yet
    review = client.get(response.url)
    change_set = review.context["change_set"]
    assert not change_set.errors, [str(m) for m in change_set.errors]
    assert len(change_set.added) == 5 and not change_set.changed and not change_set.removed
    assert ORGANISATION in review.content.decode()
    nothing_written()  # the review builds the change set and writes nothing
    applied = client.post(
        response.url,
        {"revision": "1", "registration_number": "LST-2026-0042", "decided_by": "Landshövdingen",
         "decision_date": "2026-11-30", "digest": change_set.digest},
    )  # fmt: skip
    assert applied.status_code == 302, applied.content.decode()

    plan = ActionPlan.objects.get()
    assert (plan.organisation, plan.is_current, plan.revision) == (ORGANISATION, True, "1")
    assert plan.created_by == secretary and str(plan.decision_date) == "2026-11-30"
    assert PlanImport.objects.get().applied_as == plan
    assert list(SupportArea.objects.values_list("code", flat=True)) == ["DIG", "LED"]
    assert Department.objects.get(code="IT").parent.code == "ADM"
    assert list(SupportArea.objects.get(code="DIG").responsible_departments.all()) == [
        Department.objects.get(code="IT")
    ]
    assert DevelopmentArea.objects.get(key="DIG-02").depends_on.get().key == "DIG-01"
    assert DevelopmentArea.objects.get(key="DIG-03").title == "Ny webbplats"  # key given
    assert DevelopmentArea.objects.get(key="DIG-01").group.name == "E-tjänster"
    assert ProgrammeGoal.objects.get().title == "Enklare för medborgarna"
    # The four risk aspects every analysis names, so that reports can list their risks.
    assert list(RiskAspect.objects.values_list("code", flat=True)) == [
        "external", "internal", "work_environment", "competence"
    ]  # fmt: skip
    # Every object created is in the plan's changes, with who created it.
    recorded = set(PlanChange.objects.values_list("model", "changed_by"))
    assert {m for m, _u in recorded} >= {"actionplan", "department", "supportarea", "group",
                                          "programmegoal", "riskaspect", "developmentarea"}  # fmt: skip
    assert {u for _m, u in recorded} == {secretary.pk}

    page = client.get("/").content.decode()
    assert "Verksamhetsutvecklingsplan 2027–2029" in page
    assert "E-tjänst för tillstånd" in page and "Gemensam verksamhetsplanering" in page
    assert client.get("/plan/start/").url == "/plan/import/"  # started: revise from now on

    # A head of one of its departments finds their areas.
    head = User.objects.create_user("chef", "c@example.org", PASSWORD)
    Department.objects.get(code="MILJO").heads.add(head)
    client.force_login(head)
    assert client.get("/start/").url == "/my/"
    mine = client.get("/my/").content.decode()
    assert "Miljötillsyn i ny form" in mine and "E-tjänst för tillstånd" in mine
    assert "Gemensam verksamhetsplanering" not in mine

    # The plan's export, imported again as a revision by the secretariat, changes nothing.
    client.force_login(secretary)
    export = client.get("/plan/export.xlsx").content
    assert not read(export).errors
    review = client.post("/plan/import/", {"workbook": SimpleUploadedFile("x.xlsx", export)})
    again = client.get(review.url).context["change_set"]
    assert not again.has_changes and not again.errors and again.unchanged == 5


def test_import_plan_new_starts_the_plan_from_the_command_line(db, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(workbook())
    out = io.StringIO()
    call_command("import_plan", str(path), "--new", stdout=out)
    assert "5 added" in out.getvalue()
    nothing_written()
    call_command("import_plan", str(path), "--new", "--apply", stdout=out)
    assert "started as revision '1'" in out.getvalue()
    assert ActionPlan.objects.get().organisation == ORGANISATION
    assert DevelopmentArea.objects.count() == 5
    with pytest.raises(CommandError, match="already has a plan"):
        call_command("import_plan", str(path), "--new", "--apply", stdout=io.StringIO())
    assert ActionPlan.objects.count() == 1


def _edit_workbook(edit) -> bytes:
    return edited(workbook(), edit)


def _rejected(data: bytes) -> str:
    path = io.BytesIO(data)
    with pytest.raises(ImportRejected) as error:
        read_start_workbook(path.getvalue())
    return str(error.value)


def _errors(data: bytes, tmp_path) -> str:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(CommandError, match="errors; nothing was written"):
        call_command("import_plan", str(path), "--new", "--apply", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {
                "support_areas": [
                    ["DIG", "1", "Digitalisering", "", "", "IT"],
                    ["LED", "2", "Ledning", "", "", "NOPE"],
                ]
            },  # fmt: skip
            "no department on sheet Departments has the code NOPE",
        ),
        (
            {
                "departments": [
                    ["ADM", "Adm", "", "", ""],
                    ["adm", "Igen", "", "", ""],
                    ["IT", "IT", "", "", ""],
                    ["MILJO", "Miljö", "", "", ""],
                ]
            },  # fmt: skip
            "adm is also on row 2",
        ),
        (
            {
                "departments": [
                    ["ADM", "Adm", "", "planet", ""],
                    ["IT", "IT", "", "", ""],
                    ["MILJO", "Miljö", "", "", ""],
                ]
            },  # fmt: skip
            "unknown kind",
        ),
        (
            {"groups": [["DIG", "E-tjänster"], ["HR", "Rekrytering"]]},
            "no support area on sheet Support areas has the code HR",
        ),
        (
            {
                "departments": [
                    ["ADM", "Adm", "", "", ""],
                    ["IT", "IT", "", "", "KANSLI"],
                    ["MILJO", "Miljö", "", "", ""],
                ]
            },  # fmt: skip
            "no other department on this sheet has the code KANSLI",
        ),
        (
            {"support_areas": [["DIG", "1", "Digitalisering", "", "", ""]]},
            "the sheet holds rows, but no support area on sheet Support areas has the code LED",
        ),
    ],
)
def test_bad_reference_data_is_named_and_nothing_is_written(db, tmp_path, options, expected):
    with translation.override("en"):
        output = _errors(workbook(**options), tmp_path)
    assert expected in output
    nothing_written()


def test_an_area_naming_a_department_the_workbook_does_not_list(db, tmp_path):
    def edit(wb):
        wb["LED"]["I2"] = "EKON"

    with translation.override("en"):
        output = _errors(_edit_workbook(edit), tmp_path)
    assert "unknown department EKON at LED:2" in output
    nothing_written()


def test_duplicate_keys_are_named(db, tmp_path):
    def edit(wb):
        wb["LED"]["A3"] = "LED-01"

    with translation.override("en"):
        output = _errors(_edit_workbook(edit), tmp_path)
    assert "the key LED-01 is also on sheet LED, row 2" in output
    nothing_written()


def test_the_empty_workbook_as_downloaded_holds_no_plan(db, tmp_path):
    buffer = io.BytesIO()
    write_empty_workbook(buffer, language="en")
    with translation.override("en"):
        output = _errors(buffer.getvalue(), tmp_path)
    assert "the plan needs at least one support area" in output
    assert "Title: the plan needs this" in output or "“Title”: the plan needs this" in output
    nothing_written()


def test_a_missing_sheet_and_a_file_that_is_no_workbook_are_refused(db):
    def drop(wb):
        wb.remove(wb["Departments"])

    with translation.override("en"):
        assert "the sheets “Departments” are missing" in _rejected(_edit_workbook(drop))
        assert "not an Excel workbook" in _rejected(b"%PDF-1.7 not a workbook")
        assert "not a workbook that starts a plan" in _rejected(a_plain_workbook())
    nothing_written()


def a_plain_workbook() -> bytes:
    """A plain workbook with none of the starting sheets."""
    buffer = io.BytesIO()
    wb = Workbook()
    wb.active.title = "Blad1"
    wb.save(buffer)
    return buffer.getvalue()


def test_a_start_upload_is_refused_once_a_plan_exists_and_to_others(client, secretary):
    client.force_login(secretary)
    url = client.post("/plan/start/", {"workbook": SimpleUploadedFile("p.xlsx", workbook())}).url
    other = User.objects.create_user("annan", "a@example.org", PASSWORD)
    client.force_login(other)
    assert client.get(url).status_code == 403
    client.force_login(secretary)
    bad = client.post("/plan/start/", {"workbook": SimpleUploadedFile("p.xlsx", b"not a zip")})
    assert bad.status_code == 200
    assert bad.context["rejected"]
    assert PlanImport.objects.count() == 1


@override_settings(VSPLAN_ORGANISATION_NAME=ORGANISATION)
def test_the_organisations_name_is_a_setting(client, secretary, tmp_path):
    client.force_login(secretary)
    assert ORGANISATION in client.get("/plan/start/").content.decode()  # the footer
    wb = load_workbook(io.BytesIO(client.get("/plan/start/empty.xlsx").content))
    assert sheet(wb, "Action plan", "Handlingsplan")["B1"].value == ORGANISATION

    def without_organisation(wb):  # left empty: the setting's name is the plan's
        sheet(wb, "Action plan", "Handlingsplan")["B1"] = None

    path = tmp_path / "plan.xlsx"
    path.write_bytes(_edit_workbook(without_organisation))
    call_command("import_plan", str(path), "--new", "--apply", stdout=io.StringIO())
    assert ActionPlan.objects.get().organisation == ORGANISATION


def _many_rows(wb):
    for ws in (wb["DIG"], wb["LED"]):
        for n in range(6_000):
            ws.append([None, f"Område {n}"])


def _departments_50_000(wb):
    ws = sheet(wb, "Departments", "Avdelningar")
    for n in range(50_000):
        ws.append([f"D{n}", "x"])


def _entity_in_the_workbook(data: bytes) -> bytes:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<workbook " + MAIN + b">&e;</workbook>"
    )
    return replace_member(data, "xl/workbook.xml", lambda _xml: xxe)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (zip_bomb, "The workbook unpacks to more than 100 MB"),
        (lambda: _entity_in_the_workbook(workbook()), "The workbook declares XML entities"),
        (lambda: edited(workbook(), _many_rows), "The support areas' sheets have more than"),
        (
            lambda: edited(workbook(), _departments_50_000),
            "Sheet Departments has more than 10000 rows",
        ),
        (lambda: workbook()[:4_000], "The file is damaged"),
    ],
    ids=["zip bomb", "external entity", "areas past the row limit", "50,000 departments",
         "half a workbook"],
)  # fmt: skip
def test_a_hostile_starting_workbook_is_refused_with_a_clear_message(
    client, secretary, make, expected
):
    client.force_login(secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/plan/start/", {"workbook": SimpleUploadedFile("p.xlsx", make())})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The workbook was not read:" in html and escape(expected) in html
    assert not PlanImport.objects.exists()
    nothing_written()


def test_an_upload_left_after_the_plan_was_started_says_so(client, secretary, tmp_path):
    client.force_login(secretary)
    url = client.post("/plan/start/", {"workbook": SimpleUploadedFile("p.xlsx", workbook())}).url
    path = tmp_path / "plan.xlsx"
    path.write_bytes(workbook())
    call_command("import_plan", str(path), "--new", "--apply", stdout=io.StringIO())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url)
    assert "This installation already has a plan" in page.content.decode()
    assert client.post(url, {"revision": "2", "registration_number": "X"}).status_code == 200
    assert ActionPlan.objects.count() == 1


def test_departments_entered_in_the_administration_stop_a_start(db, tmp_path):
    Department.objects.create(code="ADM", name_sv="Adm", kind=Department.Kind.SUBJECT)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(workbook())
    with translation.override("en"), pytest.raises(CommandError, match="already holds support"):
        call_command("import_plan", str(path), "--new", "--apply", stdout=io.StringIO())
    assert not ActionPlan.objects.exists() and Department.objects.count() == 1
