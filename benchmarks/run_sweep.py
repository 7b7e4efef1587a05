"""Time the reminder sweep on a large synthetic municipality, in a database of its own.

    .venv/bin/python -m benchmarks.run_sweep                      # 100,000 measures, 1,000,000 follow-ups
    .venv/bin/python -m benchmarks.run_sweep --measures 10000 --followups 100000 --no-results

The database (``BENCHMARK_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/herning_bench``)
is dropped and created again. The results are printed as a table and written to
``benchmarks/RESULTS_SWEEP.md`` with the machine's details. Targets (issue 4): a full sweep under 60 s
and an incremental sweep under 5 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from benchmarks.dataset import configure
from benchmarks.memory import PeakMemory, verdict

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/herning_bench"
RESULTS = Path(__file__).with_name("RESULTS_SWEEP.md")
ROOT = Path(__file__).resolve().parent.parent
# Issue 4: a full sweep under 60 s, an incremental one under 5 s. Issue 22: the first full sweep
# (every deadline built) under 45 s with 2 worker processes, at least 1.6 times as fast as with 1,
# and the nightly run with nothing changed under 5 s.
TARGETS = {"full": 60.0, "first": 45.0, "nightly": 5.0, "incremental": 5.0}
SPEED_UP_TARGET = 1.6
# Issue 22, point 6: the peak resident memory of one worker process during the first full sweep.
WORKER_MEMORY_TARGET_MB = 500


def _recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _machine() -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "Memory": memory,
        "OS": platform.platform(),
        "Python": platform.python_version(),
    }


def cpu_counters() -> tuple[int, int] | None:
    """The machine's (stolen, total) CPU time since boot, in ticks (``/proc/stat``): time the host
    gave this virtual machine's cores to someone else is "steal"."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    # user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user]
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def steal_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> str:
    if before is None or after is None or after[1] <= before[1]:
        return "unknown"
    return f"{100 * (after[0] - before[0]) / (after[1] - before[1]):.1f} %"


def speed_reference() -> float:
    """Milliseconds one core takes for a fixed piece of plain Python (the best of five): the same
    code runs slower on a slower or busier host, so runs from different days compare through it."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


class Workers:
    """``celery -A herning worker`` with ``processes`` worker processes (prefork), on the database
    Django is configured for and the Redis at ``redis_url``: the workers a full sweep shares."""

    def __init__(self, processes: int, redis_url: str):
        self.processes, self.redis_url = processes, redis_url
        self.log = Path(tempfile.mkstemp(prefix=f"sweep-workers-{processes}-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None
        self.memory: PeakMemory | None = None

    def __enter__(self) -> Workers:
        from django.db import connection

        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "LOG_LEVEL": "WARNING",
        }
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    celery,
                    "-A",
                    "herning",
                    "worker",
                    "--pool=prefork",
                    f"--concurrency={self.processes}",
                    "--loglevel=INFO",
                    "--without-mingle",
                    "--without-gossip",
                    "--hostname",
                    f"sweep-benchmark-{os.getpid()}-{self.processes}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while b"ready." not in self.log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The Celery worker did not start: {self.log.read_text(errors='replace')}")
            time.sleep(0.2)  # waiting on another process
        self.memory = PeakMemory(self.process.pid).__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.memory is not None:
            self.memory.__exit__(*exc)
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.unlink(missing_ok=True)

    def full_sweep(self, *, recompute_all: bool = False):
        """Send the nightly task as the scheduler does and wait for the run it starts to finish."""
        from celery import Celery

        from followups.models import SweepRun

        producer = Celery("sweep-benchmark", broker=self.redis_url, set_as_current=False)
        # Celery prefers the environment's CELERY_BROKER_URL (memory:// in a benchmark process).
        producer.conf.broker_write_url = self.redis_url
        last = SweepRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        # Without the e-mail delivery afterwards: it would take a worker process from the next run.
        producer.send_task(
            "followups.sweep", kwargs={"mode": "full", "recompute_all": recompute_all, "dispatch": False}
        )
        deadline = time.monotonic() + 3600
        while True:
            run = SweepRun.objects.filter(pk__gt=last, mode=SweepRun.Mode.FULL).order_by("pk").first()
            if run is not None and run.finished_at is not None:
                return run
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"The sweep did not finish: {self.log.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.05)  # waiting on the workers


def _forget_deadlines() -> None:
    """Back to the state before the first full sweep: no deadline, reminder or input digest."""
    from django.db import connection

    from followups.models import Deadline, DeadlineInput
    from measures.models import Measure

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Deadline._meta.db_table}, {DeadlineInput._meta.db_table} CASCADE")
        cursor.execute(
            f"UPDATE {Measure._meta.db_table} SET next_followup_due = NULL WHERE next_followup_due IS NOT NULL"
        )
        # Without the dead rows the update left, so each run starts from the same measure table.
        cursor.execute(f"VACUUM ANALYZE {Measure._meta.db_table}")
        cursor.execute("ANALYZE")


def _settle() -> None:
    """What production's database does between a first full sweep and the next night, done now:
    autovacuum (off on the benchmark machine) vacuums and analyses the tables the sweep rewrote
    (700,000 new rows), and a checkpoint writes what it left in memory. Without it the nightly run,
    started seconds after 2 GB of writes, pays for marking every new row as committed (the first
    reader of a row does) and for the checkpoint's writes: 4.4 s in one run and 7.4 s in the next,
    the same code, in the findings of 5 December 2026."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    print(
        f"(VACUUM ANALYZE and CHECKPOINT before the nightly run: {time.perf_counter() - started:.1f} s)",
        flush=True,
    )


