"""The project's own files: the compose file, the linter, the health page, the service check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_accepts_the_compose_file():
    command = compose_command()
    if command is None:
        pytest.skip(
            "No docker client with compose support on this machine (docker compose or docker-compose)."
        )
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "x" * 64,
        "HERNING_BASE_URL": "https://herning.example.dk",
        "ALLOWED_HOSTS": "herning.example.dk",
        "EMAIL_URL": "smtp://smtp.example.dk",
    }
    result = subprocess.run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    for service in ("db", "redis", "web", "worker", "beat"):
        assert f"  {service}:" in result.stdout
    assert "gunicorn" in result.stdout


def test_compose_refuses_to_start_without_the_secret():
    command = compose_command()
    if command is None:
        pytest.skip(
            "No docker client with compose support on this machine (docker compose or docker-compose)."
        )
    result = subprocess.run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_changes_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_runs_the_checks_of_make_lint():
    """The hooks a commit passes are the checks CI runs (``make lint``), from the project's venv."""
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook["entry"] for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks == {
        "ruff": ".venv/bin/ruff check --force-exclude",
        "ruff-format": ".venv/bin/ruff format --force-exclude",
        "import-linter": ".venv/bin/lint-imports",
    }
    lint = (ROOT / "Makefile").read_text().split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check ." in lint and "ruff format --check ." in lint and "lint-imports" in lint


def test_no_missing_migrations():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HERNING_ENV": "test"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_tests_stop_at_once_when_redis_is_not_reachable():
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:9/0"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "tests/herning/test_project.py::test_ruff_finds_nothing",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 3
    assert "Redis is not reachable at 127.0.0.1:9" in result.stdout + result.stderr
    assert "redis-server --daemonize yes" in result.stdout + result.stderr


def test_tests_stop_at_once_when_postgres_is_not_reachable():
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:9/herning"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "tests/herning/test_project.py::test_ruff_finds_nothing",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 3
    assert "PostgreSQL is not reachable at 127.0.0.1:9" in result.stdout + result.stderr


@pytest.mark.django_db
def test_health_page_reports_database_and_scheduler(client):
    response = client.get("/sundhed/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["scheduler"] == "never seen"


def _lock() -> dict[str, str]:
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def test_what_is_installed_is_what_the_lock_pins():
    """Issue 19, point 11: the audit audits what runs. Every package installed here (``make install``
    installs with requirements.lock as constraints) is pinned in the lock at its installed version,
    and every dependency pyproject.toml names is in the lock."""
    import importlib.metadata as metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = _lock()
    tools = {"pip", "setuptools", "wheel", "herning"}
    installed = {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if canonicalize_name(d.metadata["Name"]) not in tools
    }
    unpinned = {name: version for name, version in installed.items() if name not in pins}
    different = {n: (v, pins[n]) for n, v in installed.items() if n in pins and pins[n] != v}
    assert not unpinned, f"installed but not in requirements.lock (run make lock): {unpinned}"
    assert not different, f"installed version differs from requirements.lock (run make install): {different}"
    declared = {canonicalize_name(Requirement(r).name) for r in metadata.requires("herning") or []}
    assert not declared - set(pins), declared - set(pins)
