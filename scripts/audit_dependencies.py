#!/usr/bin/env python
"""Audit every package that uv.lock pins for known vulnerabilities.

    .venv/bin/python scripts/audit_dependencies.py [--lock uv.lock]
                                                   [--exceptions .ci/audit-exceptions.toml]

The audit reads the locked versions (every runtime and test dependency, as ./dev installs
them), so a new release of a dependency never fails it by itself: being behind is not a
vulnerability. A known advisory against a locked version does.

The data is PyPI's: the advisories (PyPA advisory database, OSV) that PyPI attaches to a
release. For each locked package the audit asks, in this order:

1. The release's own JSON (https://pypi.org/pypi/NAME/VERSION/json): its advisories are
   those against exactly the locked version. (pip-audit reads the same.)
2. Where that is not served (the PyPI proxy of our build machines answers 404; api.osv.dev
   is not reachable from them at all), the project's JSON (/pypi/NAME/json), whose
   advisories are those against the project's newest release only:
   - locked = newest: exact, as in 1.
   - locked older than newest: each advisory against the newest release counts against
     the locked one too, unless one of its fixed releases is in the locked one's series
     at or before it (what affects the newest release almost always affects an older one;
     a false alarm is documented in the exceptions file). What was fixed between the
     locked and the newest release cannot be seen from this data; the audit prints such a
     package as "behind" and passes it. `./dev lock --upgrade` brings the lock up to date.
   - a yanked locked release is a finding, with PyPI's reason.
3. A package PyPI does not know cannot be audited: a finding unless documented.

Exit status 0 when nothing is left unexplained; 1 when there is an advisory, a yanked
release or an unauditable package that the exceptions file does not document; 2 when the
lock or the exceptions file is invalid or PyPI cannot be reached. Nothing is skipped
silently.

The exceptions file (TOML) documents each accepted advisory or unauditable package:

    [[vulnerability]]
    id = "GHSA-xxxx-xxxx-xxxx"   # or its PYSEC/CVE alias
    package = "name"
    reason = "why it does not affect vsplan, and until when"

    [[unaudited]]
    package = "name"
    reason = "why it cannot be audited (e.g. not published on PyPI)"
"""

import argparse
import json
import re
import sys
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

RELEASE = "https://pypi.org/pypi/{name}/{version}/json"
PROJECT = "https://pypi.org/pypi/{name}/json"
REPO = Path(__file__).resolve().parent.parent
DEFAULT_LOCK = REPO / "uv.lock"
DEFAULT_EXCEPTIONS = REPO / ".ci" / "audit-exceptions.toml"


class AuditError(Exception):
    """The audit cannot be carried out (exit 2)."""


@dataclass
class Finding:
    package: str
    version: str
    vulnerabilities: list[dict] = field(default_factory=list)
    unaudited: str = ""  # why this package could not be audited
    newest: str = ""  # the newest release, when the audit could only read its advisories
    yanked: str | None = None  # PyPI's reason, when the locked release is yanked


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path: Path = DEFAULT_LOCK) -> dict[str, str]:
    """Every package uv.lock pins from a package index: canonical name -> version."""
    try:
        lock = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise AuditError(f"{path}: no such lock file") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise AuditError(f"{path}: not valid TOML: {error}") from error
    packages = {
        canonical(package["name"]): package["version"]
        for package in lock.get("package", [])
        if "registry" in package.get("source", {})  # not the project itself
    }
    if not packages:
        raise AuditError(f"{path}: pins no package")
    return packages


