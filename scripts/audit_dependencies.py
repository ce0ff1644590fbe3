#!/usr/bin/env python
"""Audit every package installed in this Python environment for known vulnerabilities.

    .venv/bin/python scripts/audit_dependencies.py [--exceptions .ci/audit-exceptions.toml]

The data is PyPI's: the advisories (PyPA advisory database, OSV) that PyPI attaches to a
project's JSON (https://pypi.org/pypi/NAME/json, key "vulnerabilities"). That is the data
pip-audit's default service reads, but pip-audit asks for it release by release
(/pypi/NAME/VERSION/json), which the PyPI proxy of our build machines does not serve, and
on such a 404 pip-audit reports "could not be audited" and still exits 0; its other
service, api.osv.dev, is not reachable from them at all. The project JSON lists the
advisories of the project's newest release only, so a package can only be audited here
when its newest release is what is installed.

Exit status 0 only when every installed package was audited and has no advisory that
the exceptions file does not document. 1 when there is such an advisory, or a package
that could not be audited (behind its newest release, or not on PyPI); 2 when the
exceptions file is invalid or PyPI cannot be reached. Nothing is skipped silently.

The exceptions file (TOML) documents each accepted advisory or unauditable package:

    [[vulnerability]]
    id = "GHSA-xxxx-xxxx-xxxx"   # or its PYSEC/CVE alias
    package = "name"
    reason = "why it does not affect vsplan, and until when"

    [[unaudited]]
    package = "name"
    reason = "why it cannot be on its newest release"
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
from importlib import metadata
from pathlib import Path

PYPI = "https://pypi.org/pypi/{name}/json"
DEFAULT_EXCEPTIONS = Path(__file__).resolve().parent.parent / ".ci" / "audit-exceptions.toml"


class AuditError(Exception):
    """The audit cannot be carried out (exit 2)."""


@dataclass
class Finding:
    package: str
    version: str
    vulnerabilities: list[dict] = field(default_factory=list)
    unaudited: str = ""  # why this package could not be audited


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed() -> dict[str, str]:
    """Every distribution in this environment: canonical name -> version."""
    return {
        canonical(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions()
        if dist.metadata["Name"]
    }


def fetch_project(name: str, timeout: float = 30) -> dict | None:
    """PyPI's JSON for a project; None if PyPI does not know it."""
    request = urllib.request.Request(PYPI.format(name=name), headers={"Accept": "application/json"})
    last = None
    for _attempt in range(3):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = json.load(response)
            if not isinstance(data, dict) or not isinstance(data.get("info"), dict):
                raise AuditError(f"PyPI's answer about {name} is not a project's JSON")
            return data
        except json.JSONDecodeError as error:
            raise AuditError(f"PyPI's answer about {name} is not JSON: {error}") from error
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            last = error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            last = error
    raise AuditError(f"PyPI could not be asked about {name}: {last}")


def audit(name: str, version: str, project: dict | None) -> Finding:
    """What PyPI's data says about one installed package."""
    finding = Finding(name, version)
    if project is None:
        finding.unaudited = "not on PyPI"
    elif project["info"]["version"] != version:
        finding.unaudited = (
            f"installed {version}, newest {project['info']['version']}: PyPI's project data "
            f"lists the newest release's advisories only"
        )
    else:
        finding.vulnerabilities = [
            vulnerability
            for vulnerability in project.get("vulnerabilities", [])
            if not vulnerability.get("withdrawn")
        ]
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
            if reason is not None:
                used.update((finding.package, n) for n in names)
                print(f"documented  {label}: {' / '.join(names)}; reason: {reason}", file=out)
            else:
                failures += 1
                print(
                    f"VULNERABLE  {label}: {' / '.join(names)} (fixed in: {fixed}) "
                    f"{vulnerability.get('link', '')}",
                    file=out,
                )
    for key in sorted(set(documented) - used, key=str):
        print(f"note: the exception for {key[0]} {key[1]} matches nothing any more", file=out)
    for package in sorted(set(unaudited_ok) - used):
        print(f"note: the exception for unaudited {package} matches nothing any more", file=out)
    audited = sum(1 for f in findings if not f.unaudited)
    print(
        f"{len(findings)} packages, {audited} audited against PyPI's advisories; "
        f"{failures} unexplained finding(s)",
        file=out,
    )
    if failures:
        print(
            "Update the package (its pin in pyproject.toml, or `.venv/bin/python -m pip install "
            "--upgrade NAME` for one that pyproject.toml does not pin) to a fixed release, or "
            "document why it is acceptable in .ci/audit-exceptions.toml.",
            file=out,
        )
    return 1 if failures else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exceptions", type=Path, default=DEFAULT_EXCEPTIONS)
    args = parser.parse_args(argv)
    try:
        exceptions = load_exceptions(args.exceptions)
        packages = installed()
        with ThreadPoolExecutor(max_workers=8) as pool:
            projects = dict(zip(packages, pool.map(fetch_project, packages), strict=True))
    except AuditError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    findings = [audit(name, version, projects[name]) for name, version in packages.items()]
    return report(findings, exceptions)


if __name__ == "__main__":
    sys.exit(main())
