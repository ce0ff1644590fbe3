"""The dependency audit that CI runs (scripts/audit_dependencies.py), with PyPI faked."""

import importlib.util
import io
import json
import urllib.error
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "audit_dependencies", REPO / "scripts" / "audit_dependencies.py"
)
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)

ADVISORY = {
    "id": "GHSA-aaaa-bbbb-cccc",
    "aliases": ["CVE-2026-0001", "PYSEC-2026-1"],
    "fixed_in": ["2.0.1"],
    "link": "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc",
    "withdrawn": None,
}


def project(version, *vulnerabilities):
    return {"info": {"version": version}, "vulnerabilities": list(vulnerabilities)}


def run_report(findings, exceptions=({}, {})):
    out = io.StringIO()
    status = audit.report(findings, exceptions, out=out)
    return status, out.getvalue()


def test_an_advisory_against_the_installed_release_fails_the_audit_with_its_ids_and_fix():
    status, text = run_report([audit.audit("pkg", "2.0.0", project("2.0.0", ADVISORY))])
    assert status == 1
    assert "VULNERABLE  pkg 2.0.0: GHSA-aaaa-bbbb-cccc / CVE-2026-0001 / PYSEC-2026-1" in text
    assert "fixed in: 2.0.1" in text
    assert "1 unexplained finding(s)" in text


def test_a_clean_package_and_a_withdrawn_advisory_pass():
    withdrawn = {**ADVISORY, "withdrawn": "2026-05-01T00:00:00Z"}
    status, text = run_report(
        [
            audit.audit("clean", "1.0", project("1.0")),
            audit.audit("pkg", "2.0.0", project("2.0.0", withdrawn)),
        ]
    )
    assert status == 0
    assert "2 packages, 2 audited against PyPI's advisories; 0 unexplained finding(s)" in text


def test_an_advisory_documented_by_any_of_its_names_passes_and_prints_the_reason():
    exceptions = ({("pkg", "CVE-2026-0001"): "only the unused XML path is affected"}, {})
    status, text = run_report([audit.audit("pkg", "2.0.0", project("2.0.0", ADVISORY))], exceptions)
    assert status == 0
    assert "documented  pkg 2.0.0" in text and "only the unused XML path is affected" in text


def test_an_exception_for_another_package_does_not_cover_the_advisory():
    exceptions = ({("other", "GHSA-aaaa-bbbb-cccc"): "reason"}, {})
    status, text = run_report([audit.audit("pkg", "2.0.0", project("2.0.0", ADVISORY))], exceptions)
    assert status == 1
    assert "the exception for other GHSA-aaaa-bbbb-cccc matches nothing any more" in text


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (project("2.1.0"), "installed 2.0.0, newest 2.1.0"),
        (None, "not on PyPI"),
    ],
)
def test_a_package_that_cannot_be_audited_fails_rather_than_passing_silently(data, why):
    status, text = run_report([audit.audit("pkg", "2.0.0", data)])
    assert status == 1
    assert f"NOT AUDITED pkg 2.0.0: {why}" in text
    assert "1 packages, 0 audited" in text


def test_a_documented_unauditable_package_passes_with_its_reason():
    exceptions = ({}, {"pkg": "held back by weasyprint's upper bound"})
    status, text = run_report([audit.audit("pkg", "2.0.0", project("2.1.0"))], exceptions)
    assert status == 0
    assert "held back by weasyprint's upper bound" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[vulnerability]\n", "not valid TOML"),
        ('[[vulnerability]]\nid = "X"\npackage = "pkg"\n', "vulnerability entry 1 lacks reason"),
        ('[[vulnerability]]\nid = "X"\npackage = "pkg"\nreason = "  "\n', "lacks reason"),
        ('[[unaudited]]\nreason = "r"\n', "unaudited entry 1 lacks package"),
        ('[[ignore]]\npackage = "pkg"\n', "unknown tables ignore"),
        ('vulnerability = "pkg"\n', "must be an array of tables"),
        (b"\xff\xfe[[x]]", "not valid TOML"),  # not UTF-8
    ],
)
def test_an_invalid_exceptions_file_stops_the_audit_with_a_clear_message(
    tmp_path, content, message
):
    path = tmp_path / "exceptions.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(audit.AuditError, match=message):
        audit.load_exceptions(path)


