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


def project(version, *vulnerabilities, releases=None):
    """PyPI's project JSON: the newest release's advisories only."""
    return {"info": {"version": version}, "vulnerabilities": list(vulnerabilities),
            "releases": releases or {}}  # fmt: skip


def release(version, *vulnerabilities, yanked=None):
    """PyPI's JSON of one release: that release's own advisories."""
    info = {"version": version, "yanked": yanked is not None, "yanked_reason": yanked}
    return {"info": info, "vulnerabilities": list(vulnerabilities)}


def run_report(findings, exceptions=({}, {})):
    out = io.StringIO()
    status = audit.report(findings, exceptions, out=out)
    return status, out.getvalue()


def test_an_advisory_against_the_locked_release_fails_the_audit_with_its_ids_and_fix():
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
    assert "2 locked packages: 2 audited against their own release's advisories" in text
    assert "0 unexplained finding(s)" in text


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


def test_a_package_behind_its_newest_release_passes_and_says_so():
    status, text = run_report([audit.audit("pkg", "2.0.0", project("2.1.0"))])
    assert status == 0
    assert "behind      pkg 2.0.0: newest 2.1.0" in text
    assert "1 behind their newest release" in text and "0 unexplained finding(s)" in text


def test_an_advisory_against_the_newest_release_counts_against_an_older_locked_one():
    unfixed = {**ADVISORY, "fixed_in": []}
    status, text = run_report([audit.audit("pkg", "2.0.0", project("2.1.0", unfixed))])
    assert status == 1
    assert "VULNERABLE  pkg 2.0.0: GHSA-aaaa-bbbb-cccc / CVE-2026-0001 / PYSEC-2026-1" in text
    assert "reported against the newest, 2.1.0" in text and "behind      pkg" not in text


def test_an_advisory_fixed_in_the_locked_releases_series_does_not_count_against_it():
    backported = {**ADVISORY, "fixed_in": ["1.4.7", "2.2.0"]}  # 2.1 affected, 1.4.7 fixed
    finding = audit.audit("pkg", "1.4.9", project("2.1.0", backported))
    assert finding.vulnerabilities == []
    older = audit.audit("pkg", "1.4.6", project("2.1.0", backported))
    assert [v["id"] for v in older.vulnerabilities] == ["GHSA-aaaa-bbbb-cccc"]


def test_the_releases_own_advisories_are_used_where_pypi_serves_them():
    # exact: an advisory against the locked release fails even when the newest is clean
    status, text = run_report(
        [audit.audit("pkg", "2.0.0", project("2.1.0"), release=release("2.0.0", ADVISORY))]
    )
    assert status == 1 and "VULNERABLE  pkg 2.0.0: GHSA-aaaa-bbbb-cccc" in text
    assert "behind      pkg" not in text  # audited exactly, not against the newest
    # and one against the newest only does not count against a clean locked release
    clean = audit.audit("pkg", "2.0.0", project("2.1.0", ADVISORY), release=release("2.0.0"))
    assert run_report([clean])[0] == 0


@pytest.mark.parametrize("served", ["release", "project"])
def test_a_yanked_locked_release_fails_with_pypis_reason(served):
    if served == "release":
        finding = audit.audit("pkg", "2.0.0", release=release("2.0.0", yanked="CVE-2026-0002"))
    else:
        files = {"2.0.0": [{"yanked": True, "yanked_reason": "CVE-2026-0002"}]}
        finding = audit.audit("pkg", "2.0.0", project("2.0.1", releases=files))
    status, text = run_report([finding])
    assert status == 1
    assert "YANKED      pkg 2.0.0: CVE-2026-0002" in text


def test_a_package_that_pypi_does_not_know_fails_rather_than_passing_silently():
    status, text = run_report([audit.audit("pkg", "2.0.0", None)])
    assert status == 1
    assert "NOT AUDITED pkg 2.0.0: not on PyPI" in text
    assert "1 locked packages: 0 audited" in text


def test_a_documented_unauditable_package_passes_with_its_reason():
    exceptions = ({}, {"pkg": "built from our own fork, published nowhere"})
    status, text = run_report([audit.audit("pkg", "2.0.0", None)], exceptions)
    assert status == 0
    assert "built from our own fork, published nowhere" in text


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


