"""The apps import each other only in the directions docs/architecture.md gives.

The contract is import-linter's, in pyproject.toml (``[tool.importlinter]``): the domain apps in
their layers, the foundation (``herning.core``, ``herning.organisation``, …) below all of them.
``make lint`` runs the same check; here it runs with the suite, so a wrong-way import fails a test
by name. The second test shows the contract bites: the same layers over a tree of empty packages
with one wrong-way import are reported broken.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(*, cwd: Path, config: Path | None = None) -> subprocess.CompletedProcess:
    assert LINT_IMPORTS.exists(), "lint-imports is missing: install the dev dependencies (make install)"
    command = [str(LINT_IMPORTS), "--no-cache"] + (["--config", str(config)] if config else [])
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(cwd)}
    )


def contracts() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_apps_import_each_other_only_in_the_contracts_directions():
    result = lint_imports(cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_foundation_sits_below_every_domain_app():
    layers = contracts()["contracts"][0]["layers"]
    domain = {"cases", "measures", "followups", "network_meetings", "evaluation", "dashboards", "dubu"}
    above = {app.strip() for layer in layers[:-1] for app in layer.replace(":", "|").split("|")}
    assert above == domain
    # Every package of the project package is foundation; only its wiring modules (urls, celery,
    # settings) reach up to the apps.
    packages = {f"herning.{p.parent.name}" for p in (ROOT / "herning").glob("*/__init__.py")}
    assert {name.strip() for name in layers[-1].split(":")} == packages


def test_a_wrong_way_import_breaks_the_contract(tmp_path):
    """The project's own layers, over empty packages of the same names; ``cases`` (the base domain
    app) importing ``dashboards`` must be reported."""
    config = contracts()
    contract = {key: value for key, value in config["contracts"][0].items() if key != "ignore_imports"}
    for layer in contract["layers"]:
        for module in layer.replace(":", "|").split("|"):
            package = tmp_path.joinpath(*module.strip().split("."))
            package.mkdir(parents=True, exist_ok=True)
            (package / "__init__.py").touch()
    lines = [
        "[importlinter]",
        "root_packages =",
        *(f"    {name}" for name in config["root_packages"]),
        "",
        f"[importlinter:contract:{contract['id']}]",
        f"name = {contract['name']}",
        f"type = {contract['type']}",
        "layers =",
        *(f"    {layer}" for layer in contract["layers"]),
    ]
    (tmp_path / ".importlinter").write_text("\n".join(lines) + "\n")

    assert lint_imports(cwd=tmp_path, config=tmp_path / ".importlinter").returncode == 0
    (tmp_path / "cases" / "wrong.py").write_text("import dashboards\n")
    result = lint_imports(cwd=tmp_path, config=tmp_path / ".importlinter")
    assert result.returncode != 0
    assert "cases is not allowed to import dashboards" in result.stdout
