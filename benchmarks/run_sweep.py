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
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from benchmarks.dataset import configure

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/herning_bench"
RESULTS = Path(__file__).with_name("RESULTS_SWEEP.md")
TARGETS = {"full": 60.0, "incremental": 5.0}


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


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def timed_sweeps() -> list[tuple]:
    """Run and time the sweeps of a day in the current database: a first full sweep (every deadline
    built), a nightly one with nothing changed, and incremental ones. Returns
    ``(label, mode, seconds, target, SweepRun)`` per run; ``benchmarks.run_national`` uses it too."""
    from django.utils import timezone

    from followups import sweep

    now = timezone.now()
    runs = [
        ("full", "Full sweep, first run: every deadline built, reminders written", now),
        ("full", "Full sweep, nothing changed (the nightly run)", now),
        ("incremental", "Incremental sweep, nothing changed", now),
        (
            "incremental",
            "Incremental sweep the next morning (new reminder stages reached)",
            now + datetime.timedelta(days=1),
        ),
        ("incremental", "Incremental sweep again, nothing changed", now + datetime.timedelta(days=1)),
    ]
    rows = []
    for mode, label, moment in runs:
        t0 = time.perf_counter()
        run = sweep.run(mode=mode, now=moment, dispatch=False)
        seconds = time.perf_counter() - t0
        target = TARGETS[mode]
        rows.append((label, mode, seconds, target, run))
        print(
            f"{label:<70} {seconds:7.2f} s  (target < {target:.0f} s)  checked {run.deadlines_checked:,}, "
            f"changed {run.deadlines_changed:,}, reminders {run.reminders_created:,}, errors {run.errors}"
        )
    return rows


def sweep_table(rows: list[tuple]) -> list[str]:
    """The sweeps' Markdown table."""
    table = [
        "| run | mode | seconds | target | deadlines checked | deadlines changed | reminders written | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, mode, seconds, target, run in rows:
        ok = "✓" if seconds < target else "✗"
        table.append(
            f"| {label} | {mode} | {seconds:.2f} {ok} | < {target:.0f} s | {run.deadlines_checked:,} | "
            f"{run.deadlines_changed:,} | {run.reminders_created:,} | {run.errors} |"
        )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=100_000)
    parser.add_argument("--followups", type=int, default=1_000_000)
    parser.add_argument("--no-results", action="store_true", help="print only; do not write RESULTS_SWEEP.md")
    args = parser.parse_args(argv)

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

    rows = timed_sweeps()
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
        command = "python -m benchmarks.run_sweep" + (
            f" --measures {args.measures} --followups {args.followups}"
            if (args.measures, args.followups) != (100_000, 1_000_000)
            else ""
        )
        text = [
            "# Reminder sweep benchmark",
            "",
            f"Run on {datetime.date.today().isoformat()} with `{command}` (issue 4, point 12).",
            "",
            f"Data: {generated.measures:,} open measures with {generated.followups:,} past follow-ups "
            f"({generated.teams} teams, {generated.advisors:,} advisors), generated in {generation:.0f} s; "
            f"{open_deadlines:,} open deadlines and {reminders:,} reminders after the runs.",
            "",
            *table,
            "",
            "A full sweep recomputes every open deadline from its source (each open measure's schedule "
            "from its rule and its follow-ups, by the engine, in batches of 2,000), writes those that "
            "changed (compared by fingerprint), then writes the reminders of every deadline whose check "
            'is due or that lies inside a reminder window ("deadlines checked" counts both). An '
            "incremental sweep reads only the deadlines whose `next_check_at` has passed (a partial "
            "index). The sweeps ran in-process; e-mail delivery (a separate task reading the outbox) is "
            "not timed.",
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
    return 0 if all(seconds < target for _, _, seconds, target, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