def test_the_lock_pins_every_package_the_app_and_the_tests_need():
    packages = audit.locked()
    assert {"django", "weasyprint", "pytest", "pytest-xdist", "uv"} <= set(packages)
    assert "vsplan" not in packages  # the project itself is not a dependency
    assert packages["django"] == "6.1.3"


@pytest.mark.parametrize(
    ("content", "message"),
    [("[[package]\n", "not valid TOML"), ("version = 1\n", "pins no package")],
)
def test_a_lock_that_cannot_be_read_stops_the_audit(tmp_path, content, message):
    path = tmp_path / "uv.lock"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(audit.AuditError, match=message):
        audit.locked(path)
    with pytest.raises(audit.AuditError, match="no such lock file"):
        audit.locked(tmp_path / "typo.lock")


class FakePyPI:
    """urlopen for PyPI's JSON: every locked package at its newest release.

    Like the proxy of our build machines, it answers 404 for a release's own JSON unless
    `releases` serves it.
    """

    def __init__(self, overrides=None, missing=(), down=False, body=None, releases=None):
        self.versions = audit.locked()
        self.overrides, self.missing, self.down = overrides or {}, set(missing), down
        self.body = body  # a raw answer for every package, e.g. a proxy's error page
        self.releases = releases or {}
        self.asked = []

    def __call__(self, request, timeout):
        parts = request.full_url.split("/")
        name = parts[4]
        self.asked.append(name)
        if self.down:
            raise urllib.error.URLError("Name or service not known")
        if self.body is not None:
            return io.BytesIO(self.body)
        if len(parts) == 7:  # /pypi/NAME/VERSION/json
            if name not in self.releases:
                raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)
            return io.BytesIO(json.dumps(self.releases[name]).encode())
        if name in self.missing:
            raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)
        data = self.overrides.get(name) or project(self.versions[name])
        return io.BytesIO(json.dumps(data).encode())


def test_the_audit_asks_pypi_about_every_locked_package_and_passes_when_all_are_clean(
    monkeypatch, no_exceptions, capsys
):
    pypi = FakePyPI()
    monkeypatch.setattr(audit.urllib.request, "urlopen", pypi)
    assert audit.main(["--exceptions", no_exceptions]) == 0
    assert sorted(set(pypi.asked)) == sorted(pypi.versions)
    assert {"django", "weasyprint", "pytest"} <= set(pypi.asked)
    assert f"{len(pypi.versions)} audited" in capsys.readouterr().out


def test_a_new_release_of_a_dependency_does_not_fail_the_audit(monkeypatch, no_exceptions, capsys):
    django_version = audit.locked()["django"]
    pypi = FakePyPI(overrides={"django": project("99.0")})
    monkeypatch.setattr(audit.urllib.request, "urlopen", pypi)
    assert audit.main(["--exceptions", no_exceptions]) == 0
    assert f"behind      django {django_version}: newest 99.0" in capsys.readouterr().out


def test_the_audit_fails_on_an_advisory_against_a_locked_package(
    monkeypatch, no_exceptions, capsys
):
    django_version = audit.locked()["django"]
    pypi = FakePyPI(overrides={"django": project(django_version, ADVISORY)}, missing={"pytest"})
    monkeypatch.setattr(audit.urllib.request, "urlopen", pypi)
    assert audit.main(["--exceptions", no_exceptions]) == 1
    out = capsys.readouterr().out
    assert f"VULNERABLE  django {django_version}: GHSA-aaaa-bbbb-cccc" in out
    assert "NOT AUDITED pytest" in out and "not on PyPI" in out


def test_the_audit_reads_a_releases_own_advisories_where_they_are_served(
    monkeypatch, no_exceptions, capsys
):
    django_version = audit.locked()["django"]
    pypi = FakePyPI(
        overrides={"django": project("99.0")},  # the newest is clean
        releases={"django": release(django_version, ADVISORY)},  # the locked one is not
    )
    monkeypatch.setattr(audit.urllib.request, "urlopen", pypi)
    assert audit.main(["--exceptions", no_exceptions]) == 1
    assert f"VULNERABLE  django {django_version}: GHSA" in capsys.readouterr().out


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
