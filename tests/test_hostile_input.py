"""Random and hostile values posted to every form: never a server error, never a half change.

Each example runs in its own transaction (hypothesis' Django TestCase), on the KTH plan.
"""

from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from areas.models import Department, DevelopmentArea
from followup.models import AreaComment, StatusUpdate

# Lone surrogates are left out: no HTTP client can send them (they are not UTF-8).
TEXT = st.characters(blacklist_categories=("Cs",))
HOSTILE = st.one_of(
    st.text(TEXT, max_size=300),
    st.builds(lambda ch, n: ch * n, TEXT, st.integers(min_value=5001, max_value=5100)),
    st.sampled_from([
        "", " ", "\x00", "a\x00b", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
        "'; DROP TABLE areas_developmentarea; --", "1 OR 1=1", "{{ 7*7 }}", "{% debug %}",
        "-1", "0", "99999999999999999999", "1e309", "NaN", "😀" * 50, "\u202e\u0000", "%s%s%n",
        "../../etc/passwd", "javascript:alert(1)", "ＨＴ２４", "green", "amber", "ongoing",
    ]),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)  # fmt: skip

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class HostileStatusUpdates(TestCase):
    fixtures = ["kth_plan"]

    @classmethod
    def setUpTestData(cls):
        cls.head = User.objects.create_user("head", password="x")
        Department.objects.get(code="EDO").heads.add(cls.head)

    @SETTINGS
    @given(
        status=HOSTILE, light=HOSTILE, reason=HOSTILE, progress=HOSTILE, steps=HOSTILE,
        end=HOSTILE, version=HOSTILE, htmx=st.booleans(),
    )  # fmt: skip
    def test_status_form(self, status, light, reason, progress, steps, end, version, htmx):
        self.client.force_login(self.head)
        data = {"status": status, "traffic_light": light, "traffic_light_reason": reason,
                "progress": progress, "next_steps": steps, "revised_end_text": end,
                "version": version}  # fmt: skip
        headers = {"HX-Request": "true"} if htmx else {}
        response = self.client.post("/areas/UTB-01/status/", data, headers=headers)
        self.assertLess(response.status_code, 500)
        area = DevelopmentArea.objects.get(key="UTB-01")
        saved = list(StatusUpdate.objects.all())
        if response.status_code in (200, 400) and not saved:
            self.assertEqual(area.status_version, 0)  # refused: nothing changed
        else:
            # Accepted: exactly one update, holding exactly what was sent.
            self.assertEqual(len(saved), 1)
            self.assertEqual(area.status_version, 1)
            self.assertEqual(saved[0].progress, progress.strip())
        if saved and "<" in saved[0].progress:
            html = self.client.get("/areas/UTB-01/").content.decode()
            self.assertNotIn(saved[0].progress, html)

    @SETTINGS
    @given(text=HOSTILE)
    def test_comment_form(self, text):
        self.client.force_login(self.head)
        response = self.client.post("/areas/FOI-01/comments/", {"text": text})
        self.assertLess(response.status_code, 500)
        comments = list(AreaComment.objects.all())
        if response.status_code == 302:
            self.assertEqual([c.text for c in comments], [text.strip()])
        else:
            self.assertEqual(comments, [])

    @SETTINGS
    @given(
        support_area=HOSTILE, group=HOSTILE, department=HOSTILE, status=HOSTILE,
        light=HOSTILE, upcoming=HOSTILE, late=HOSTILE, q=HOSTILE, htmx=st.booleans(),
    )  # fmt: skip
    def test_plan_filters(self, support_area, group, department, status, light, upcoming,
                          late, q, htmx):  # fmt: skip
        self.client.force_login(self.head)
        params = {"support_area": support_area, "group": group, "department": department,
                  "status": status, "traffic_light": light, "upcoming": upcoming, "late": late,
                  "q": q}  # fmt: skip
        headers = {"HX-Request": "true"} if htmx else {}
        response = self.client.get("/", params, headers=headers)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(DevelopmentArea.objects.count(), 72)

    @SETTINGS
    @given(username=HOSTILE, password=HOSTILE)
    def test_login_form(self, username, password):
        response = self.client.post("/login/", {"username": username, "password": password})
        self.assertIn(response.status_code, (200, 429))
        self.assertNotIn("_auth_user_id", self.client.session)


