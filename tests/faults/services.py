"""Real processes for the fault tests: a Redis server of the test's own, and Celery workers
started as the production command starts them, against the test database."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.2):
    """Poll ``condition`` (a real process or server we wait on) until it is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)  # waiting on another process, not on time in the product
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """``redis-server`` on a free port, no persistence: stopping it loses everything in it, as a
    crashed or flushed Redis does."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def service_env(*, redis_url: str, mail_dir: Path, **extra: str) -> dict[str, str]:
    """The environment a worker of this test runs in: the test database (committed data only, so
    the test uses ``transactional_db``), the given Redis, e-mail written to files in ``mail_dir``."""
    db = connection.settings_dict
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "HERNING_ENV": "test",
        "HERNING_READ_DOTENV": "0",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        # django-environ drops one slash of the path: four make an absolute one.
        "EMAIL_URL": f"filemail:///{mail_dir.resolve()}",
        "LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


class Worker:
    """``celery -A herning worker`` in a process of its own (one process: the task runs in it)."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    celery,
                    "-A",
                    "herning",
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--without-mingle",
                    "--without-gossip",
                    "--hostname",
                    f"fault-{os.getpid()}-{time.monotonic_ns()}@%h",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(
            lambda: b"ready." in self.log.read_bytes() or self.process.poll() is not None,
            timeout=60,
            what="the Celery worker to start",
        )
        assert self.process.poll() is None, self.log.read_text(errors="replace")
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, nothing flushed."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def producer(redis_url: str):
    """A Celery client on ``redis_url`` that sends tasks by name, as beat does."""
    from celery import Celery

    # Not the current app: the project's shared tasks must keep resolving to the project's app
    # (and its broker) in the tests that run after this one in the same process.
    return Celery("fault-test-producer", broker=redis_url, backend=redis_url, set_as_current=False)


def sent_reminder_ids(mail_dir: Path) -> list[int]:
    """The reminder ids of every e-mail the file backend wrote (one header per message)."""
    ids = []
    for path in sorted(mail_dir.glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("X-Herning-Reminder:"):
                ids.append(int(line.split(":", 1)[1]))
    return ids
