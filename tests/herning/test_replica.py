"""Statistics reads on a real streaming replica (issue 22, point 4).

The fixture makes a hot standby of the test cluster with ``pg_basebackup -R`` (its own port and
data directory under a temporary folder, removed afterwards), and adds it as the ``statistics``
database. The tests then show, on real PostgreSQL replication:

* statistics reads go to the replica (a row the replica has not replayed yet is not seen), while
  writes and locking reads inside them go to the primary (a hot standby refuses them);
* a replica behind the allowed lag, or stopped mid-run, sends the reads to the primary, the page
  still answers, and the health page says which and why.

Replication needs a ``replication`` line in the cluster's pg_hba.conf: the fixture adds one for
127.0.0.1 (trust, like the machine's other lines) when it can write the file (as CI does, as root);
otherwise it skips and says what to add, except in CI (``HERNING_CI`` set), where it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test.utils import CaptureQueriesContext

from herning.core import replica
from herning.organisation.models import District

pytestmark = [
    pytest.mark.slow,
    # The replica is added to DATABASES for a test, on purpose (the fixture says why).
    pytest.mark.filterwarnings("ignore:Overriding setting DATABASES"),
]

REPLICATION_LINE = "host replication all 127.0.0.1/32 trust"


def _bindir() -> Path:
    found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
    candidates = [Path(found.stdout.strip())] if found.returncode == 0 else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "pg_ctl").exists():
            return candidate
    pytest.fail("pg_ctl not found: install PostgreSQL's server package (the tests need a real replica).")


def _as_postgres() -> list[str]:
    # PostgreSQL's programs refuse to run as root: CI runs as root, so they run as postgres.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _skip_or_fail(reason: str):
    if os.environ.get("HERNING_CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _allow_replication() -> None:
    """Add the replication line to the test cluster's pg_hba.conf when it is missing and writable."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW hba_file")
        hba = Path(cursor.fetchone()[0])
    try:
        text = hba.read_text()
    except OSError:
        _skip_or_fail(f"Cannot read {hba}; add `{REPLICATION_LINE}` to it to run the replica tests.")
    if REPLICATION_LINE in text:
        return
    if not os.access(hba, os.W_OK):
        _skip_or_fail(f"Add `{REPLICATION_LINE}` to {hba} (and reload PostgreSQL) to run the replica tests.")
    hba.write_text(
        text.rstrip("\n")
        + f"\n# The test suite's streaming replica (tests/herning/test_replica.py)\n{REPLICATION_LINE}\n"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_reload_conf()")


class Standby:
    """A hot standby of the test cluster, started and stopped by the tests."""

    def __init__(self, root: Path, port: int, bindir: Path):
        self.root, self.port, self.bindir = root, port, bindir
        self.data = root / "data"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*_as_postgres(), *args], capture_output=True, text=True, check=check, timeout=120
        )

    def _own(self) -> None:
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:postgres", str(self.root)], check=True)

    def create(self) -> None:
        primary = connections["default"].settings_dict
        self._own()
        made = self._run(
            str(self.bindir / "pg_basebackup"),
            "-h", primary.get("HOST") or "127.0.0.1", "-p", str(primary.get("PORT") or 5432),
            "-U", primary.get("USER") or "postgres",
            "-D", str(self.data), "-R", "-X", "stream", "-c", "fast",
            check=False,
        )  # fmt: skip
        if made.returncode != 0:
            pytest.fail(f"pg_basebackup failed: {made.stderr.strip()}")
        # Debian keeps the cluster's configuration outside its data directory: the copy gets its
        # own, with the limits a standby must not set lower than its primary's.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', "
                "'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', "
                "'max_locks_per_transaction')"
            )
            limits = "".join(f"{name} = {value}\n" for name, value in cursor.fetchall())
        (self.data / "postgresql.conf").write_text(
            f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
            f"hot_standby = on\nshared_buffers = 16MB\nfsync = off\n{limits}"
        )
        (self.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (self.data / "pg_ident.conf").write_text("")
        self._own()

    def start(self) -> None:
        log = self.root / "log"
        started = self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "start",
            check=False,
        )
        if started.returncode != 0:
            pytest.fail(
                f"The replica did not start: {started.stderr.strip()}\n{log.read_text() if log.exists() else ''}"
            )

    def stop(self) -> None:
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False
        )

    def running(self) -> bool:
        return (
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "status", check=False).returncode
            == 0
        )


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker, tmp_path_factory):
    if not shutil.which("pg_basebackup") and not (_bindir() / "pg_basebackup").exists():
        _skip_or_fail("pg_basebackup is not installed.")
    root = Path(tempfile.mkdtemp(prefix="herning-replica-"))
    node = Standby(root, _free_port(), _bindir())
    with django_db_blocker.unblock():
        _allow_replication()
        node.create()
    node.start()
    yield node
    node.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def statistics_db(standby, transactional_db, settings):
    """The replica as the ``statistics`` database for one test (rows written here are committed,
    so that replication carries them)."""
    if not standby.running():
        standby.start()
    config = dict(connections["default"].settings_dict)
    config.update(PORT=str(standby.port), HOST="127.0.0.1", CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False, TEST={})
    config["OPTIONS"] = {**config.get("OPTIONS", {}), "connect_timeout": 2}
    settings.DATABASES = {**settings.DATABASES, replica.ALIAS: config}
    settings.STATISTICS_MAX_LAG_SECONDS = 3600
    settings.STATISTICS_CHECK_SECONDS = 3600
    # Made by hand rather than through connections.settings: Django's test case refuses
    # connections to a configured alias the test did not declare, and declaring it would make the
    # test case flush the replica (which refuses writes) after the test.
    connections[replica.ALIAS] = DatabaseWrapper(
        connections.configure_settings({"default": config})["default"], replica.ALIAS
    )
    replica.forget()
    _caught_up()
    yield standby
    _resume()
    connections[replica.ALIAS].close()
    del connections[replica.ALIAS]
    replica.forget()