class HostileRevisions(TestCase):
    """The revision form and the cells of an uploaded workbook."""

    fixtures = ["kth_plan"]

    @classmethod
    def setUpTestData(cls):
        from django.contrib.auth.models import Group as AuthGroup

        from areas.models import ActionPlan, PlanImport

        cls.secretariat = User.objects.create_user("secretariat", password="x")
        cls.secretariat.groups.add(AuthGroup.objects.create(name="secretariat"))
        cls.plan_import = PlanImport.objects.create(
            uploaded_by=cls.secretariat, filename="x.xlsx", plan=ActionPlan.objects.get()
        )

    @SETTINGS
    @given(revision=HOSTILE, number=HOSTILE, document=HOSTILE, decision=HOSTILE, by=HOSTILE,
           digest=HOSTILE)  # fmt: skip
    def test_revision_form(self, revision, number, document, decision, by, digest):
        from areas.models import ActionPlan

        self.client.force_login(self.secretariat)
        response = self.client.post(
            f"/plan/import/{self.plan_import.pk}/",
            {"revision": revision, "registration_number": number, "document_date": document,
             "decision_date": decision, "decided_by": by, "digest": digest},
        )  # fmt: skip
        self.assertLess(response.status_code, 500)
        # The upload holds no rows: whatever the form says, nothing may be applied.
        self.assertEqual(ActionPlan.objects.count(), 1)

    @SETTINGS
    @given(text=HOSTILE, title=HOSTILE)
    def test_cells_come_back_as_they_were_written(self, text, title):
        import io
        from datetime import date

        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        from areas.models import ActionPlan
        from areas.revisions import build_change_set
        from followup.workbook import export_workbook
        from tests.areas.excel_helpers import read

        # NUL never reaches the database (forms refuse it; PostgreSQL cannot store it).
        text, title = text.replace("\x00", ""), title.replace("\x00", "")
        DevelopmentArea.objects.filter(key="KOM-01").update(why=text, title=title)
        plan = ActionPlan.objects.get()
        out = io.BytesIO()
        export_workbook(out, plan, plan.areas.all(), as_of=date(2026, 1, 1))
        result = read(out.getvalue())
        row = next(r for r in result.rows if r["key"] == "KOM-01")
        self.assertEqual(
            row["why"],
            ILLEGAL_CHARACTERS_RE.sub("", text).replace("\r\n", "\n").replace("\r", "\n").strip(),
        )
        change_set = build_change_set(result.rows, plan, (result.errors, result.warnings))
        self.assertFalse(change_set.added or change_set.removed)


class HostileOpenDataFilters(TestCase):
    fixtures = ["kth_plan"]

    @classmethod
    def setUpTestData(cls):
        cls.reader = User.objects.create_user("reader", password="x")

    @SETTINGS
    @given(cycle=HOSTILE, support_area=HOSTILE, department=HOSTILE, status=HOSTILE,
           light=HOSTILE, q=HOSTILE, fmt=st.sampled_from(["csv", "json"]))  # fmt: skip
    def test_open_data_filters(self, cycle, support_area, department, status, light, q, fmt):
        self.client.force_login(self.reader)
        params = {"cycle": cycle, "support_area": support_area, "department": department,
                  "status": status, "traffic_light": light, "q": q}  # fmt: skip
        for url in (f"/data/plan.{fmt}", f"/data/status.{fmt}"):
            response = self.client.get(url, params)
            # 200 with data, 400 naming a filter it cannot use, 404 with no published cycle
            self.assertIn(response.status_code, (200, 400, 404))
