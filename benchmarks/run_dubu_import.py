"""Time the DUBU import of a large file, in a database of its own (issue 7, point 9).

    .venv/bin/python -m benchmarks.run_dubu_import                 # 10,000 rows
    .venv/bin/python -m benchmarks.run_dubu_import --rows 2000 --no-results

The database (``BENCHMARK_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/herning_bench_dubu``)
is dropped and created again. A municipality of 8 districts, 16 teams and 400 advisors is made,
then a DUBU file of ``--rows`` rows (a case has one to three measures: a third ended, most with a
last follow-up) is imported by a team leader of every team: first as a dry run, then for real,
then again (nothing changes), and the cases are exported. Target: the import under 30 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

from benchmarks.dataset import configure
from benchmarks.run_sweep import _load, _machine, _recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/herning_bench_dubu"
RESULTS = Path(__file__).with_name("RESULTS_DUBU.md")
TARGET = 30.0
DISTRICTS, TEAMS_PER_DISTRICT, ADVISORS_PER_TEAM = 8, 2, 25


def _organisation():
    from herning.organisation.models import District, Municipality, Role, RoleAssignment, Team, User

    # A municipality of its own, also in a database that holds others (benchmarks.run_national,
    # which may run on a reused database: then the next free code).
    code = next(str(c) for c in range(999, 900, -1) if not Municipality.objects.filter(code=str(c)).exists())
    prefix = "" if code == "999" else f"k{code}-"
    municipality = Municipality.objects.create(name=f"DUBU-benchmark {code}", code=code)
    leader = User.objects.create(username=f"{prefix}dubu", municipality=municipality, first_name="DUBU")
    advisors = []
    for d in range(DISTRICTS):
        district = District.objects.create(municipality=municipality, name=f"Distrikt {d + 1}")
        for t in range(TEAMS_PER_DISTRICT):
            team = Team.objects.create(district=district, name=f"Team {d + 1}{'AB'[t]}")
            RoleAssignment.objects.create(user=leader, role=Role.TEAM_LEADER, team=team)
            for a in range(ADVISORS_PER_TEAM):
                user = User.objects.create(
                    username=f"{prefix}r{d + 1}{'ab'[t]}{a:02d}",
                    municipality=municipality,
                    first_name=f"Rådgiver {a}",
                )
                RoleAssignment.objects.create(user=user, role=Role.ADVISOR, team=team)
                advisors.append((user.username, district.name))
    return leader, advisors


def _file(rows: int, advisors, today: datetime.date, rng: random.Random) -> bytes:
    from dubu.defaults import CODE_TABLE
    from dubu.models import FIELDS

    codes = [(s, o, lb, code) for s, o, lb, code in CODE_TABLE]
    lines = [";".join(label for _f, label in FIELDS)]
    case_no, serial, used = 0, 0, set()
    while len(lines) - 1 < rows:
        case_no += 1
        username, district = advisors[case_no % len(advisors)]
        birth = today - datetime.timedelta(days=rng.randint(365 * 2, 365 * 17))
        cpr = ""
        while not cpr or cpr in used:
            serial += 1
            cpr = f"{birth:%d%m}{birth.year % 100:02d}4{serial % 1000:03d}"
        used.add(cpr)
        first, last = (
            rng.choice(["Emma", "Noah", "Ida", "Oscar", "Freja"]),
            rng.choice(["Nielsen", "Jensen", "Berg"]),
        )
        measures = set()  # (measure type, start): the import refuses the same measure twice
        for _n in range(min(rng.choice([1, 1, 1, 2, 2, 3]), rows - (len(lines) - 1))):
            service, offer, legal, code = rng.choice(codes)
            start = today - datetime.timedelta(days=rng.randint(30, 3 * 365))
            while (code, start) in measures:
                start -= datetime.timedelta(days=1)
            measures.add((code, start))
            end = start + datetime.timedelta(days=rng.randint(30, 400)) if rng.random() < 0.33 else None
            if end and end >= today:
                end = None
            last_day = end or today
            followup = (
                start + datetime.timedelta(days=rng.randint(0, (last_day - start).days))
                if rng.random() < 0.7
                else None
            )
            fmt = "%d-%m-%Y"
            lines.append(
                ";".join(
                    [
                        f"B-{case_no}",
                        cpr,
                        first,
                        last,
                        username,
                        district,
                        service,
                        offer,
                        legal,
                        start.strftime(fmt),
                        end.strftime(fmt) if end else "",
                        "Leverandør A/S",
                        followup.strftime(fmt) if followup else "",
                    ]
                )
            )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def timed_import(rows: int) -> tuple[bytes, list[tuple], float, dict[str, int]]:
    """Make a municipality and a DUBU file of ``rows`` rows for it, import it (dry run, for real,
    again) and export it, timed, in the current database. Returns the file, ``(label, seconds,
    report)`` per import, the export's seconds and the row counts after; ``benchmarks.run_national``
    uses it too."""
    from django.utils import timezone

    from cases.models import Case, Child
    from dubu import exporter
    from dubu.importer import import_file
    from dubu.models import MappingProfile
    from followups.models import FollowUp
    from measures.models import LadderMovement, Measure

    leader, advisors = _organisation()
    content = _file(rows, advisors, timezone.localdate(), random.Random("herning-dubu-benchmark"))
    print(f"File: {rows:,} rows, {len(content) / 1024 / 1024:.1f} MB")

    results = []
    for label, kwargs in (
        ("Dry run of the first import", {"dry_run": True}),
        ("First import: everything new", {}),
        ("The same file again: nothing changes", {}),
    ):
        t0 = time.perf_counter()
        report = import_file(content=content, file_name="dubu.csv", user=leader, **kwargs).as_dict()
        seconds = time.perf_counter() - t0
        results.append((label, seconds, report))
        print(
            f"{label:<40} {seconds:6.2f} s  rows created/updated/unchanged/bad: {report['created_rows']:,}/"
            f"{report['updated_rows']:,}/{report['unchanged_rows']:,}/{report['bad_rows']:,}  created: {report['created']}"
        )
        if report["errors"]:
            print("  first errors:", report["errors"][:3])
    t0 = time.perf_counter()
    exported = exporter.export_csv(user=leader, profile=MappingProfile.default())
    export_seconds = time.perf_counter() - t0
    print(f"{'Export of every case':<40} {export_seconds:6.2f} s  {len(exported) / 1024 / 1024:.1f} MB")
    counts = {
        "children": Child.objects.count(),
        "cases": Case.objects.count(),
        "measures": Measure.objects.count(),
        "ladder movements": LadderMovement.objects.count(),
        "follow-ups": FollowUp.objects.count(),
    }
    return content, results, export_seconds, counts


def import_table(results: list[tuple], export_seconds: float) -> list[str]:
    """The imports' Markdown table."""
    return [
        "| run | seconds | rows created | rows updated | rows unchanged | bad rows |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {label} | {seconds:.2f}{' ✓' if 'First' in label and seconds < TARGET else ''} | "
            f"{r['created_rows']:,} | {r['updated_rows']:,} | {r['unchanged_rows']:,} | {r['bad_rows']:,} |"
            for label, seconds, r in results
        ),
        f"| Export of every case (CSV) | {export_seconds:.2f} | | | | |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--no-results", action="store_true", help="print only; do not write RESULTS_DUBU.md")
    args = parser.parse_args(argv)

    url = os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_URL)
    configure(url)
    _recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    load_before = _load()
    call_command("migrate", verbosity=0)
    content, results, export_seconds, counts = timed_import(args.rows)
    load_after = _load()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    first = results[1][1]
    table = import_table(results, export_seconds)
    print()
    print("\n".join(table))
    if not args.no_results:
        command = "python -m benchmarks.run_dubu_import" + (
            f" --rows {args.rows}" if args.rows != 10_000 else ""
        )
        text = [
            "# DUBU import benchmark",
            "",
            f"Run on {datetime.date.today().isoformat()} with `{command}` (issue 7, point 9: "
            f"importing 10,000 rows under {TARGET:.0f} s).",
            "",
            f"File: {args.rows:,} rows ({len(content) / 1024 / 1024:.1f} MB, semicolon CSV, UTF-8) for a "
            f"municipality of {DISTRICTS} districts, {DISTRICTS * TEAMS_PER_DISTRICT} teams and "
            f"{DISTRICTS * TEAMS_PER_DISTRICT * ADVISORS_PER_TEAM} advisors; imported by a team leader of every team. After the import: "
            + ", ".join(f"{v:,} {k}" for k, v in counts.items())
            + ".",
            "",
            *table,
            "",
            f"The first import took {first:.1f} s (target < {TARGET:.0f} s). It reads and checks every row "
            "against what it would touch (loaded in a fixed number of queries), then writes new children, "
            "cases, measures (with their ladder movements, the cases' state and step, the plans due for "
            "placements) and follow-ups in batches through the apps' bulk services, and recomputes the "
            "deadline table for the new measures in one batch. Importing the same file again reads and "
            "compares, and writes nothing.",
            "",
            "## Machine",
            "",
            *(f"- {k}: {v}" for k, v in {**_machine(), "PostgreSQL": pg}.items()),
            f"- Load average (1/5/15 min) before: {load_before}; after: {load_after}",
            "- The machine is shared with other developers' test runs; a load average near or above the "
            "number of cores means the figures are slower than on a quiet machine.",
            "",
        ]
        RESULTS.write_text("\n".join(text), encoding="utf-8")
        print(f"\nWrote {RESULTS}")
    return 0 if first < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
