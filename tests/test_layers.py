"""The code's layers (docs/architecture.md): the plan never imports its follow-up.

The contracts live in pyproject.toml ([tool.importlinter]); CI also runs `lint-imports`.
"""

import shutil
import sys
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert status == 0, capsys.readouterr().out


def test_the_layers_contract_fails_on_an_import_of_the_follow_up_from_the_plan(
    tmp_path, monkeypatch, capsys
):
    # The check itself works: a copy of the code where the plan imports the follow-up
    # breaks the contract.
    for package in ("areas", "followup", "vsplan"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "areas" / "models.py").open("a") as models:
        models.write("\nfrom followup.models import StatusUpdate  # noqa\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    # (import-linter finds the packages by name: let it find the copies, not these)
    for name in [m for m in sys.modules if m.split(".")[0] in ("areas", "followup", "vsplan")]:
        monkeypatch.delitem(sys.modules, name)
    status = lint_imports(config_filename=str(tmp_path / "pyproject.toml"), no_cache=True)
    assert status == 1
    assert "areas.models -> followup.models" in capsys.readouterr().out