def test_the_shipped_exceptions_file_is_valid():
    assert audit.DEFAULT_EXCEPTIONS.exists()
    vulnerabilities, unaudited = audit.load_exceptions(audit.DEFAULT_EXCEPTIONS)  # raises if not
    assert all(vulnerabilities.values()) and all(unaudited.values())


def test_a_missing_exceptions_file_stops_the_audit(tmp_path):
    with pytest.raises(audit.AuditError, match="no such exceptions file"):
        audit.load_exceptions(tmp_path / "typo.toml")


@pytest.fixture
def no_exceptions(tmp_path):
    path = tmp_path / "exceptions.toml"
    path.write_text("# none\n", encoding="utf-8")
    return str(path)


class FakePyPI:
    """urlopen for PyPI's project JSON: every installed package at its newest release."""

    def __init__(self, overrides=None, missing=(), down=False, body=None):
        self.versions = audit.installed()
        self.overrides, self.missing, self.down = overrides or {}, set(missing), down
        self.body = body  # a raw answer for every package, e.g. a proxy's error page
        self.asked = []

    def __call__(self, request, timeout):
        name = request.full_url.split("/")[-2]
        self.asked.append(name)
        if self.down:
            raise urllib.error.URLError("Name or service not known")
        if name in self.missing:
            raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)
        if self.body is not None:
            return io.BytesIO(self.body)
        data = self.overrides.get(name) or project(self.versions[name])
        return io.BytesIO(json.dumps(data).encode())


def test_the_audit_asks_pypi_about_every_installed_package_and_passes_when_all_are_clean(
    monkeypatch, no_exceptions, capsys
):
    pypi = FakePyPI()
    monkeypatch.setattr(audit.urllib.request, "urlopen", pypi)
    assert audit.main(["--exceptions", no_exceptions]) == 0
    assert sorted(pypi.asked) == sorted(pypi.versions)
    assert {"django", "weasyprint", "pytest"} <= set(pypi.asked)
    assert f"{len(pypi.versions)} audited" in capsys.readouterr().out


def test_the_audit_fails_on_an_advisory_against_an_installed_package(
    monkeypatch, no_exceptions, capsys
):
    django_version = audit.installed()["django"]
    pypi = FakePyPI(overrides={"django": project(django_version, ADVISORY)}, missing={"pytest"})
    monkeypatch.setattr(audit.urllib.request, "urlopen", pypi)
    assert audit.main(["--exceptions", no_exceptions]) == 1
    out = capsys.readouterr().out
    assert f"VULNERABLE  django {django_version}: GHSA-aaaa-bbbb-cccc" in out
    assert "NOT AUDITED pytest" in out and "not on PyPI" in out


def test_the_audit_cannot_pass_when_pypi_is_unreachable(monkeypatch, no_exceptions, capsys):
    pypi = FakePyPI(down=True)
    monkeypatch.setattr(audit.urllib.request, "urlopen", pypi)
    assert audit.main(["--exceptions", no_exceptions]) == 2
    assert "PyPI could not be asked about" in capsys.readouterr().err
    assert len(pypi.asked) >= 3  # retried before giving up


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>502 Bad Gateway</html>", "is not JSON"),
        (b'["not", "a", "project"]', "is not a project's JSON"),
        (b'{"message": "rate limited"}', "is not a project's JSON"),
    ],
)
def test_an_answer_that_is_not_pypis_project_json_stops_the_audit(
    monkeypatch, no_exceptions, capsys, body, message
):
    monkeypatch.setattr(audit.urllib.request, "urlopen", FakePyPI(body=body))
    assert audit.main(["--exceptions", no_exceptions]) == 2
    assert message in capsys.readouterr().err


def test_an_invalid_exceptions_file_makes_the_audit_exit_2(tmp_path, capsys):
    path = tmp_path / "exceptions.toml"
    path.write_text('[[unaudited]]\npackage = "pip"\n', encoding="utf-8")
    assert audit.main(["--exceptions", str(path)]) == 2
    assert "unaudited entry 1 lacks reason" in capsys.readouterr().err