def _timed(rows: list, label: str, mode: str, target: float, work, memory: PeakMemory | None = None) -> None:
    """Run ``work`` and keep its row; with ``memory`` (the workers' sampler), the highest resident
    memory any worker process has held by the end of this run."""
    t0 = time.perf_counter()
    run = work()
    seconds = time.perf_counter() - t0
    load = os.getloadavg()[0]
    if memory is not None:
        memory.sample()
    peak = memory.peak_mb if memory is not None else None
    rows.append((label, mode, seconds, target, run, load, peak))
    print(
        f"{label:<78} {seconds:7.2f} s  (target < {target:.0f} s, load {load:.1f}"
        f"{f', peak worker {peak:.0f} MB' if peak else ''})  checked "
        f"{run.deadlines_checked:,}, changed {run.deadlines_changed:,}, skipped {run.records_skipped:,}, "
        f"reminders {run.reminders_created:,}, errors {run.errors}",
        flush=True,
    )


def timed_sweeps(processes: tuple[int, ...] = (1, 2), redis_url: str | None = None) -> list[tuple]:
    """Run and time the sweeps of a day in the current database. With ``processes`` (e.g. 1 and 2),
    the first full sweep (every deadline built) once on real workers with each number of worker
    processes (the deadlines forgotten before each), then, on the last, the nightly run with
    nothing changed and a recomputation of everything (to compare); without, the same in this
    process. Then incremental sweeps in this process. Returns ``(label, mode, seconds, target,
    SweepRun, load)`` per run; ``benchmarks.run_national`` uses it too."""
    from django.utils import timezone

    from followups import sweep

    rows: list[tuple] = []
    redis_url = redis_url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if processes:
        for n, count in enumerate(processes):
            # Every run from no deadline, the first included: a database reused from an earlier
            # run (``run_national --reuse``) holds that run's deadlines, and a "first" sweep over
            # them was a nightly run that checked 297,880 and changed none (the findings of
            # 7 December 2026, run R2).
            _forget_deadlines()
            with Workers(count, redis_url) as workers:
                label = f"{count} worker process{'es' if count > 1 else ''}"
                _timed(
                    rows,
                    f"Full sweep, first run: every deadline built, reminders written; {label}",
                    "full",
                    TARGETS["first" if count > 1 else "full"],
                    workers.full_sweep,
                    workers.memory,
                )
                if n == len(processes) - 1:
                    _settle()
                    _timed(
                        rows,
                        f"Full sweep, nothing changed (the nightly run); {label}",
                        "full",
                        TARGETS["nightly"],
                        workers.full_sweep,
                        workers.memory,
                    )
                    _timed(
                        rows,
                        f"Full recomputation of every schedule, to compare; {label}",
                        "full",
                        TARGETS["full"],
                        lambda: workers.full_sweep(recompute_all=True),
                        workers.memory,
                    )
    else:
        now = timezone.now()
        _timed(
            rows,
            "Full sweep, first run: every deadline built, reminders written; in-process",
            "full",
            TARGETS["full"],
            lambda: sweep.run(mode="full", now=now, dispatch=False),
        )
        _settle()
        _timed(
            rows,
            "Full sweep, nothing changed (the nightly run); in-process",
            "full",
            TARGETS["nightly"],
            lambda: sweep.run(mode="full", now=now, dispatch=False),
        )
        _timed(
            rows,
            "Full recomputation of every schedule, to compare; in-process",
            "full",
            TARGETS["full"],
            lambda: sweep.run(mode="full", now=now, dispatch=False, recompute_all=True),
        )
    now = timezone.now()
    for label, moment in (
        ("Incremental sweep, nothing changed", now),
        (
            "Incremental sweep the next morning (new reminder stages reached)",
            now + datetime.timedelta(days=1),
        ),
        ("Incremental sweep again, nothing changed", now + datetime.timedelta(days=1)),
    ):
        _timed(
            rows,
            label,
            "incremental",
            TARGETS["incremental"],
            lambda moment=moment: sweep.run(mode="incremental", now=moment, dispatch=False),
        )
    return rows


