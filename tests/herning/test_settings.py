"""Settings come from the environment and refuse a bad or missing value at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

GOOD_PRODUCTION = {
    "HERNING_ENV": "production",
    "SECRET_KEY": "k3Jq9-vT2mWz_x8RbN4pLc7YhD1sFgA6eU0iOo5QrKtMnVwXyZaBcDeFgHiJkLmNoP",
    "ALLOWED_HOSTS": "herning.example.dk",
    "HERNING_BASE_URL": "https://herning.example.dk",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/herning",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://u:p@smtp.example.dk:587",
    "DEFAULT_FROM_EMAIL": "herning@example.dk",
}


def load_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly ``env`` (plus PATH)."""
    clean = {"PATH": os.environ["PATH"], "HERNING_READ_DOTENV": "0", **env}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django.conf as c, os; os.environ['DJANGO_SETTINGS_MODULE']='herning.settings';"
            " print(c.settings.HERNING_ENV, c.settings.DEBUG)",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_complete_production_settings_load():
    result = load_settings(GOOD_PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "production False"


@pytest.mark.parametrize(
    "variable",
    ["SECRET_KEY", "ALLOWED_HOSTS", "HERNING_BASE_URL", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"],
)
def test_production_refuses_to_start_without_a_required_variable(variable):
    env = {k: v for k, v in GOOD_PRODUCTION.items() if k != variable}
    result = load_settings(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("DEBUG", "true", "DEBUG must not be on in production"),
        ("HERNING_DEFAULT_CASELOAD_CAP", "twenty-five", "must be a whole number"),
        ("HERNING_DEFAULT_CASELOAD_CAP", "0", "must be at least 1"),
        ("HERNING_DEFAULT_CASELOAD_WARNING", "30", "must not be above"),
        ("SECRET_KEY", "short", "at least 50 characters"),
        ("SECRET_KEY", "x" * 60, "at least 50 characters"),
        ("DATABASE_URL", "sqlite:////tmp/x.sqlite3", "must be a postgres:// address"),
        ("REDIS_URL", "http://127.0.0.1:6379", "must start with redis://"),
        ("HERNING_BASE_URL", "herning.example.dk", "must start with http"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be"),
        ("HERNING_ENV", "staging", "HERNING_ENV must be one of"),
        ("HERNING_LOGIN_USER_FAILURE_LIMIT", "5", "must be above HERNING_LOGIN_FAILURE_LIMIT"),
        ("HERNING_LOGIN_ADDRESS_FAILURE_LIMIT", "3", "must be above HERNING_LOGIN_FAILURE_LIMIT"),
        ("HERNING_PROXY_COUNT", "-1", "must be at least 0"),
        ("HERNING_SESSION_MAX_HOURS", "0", "must be at least 1"),
    ],
)
def test_a_malformed_value_stops_start_up_with_a_message(variable, value, message):
    result = load_settings({**GOOD_PRODUCTION, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("abcdefghij-" * 6 + "\n")
    env = {k: v for k, v in GOOD_PRODUCTION.items() if k != "SECRET_KEY"}
    env["SECRET_KEY_FILE"] = str(secret)
    result = load_settings(env)
    assert result.returncode == 0, result.stderr


def test_development_needs_no_variables(tmp_path):
    result = load_settings({"HERNING_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "development True"


def test_time_zone_and_languages(settings):
    assert settings.TIME_ZONE == "Europe/Copenhagen"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "da"
    assert [code for code, _ in settings.LANGUAGES] == ["da", "en"]


def test_deploy_check_is_clean_with_production_settings():
    env = {"PATH": os.environ["PATH"], "HERNING_READ_DOTENV": "0", **GOOD_PRODUCTION}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
