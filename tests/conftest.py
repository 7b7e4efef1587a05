"""Shared test set-up: the real services, and the fixed people every view is tested for."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

pytest_plugins = ["tests.fixtures"]


@pytest.fixture(autouse=True)
def _danish_first():
    """Every test starts in Danish, as a request does: a request in English (the API follows
    Accept-Language) leaves English active in the thread, and a test that runs after it in the
    same process would otherwise read its messages in English."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _rules_read_afresh():
    """The rule book a process keeps in memory (``followups.rules.current_rules``) is dropped
    before each test, so a test counts the same queries whichever tests ran before it."""
    from followups import rules

    rules.forget()


@pytest.fixture(autouse=True)
def _deadlines_recomputed_at_each_change(monkeypatch):
    """A test runs inside a transaction that is never committed, so deadline recomputation left
    for the commit (``cases.obligations``) would never run: here each change recomputes at once,
    inside the writer's transaction. tests/followups/test_triggers.py turns this off and commits
    for real, to test the trigger itself."""
    from cases import obligations

    monkeypatch.setattr(obligations, "EAGER", True)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_configure(config):
    """The suite runs against PostgreSQL and Redis as in production; without them it stops at once."""
    db = settings.DATABASES["default"]
    problems = []
    if db["ENGINE"] == "django.db.backends.postgresql":
        host, port = db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)
        if not _reachable(host, port):
            problems.append(
                f"PostgreSQL is not reachable at {host}:{port}. Start it with\n"
                "    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
                "or point DATABASE_URL at a running server."
            )
    redis_url = urlparse(settings.REDIS_URL or "redis://127.0.0.1:6379/0")
    if not _reachable(redis_url.hostname or "127.0.0.1", redis_url.port or 6379):
        problems.append(
            f"Redis is not reachable at {redis_url.hostname}:{redis_url.port or 6379}. Start it with\n"
            '    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n'
            "or point REDIS_URL at a running server."
        )
    if problems:
        pytest.exit("The tests need the real services:\n\n" + "\n\n".join(problems), returncode=3)
