"""The API and the sweep through PgBouncer in transaction pooling, as production runs them
(issue 22, point 5).

The test starts Debian's PgBouncer on a port of its own, in front of the test cluster, with the
compose file's pooling mode (``pool_mode = transaction``), and runs a part of the suite in a child
process whose ``DATABASE_URL`` goes through it, with ``DATABASE_POOLED=1`` (the settings PgBouncer
needs: no server-side cursors, no prepared statements, ``jit`` not sent as a startup parameter).
The part chosen is what pooling could break: concurrent conditional writes, the idempotency keys'
transaction-scoped advisory locks, the API's reads and writes, the reminder sweep and the
deadline triggers. The child's test database is created and migrated through PgBouncer too.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

SUITE = [
    "tests/api/test_conditional.py",
    "tests/api/test_idempotency.py",
    "tests/api/test_resources.py",
    "tests/followups/test_sweep.py",
    "tests/followups/test_triggers.py",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres() -> list[str]:
    # PgBouncer refuses to run as root: CI runs as root, so it runs as postgres.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture
def pgbouncer():
    binary = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if binary is None:
        message = "PgBouncer is not installed: `apt-get install -y pgbouncer` (.ci/run does)."
        if os.environ.get("HERNING_CI"):
            pytest.fail(message)
        pytest.skip(message)
    primary = settings.DATABASES["default"]
    root = Path(tempfile.mkdtemp(prefix="herning-pgbouncer-"))
    port = _free_port()
    (root / "userlist.txt").write_text(f'"{primary.get("USER") or "postgres"}" ""\n')
    (root / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={primary.get('HOST') or '127.0.0.1'} port={primary.get('PORT') or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {root / 'userlist.txt'}\n"
        "pool_mode = transaction\nmax_client_conn = 200\ndefault_pool_size = 10\n"
        # psycopg sends extra_float_digits on connect; PgBouncer must let it through.
        "ignore_startup_parameters = extra_float_digits\n"
        f"logfile = {root / 'pgbouncer.log'}\npidfile = {root / 'pgbouncer.pid'}\n"
    )
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(root)], check=True)
    process = subprocess.Popen([*_as_postgres(), binary, str(root / "pgbouncer.ini")])
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            log = (root / "pgbouncer.log").read_text() if (root / "pgbouncer.log").exists() else ""
            pytest.fail(f"PgBouncer did not start:\n{log}")
        time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(root, ignore_errors=True)


def test_the_api_and_the_sweep_pass_through_pgbouncer(pgbouncer):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"herning_pgbouncer_{worker}"
    primary = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{primary.get('USER') or 'postgres'}@127.0.0.1:{pgbouncer}/{name}",
        "DATABASE_POOLED": "1",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_XDIST_WORKER_COUNT", None)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--create-db",
             "-m", "not slow", *SUITE],
            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
    finally:
        # The child leaves its test database behind when PgBouncer still holds a connection to it.
        with psycopg.connect(
            host=primary.get("HOST") or "127.0.0.1", port=primary.get("PORT") or 5432,
            user=primary.get("USER") or "postgres", dbname="postgres", autocommit=True,
        ) as admin:  # fmt: skip
            admin.execute(f'DROP DATABASE IF EXISTS "test_{name}" WITH (FORCE)')
    tail = "\n".join((run.stdout + run.stderr).splitlines()[-40:])
    assert run.returncode == 0, tail
    assert " passed" in run.stdout and " failed" not in run.stdout, tail