def fetch_json(url: str, what: str, timeout: float = 30) -> dict | None:
    """PyPI's JSON at the URL; None if PyPI has no such page (404)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    last = None
    for _attempt in range(3):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = json.load(response)
            if not isinstance(data, dict) or not isinstance(data.get("info"), dict):
                raise AuditError(f"PyPI's answer about {what} is not a project's JSON")
            return data
        except json.JSONDecodeError as error:
            raise AuditError(f"PyPI's answer about {what} is not JSON: {error}") from error
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            last = error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            last = error
    raise AuditError(f"PyPI could not be asked about {what}: {last}")


def fetch(name: str, version: str) -> tuple[dict | None, dict | None]:
    """(the release's JSON, None), or (None, the project's JSON) where the first is not
    served, or (None, None) where PyPI knows neither."""
    release = fetch_json(RELEASE.format(name=name, version=version), f"{name} {version}")
    if release is not None:
        return release, None
    return None, fetch_json(PROJECT.format(name=name), name)


def _current(vulnerabilities) -> list[dict]:
    return [v for v in vulnerabilities or [] if not v.get("withdrawn")]


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _fixed_in_series_at_or_before(vulnerability: dict, version: str) -> bool:
    """Whether one of the advisory's fixed releases is the locked one or an earlier one of
    its series (same major.minor): then the locked release has the fix."""
    mine = _version(version)
    if mine is None:
        return False
    for text in vulnerability.get("fixed_in") or []:
        fixed = _version(text)
        if fixed is not None and fixed.release[:2] == mine.release[:2] and fixed <= mine:
            return True
    return False


def audit(
    name: str, version: str, project: dict | None = None, release: dict | None = None
) -> Finding:
    """What PyPI's data says about one locked package (see the module's docstring)."""
    finding = Finding(name, version)
    if release is not None:
        if release["info"].get("yanked"):
            finding.yanked = release["info"].get("yanked_reason") or "no reason given"
        finding.vulnerabilities = _current(release.get("vulnerabilities"))
        return finding
    if project is None:
        finding.unaudited = "not on PyPI"
        return finding
    files = project.get("releases", {}).get(version) or []
    if files and all(file.get("yanked") for file in files):
        finding.yanked = files[0].get("yanked_reason") or "no reason given"
    newest = project["info"]["version"]
    vulnerabilities = _current(project.get("vulnerabilities"))
    if newest != version:
        finding.newest = newest
        vulnerabilities = [
            v for v in vulnerabilities if not _fixed_in_series_at_or_before(v, version)
        ]
    finding.vulnerabilities = vulnerabilities
    return finding


def load_exceptions(path: Path) -> tuple[dict, dict]:
    """The documented exceptions: {(package, id): reason} and {package: reason}."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise AuditError(f"{path}: no such exceptions file") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise AuditError(f"{path}: not valid TOML: {error}") from error
    unknown = set(data) - {"vulnerability", "unaudited"}
    if unknown:
        raise AuditError(f"{path}: unknown tables {', '.join(sorted(unknown))}")
    vulnerabilities, unaudited = {}, {}
    for kind, keys, target in (
        ("vulnerability", ("id", "package", "reason"), vulnerabilities),
        ("unaudited", ("package", "reason"), unaudited),
    ):
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            raise AuditError(f"{path}: [[{kind}]] must be an array of tables")
        for number, entry in enumerate(entries, 1):
            missing = [
                key
                for key in keys
                if not isinstance(entry.get(key), str) or not entry.get(key).strip()
            ]
            if missing:
                raise AuditError(f"{path}: {kind} entry {number} lacks {', '.join(missing)}")
            package = canonical(entry["package"])
            if kind == "vulnerability":
                target[package, entry["id"].strip()] = entry["reason"].strip()
            else:
                target[package] = entry["reason"].strip()
    return vulnerabilities, unaudited


def report(findings: list[Finding], exceptions: tuple[dict, dict], out=None) -> int:
    """Print the findings; 0 if nothing is left unexplained, else 1."""
    out = out or sys.stdout
    documented, unaudited_ok = exceptions
    used = set()
    failures = 0
    for finding in sorted(findings, key=lambda f: f.package):
        label = f"{finding.package} {finding.version}"
        if finding.unaudited:
            if finding.package in unaudited_ok:
                used.add(finding.package)
                print(
                    f"documented  {label}: not audited ({finding.unaudited}); "
                    f"reason: {unaudited_ok[finding.package]}",
                    file=out,
                )
            else:
                failures += 1
                print(f"NOT AUDITED {label}: {finding.unaudited}", file=out)
            continue
        if finding.yanked is not None:
            failures += 1
            print(f"YANKED      {label}: {finding.yanked}", file=out)
        for vulnerability in finding.vulnerabilities:
            names = [vulnerability["id"], *vulnerability.get("aliases", [])]
            reason = next(
                (
                    documented[finding.package, n]
                    for n in names
                    if (finding.package, n) in documented
                ),
                None,
            )
            fixed = ", ".join(vulnerability.get("fixed_in") or []) or "no fixed release"
            against = f" (reported against the newest, {finding.newest})" if finding.newest else ""
            if reason is not None:
                used.update((finding.package, n) for n in names)
                print(f"documented  {label}: {' / '.join(names)}; reason: {reason}", file=out)
            else:
                failures += 1
                print(
                    f"VULNERABLE  {label}: {' / '.join(names)}{against} (fixed in: {fixed}) "
                    f"{vulnerability.get('link', '')}",
                    file=out,
                )
        if finding.newest and not finding.vulnerabilities:
            print(
                f"behind      {label}: newest {finding.newest}; only the newest release's "
                "advisories could be read here, none unfixed in this one",
                file=out,
            )
    for key in sorted(set(documented) - used, key=str):
        print(f"note: the exception for {key[0]} {key[1]} matches nothing any more", file=out)
    for package in sorted(set(unaudited_ok) - used):
        print(f"note: the exception for unaudited {package} matches nothing any more", file=out)
    exact = sum(1 for f in findings if not f.unaudited and not f.newest)
    behind = sum(1 for f in findings if f.newest)
    print(
        f"{len(findings)} locked packages: {exact} audited against their own release's "
        f"advisories, {behind} behind their newest release (audited against its "
        f"advisories); {failures} unexplained finding(s)",
        file=out,
    )
    if failures:
        print(
            "Update the package to a fixed release (its pin in pyproject.toml, then "
            "`./dev lock`; for a dependency that pyproject.toml does not pin, "
            "`./dev lock --upgrade-package NAME`), or document why it is acceptable in "
            ".ci/audit-exceptions.toml.",
            file=out,
        )
    return 1 if failures else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=DEFAULT_LOCK)
    parser.add_argument("--exceptions", type=Path, default=DEFAULT_EXCEPTIONS)
    args = parser.parse_args(argv)
    try:
        exceptions = load_exceptions(args.exceptions)
        packages = locked(args.lock)
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = dict(zip(packages, pool.map(fetch, packages, packages.values()), strict=True))
    except AuditError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    findings = [
        audit(name, version, project=answers[name][1], release=answers[name][0])
        for name, version in packages.items()
    ]
    return report(findings, exceptions)


if __name__ == "__main__":
    sys.exit(main())