def speed_ups(rows: list[tuple]) -> tuple[list[float], int, int] | None:
    """The first full sweep's speed-up from the fewest worker processes to the most, once per pair
    of runs: the k-th run with the fewest over the k-th with the most (``--sweep-workers 1,2,1,2``
    alternates them, so a change in the machine's speed during the runs falls on both counts)."""
    firsts = [
        (int(label.rsplit("; ", 1)[1].split()[0]), seconds)
        for label, _mode, seconds, *_rest in rows
        if label.startswith("Full sweep, first run") and "worker process" in label
    ]
    counts = sorted({count for count, _s in firsts})
    if len(counts) < 2:
        return None
    few, many = counts[0], counts[-1]
    slow = [s for count, s in firsts if count == few]
    fast = [s for count, s in firsts if count == many]
    # A run without its pair (1,2,1) is left out.
    return [a / b for a, b in zip(slow, fast, strict=False)], few, many


def speed_up(rows: list[tuple]) -> tuple[float, int, int] | None:
    """The speed-up the target is judged on: the median of the pairs' (``speed_ups``)."""
    found = speed_ups(rows)
    if found is None:
        return None
    ratios, few, many = found
    return statistics.median(ratios), few, many


def sweep_table(rows: list[tuple]) -> list[str]:
    """The sweeps' Markdown table, and the speed-up of the first full sweep with more workers."""
    table = [
        "| run | mode | seconds | target | deadlines checked | deadlines changed | records skipped (unchanged) "
        "| reminders written | errors | load (1 min) | peak worker memory |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, mode, seconds, target, run, load, peak in rows:
        ok = "✓" if seconds < target else "✗"
        table.append(
            f"| {label} | {mode} | {seconds:.2f} {ok} | < {target:.0f} s | {run.deadlines_checked:,} | "
            f"{run.deadlines_changed:,} | {run.records_skipped:,} | {run.reminders_created:,} | {run.errors} | "
            f"{load:.1f} | {verdict(peak, WORKER_MEMORY_TARGET_MB)} |"
        )
    found = speed_ups(rows)
    if found:
        ratios, few, many = found
        ratio = statistics.median(ratios)
        ok = "✓" if ratio >= SPEED_UP_TARGET else "✗"
        pairs = (
            f", the median of {len(ratios)} alternated pairs ({', '.join(f'{r:.2f}×' for r in ratios)})"
            if len(ratios) > 1
            else ""
        )
        table += [
            "",
            f"Speed-up of the first full sweep from {few} to {many} worker processes: {ratio:.2f}× {ok}"
            f"{pairs} (target ≥ {SPEED_UP_TARGET}×).",
        ]
    return table


def all_ok(rows: list[tuple]) -> bool:
    found = speed_up(rows)
    return all(
        seconds < target and (peak is None or peak < WORKER_MEMORY_TARGET_MB)
        for _l, _m, seconds, target, _r, _load, peak in rows
    ) and (found is None or found[0] >= SPEED_UP_TARGET)


SWEEP_NOTES = [
    "A full sweep is cut into batches of 4,000 records (`followups.sweep`): the nightly task plans "
    "them and queues one Celery task per batch, which any worker claims in the database (SKIP LOCKED) "
    "and marks done with its work; the last batch done finishes the run. A rebuild batch recomputes "
    "the deadlines of one source's records, skipping those whose input digest and rows are unchanged "
    '("records skipped"; `followups.input_digests`); then reminder batches write the reminders of '
    "every deadline whose check is due, and of every one inside a reminder window when what the "
    "reminders depend on besides the deadline (days before, team leaders, active staff) changed since "
    'the last full sweep ("deadlines checked" counts the deadlines computed and those checked for '
    "reminders). The full recomputation ignores the digests: it writes nothing when the nightly run "
    "left everything right. Before the nightly run the benchmark runs `VACUUM ANALYZE` and "
    "`CHECKPOINT`, as autovacuum (off on this machine) and the hours before the next night would in "
    "production; without them the nightly run pays for marking the first sweep's 700,000 new rows "
    "committed, and took 4.4 s and 7.4 s in two runs of the same code. "
    "The worker runs start real `celery worker` processes (prefork) on Redis; "
    "the time runs from sending the task to the run's end as the benchmark sees it. The first full "
    "sweep runs once per worker count given (`--sweep-workers`, by default 1, 2, 1 and 2), each from "
    "the state before any sweep (deadlines, reminders and digests deleted, the measure table "
    "vacuumed); the speed-up is the median of the alternated pairs. An incremental "
    "sweep reads only the deadlines whose `next_check_at` has passed (a partial index), in-process. "
    "E-mail delivery (a separate task reading the outbox) is not timed. Load is the machine's "
    "1-minute load average as each run ended (2 cores).",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=100_000)
    parser.add_argument("--followups", type=int, default=1_000_000)
    parser.add_argument(
        "--workers",
        default="1,2",
        help="worker process counts for the first full sweep, comma-separated; empty: all in this process",
    )
    parser.add_argument("--no-results", action="store_true", help="print only; do not write RESULTS_SWEEP.md")
    args = parser.parse_args(argv)
    processes = tuple(int(n) for n in args.workers.split(",") if n.strip())

    url = os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_URL)
    configure(url)
    _recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.generator import Scale, generate
    from followups.models import Deadline, Reminder, SweepRun

    load_before = _load()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    generated = generate(Scale(measures=args.measures, followups=args.followups))
    generation = time.perf_counter() - started
    print(
        f"Generated {generated.measures:,} measures and {generated.followups:,} follow-ups in {generation:.0f} s"
    )

    rows = timed_sweeps(processes)
    load_after = _load()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]

    open_deadlines = Deadline.objects.filter(is_open=True).count()
    reminders = Reminder.objects.count()
    machine = {**_machine(), "PostgreSQL": pg}
    table = sweep_table(rows)
    print()
    print("\n".join(table))
    if not args.no_results:
        command = (
            "python -m benchmarks.run_sweep"
            + (
                f" --measures {args.measures} --followups {args.followups}"
                if (args.measures, args.followups) != (100_000, 1_000_000)
                else ""
            )
            + (f" --workers {args.workers}" if args.workers != "1,2" else "")
        )
        text = [
            "# Reminder sweep benchmark",
            "",
            f"Run on {datetime.date.today().isoformat()} with `{command}` (issue 4, point 12; issue 22, "
            "points 1 and 2).",
            "",
            f"Data: {generated.measures:,} open measures with {generated.followups:,} past follow-ups "
            f"({generated.teams} teams, {generated.advisors:,} advisors), generated in {generation:.0f} s; "
            f"{open_deadlines:,} open deadlines and {reminders:,} reminders after the runs.",
            "",
            *table,
            "",
            *SWEEP_NOTES,
            "",
            "## Machine",
            "",
            *(f"- {k}: {v}" for k, v in machine.items()),
            f"- Load average (1/5/15 min) before: {load_before}; after: {load_after}",
            "- The machine is shared with other developers' test runs; a load average near or above the "
            "number of cores means the figures are slower than on a quiet machine.",
            "",
        ]
        RESULTS.write_text("\n".join(text), encoding="utf-8")
        print(f"\nWrote {RESULTS}")
    SweepRun.objects.all().delete()
    return 0 if all_ok(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