def _on_replica(sql: str, params=()):
    with connections[replica.ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _primary_lsn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def _wait_for(sql: str, lsn: str) -> None:
    """Replication is a separate process: poll (not sleep a guess) until it has reached ``lsn``."""
    deadline = time.monotonic() + 60
    while not _on_replica(sql, [lsn])[0]:
        if time.monotonic() > deadline:
            pytest.fail(f"The replica did not reach {lsn} within a minute.")
        time.sleep(0.05)


def _caught_up() -> None:
    _wait_for("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", _primary_lsn())


def _received() -> None:
    _wait_for("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", _primary_lsn())


def _pause() -> None:
    """Stop the replica's replay, and wait until it has stopped: PostgreSQL only notes the request,
    and the replica pauses before the next record it replays. A committed transaction (with an id)
    on the primary gives it one."""
    _on_replica("SELECT pg_wal_replay_pause()::text")
    deadline = time.monotonic() + 60
    while _on_replica("SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
        if time.monotonic() > deadline:
            pytest.fail("The replica did not pause within a minute.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT txid_current()")
        time.sleep(0.05)


def _resume() -> None:
    try:
        _on_replica("SELECT pg_wal_replay_resume()::text")
    except Exception:  # a stopped replica has nothing to resume
        connections[replica.ALIAS].close()


def test_statistics_reads_go_to_the_replica_and_writes_to_the_primary(statistics_db, org):
    _caught_up()
    _pause()
    fresh = District.objects.create(municipality=org.municipality, name="Ny distrikt")
    _received()

    with replica.statistics_reads():
        assert replica.state().usable
        # The replica has not replayed the new row: the read went there.
        assert not District.objects.filter(pk=fresh.pk).exists()
        # A write inside goes to the primary: a hot standby would refuse it.
        other = District.objects.create(municipality=org.municipality, name="Endnu et distrikt")
        with transaction.atomic():
            locked = District.objects.select_for_update().get(pk=fresh.pk)
        assert locked.pk == fresh.pk
    # Outside, reads are the primary's.
    assert District.objects.filter(pk__in=[fresh.pk, other.pk]).count() == 2

    _resume()
    _caught_up()
    with replica.statistics_reads():
        assert District.objects.filter(pk__in=[fresh.pk, other.pk]).count() == 2


def test_only_code_that_asks_reads_the_replica(statistics_db, org):
    _caught_up()
    _pause()
    fresh = District.objects.create(municipality=org.municipality, name="Ny distrikt")
    _received()
    # An advisor's page re-reading its own write never meets the replica.
    assert District.objects.filter(pk=fresh.pk).exists()


def test_the_evaluation_pages_read_the_replica(statistics_db, org, login):
    client = login(org.management)
    _caught_up()
    with (
        CaptureQueriesContext(connections[replica.ALIAS]) as on_replica,
        CaptureQueriesContext(connection) as on_primary,
    ):
        page = client.get("/evaluering/")
        export = client.get("/evaluering/eksport/trappe-nu.csv")
    assert page.status_code == 200
    assert export.status_code in (200, 400)  # 400 when the period holds no data yet; it still read
    figure_reads = [
        q["sql"] for q in on_replica.captured_queries if "evaluation_" in q["sql"] or "cases_case" in q["sql"]
    ]
    assert figure_reads, "the figures were not read from the replica"
    assert not [q for q in on_primary.captured_queries if "evaluation_casesnapshot" in q["sql"]]
    assert not [
        q
        for q in on_replica.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_a_replica_behind_the_limit_sends_reads_to_the_primary(statistics_db, org, client, settings):
    settings.STATISTICS_MAX_LAG_SECONDS = 0
    _caught_up()
    _pause()
    fresh = District.objects.create(municipality=org.municipality, name="Ny distrikt")
    _received()
    replica.forget()

    with replica.statistics_reads():
        assert District.objects.filter(pk=fresh.pk).exists()
    health = client.get("/sundhed/").json()
    assert health["statistics_reads"] == "primary"
    assert health["statistics_replica"] == "lagging"
    assert health["statistics_replica_lag_seconds"] >= 0  # rounded to a tenth: may read 0.0
    assert replica.state().lag_seconds > 0

    _resume()
    _caught_up()
    settings.STATISTICS_MAX_LAG_SECONDS = 60
    health = client.get("/sundhed/").json()
    assert health["statistics_reads"] == "replica"
    assert health["statistics_replica"] == "ok"


def test_a_replica_stopped_mid_run_leaves_the_pages_working(statistics_db, org, login):
    client = login(org.management)
    _caught_up()
    assert replica.state(fresh=True).usable  # trusted for the next hour (STATISTICS_CHECK_SECONDS)
    client.get("/evaluering/")  # the replica's connection is open now

    statistics_db.stop()
    page = client.get("/evaluering/")
    assert page.status_code == 200  # answered again from the primary
    assert replica.state().reason == "unreachable"

    health = client.get("/sundhed/").json()
    assert health["statistics_reads"] == "primary"
    assert health["statistics_replica"] == "unreachable"

    statistics_db.start()
    _caught_up()
    assert client.get("/sundhed/").json()["statistics_replica"] == "ok"


def test_without_a_replica_everything_reads_the_primary(db, client):
    assert replica.ALIAS not in settings.DATABASES
    with replica.statistics_reads():
        assert not replica.reading_statistics()
    assert replica.StatisticsRouter().db_for_write(District) == "default"
    assert replica.StatisticsRouter().allow_migrate(replica.ALIAS, "cases") is False
    assert client.get("/sundhed/").json()["statistics_replica"] == "not configured"
