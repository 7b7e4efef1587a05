"""Time "Min dag" and the team overview on a large synthetic municipality, in a database of its own.

    .venv/bin/python -m benchmarks.run_dashboards                    # the sweep benchmark's data
    .venv/bin/python -m benchmarks.run_dashboards --measures 20000 --followups 200000 --no-results

The data is the reminder sweep's (``benchmarks.generator``: 100,000 open measures with 1,000,000
past follow-ups, 40 teams of 25 advisors), with every deadline computed as the nightly sweep does.
Each page is requested in-process (Django's test client: middleware, queries and template, the
server's share of a request) for a sample of advisors and team leaders, after one warm-up request
each. The database (``BENCHMARK_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/herning_bench_dashboards``) is dropped and created again.
Results are printed and written to ``benchmarks/DASHBOARDS.md``. Target (issue 5, point 6): under
300 ms at the 95th percentile.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

from benchmarks.dataset import configure
from benchmarks.run_sweep import _load, _machine, _recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/herning_bench_dashboards"
RESULTS = Path(__file__).with_name("DASHBOARDS.md")
TARGET_MS = 300.0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


def _client_for(user):
    """A test client logged in as ``user`` past the second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
    client.force_login(user, backend="herning.accounts.backends.StaffModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _time_page(users, url: str, rounds: int) -> list[float]:
    timings = []
    for user in users:
        client = _client_for(user)
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code} for {user.username}")
        for _ in range(rounds):
            t0 = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=100_000)
    parser.add_argument("--followups", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10, help="advisors and team leaders sampled, each")
    parser.add_argument("--rounds", type=int, default=5, help="timed requests per person and page")
    parser.add_argument("--no-results", action="store_true", help="print only; do not write DASHBOARDS.md")
    args = parser.parse_args(argv)

    url = os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_URL)
    configure(url)
    _recreate_database(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.generator import Scale, generate
    from cases.models import Case
    from followups import deadlines
    from herning.organisation.models import Role, User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    load_before = _load()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    generated = generate(Scale(measures=args.measures, followups=args.followups))
    deadlines.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    preparation = time.perf_counter() - started
    print(
        f"Generated {generated.measures:,} measures, {generated.followups:,} follow-ups in {preparation:.0f} s"
    )

    advisors = list(User.objects.with_role(Role.ADVISOR).order_by("pk")[: args.users])
    leaders = list(User.objects.with_role(Role.TEAM_LEADER).order_by("pk")[: args.users])
    pages = [
        ("Min dag (/min-dag/)", "/min-dag/", advisors),
        ("Teamoverblik (/team/)", "/team/", leaders),
    ]
    rows = []
    for label, path, users in pages:
        timings = _time_page(users, path, args.rounds)
        p50, p95 = _percentile(timings, 0.5), _percentile(timings, 0.95)
        rows.append((label, len(timings), p50, p95, max(timings), statistics.mean(timings)))
        print(
            f"{label:<28} n={len(timings):<4} p50 {p50:6.0f} ms  p95 {p95:6.0f} ms  max {max(timings):6.0f} ms"
        )
    load_after = _load()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    per_advisor = Case.objects.count() / max(generated.advisors, 1)
    table = [
        "| page | requests | p50 | p95 | max | target (p95) |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {label} | {n} | {p50:.0f} ms | {p95:.0f} ms {'✓' if p95 < TARGET_MS else '✗'} | {top:.0f} ms "
            f"| < {TARGET_MS:.0f} ms |"
            for label, n, p50, p95, top, _mean in rows
        ),
    ]
    print()
    print("\n".join(table))
    if not args.no_results:
        command = "python -m benchmarks.run_dashboards" + (
            f" --measures {args.measures} --followups {args.followups}"
            if (args.measures, args.followups) != (100_000, 1_000_000)
            else ""
        )
        text = [
            "# Dashboards benchmark",
            "",
            f"Run on {datetime.date.today().isoformat()} with `{command}` (issue 5, point 6).",
            "",
            f"Data: the reminder sweep's synthetic municipality, {generated.measures:,} open measures with "
            f"{generated.followups:,} past follow-ups ({generated.teams} teams, {generated.advisors:,} "
            f"advisors, about {per_advisor:.0f} open cases per advisor: four times the cap, so the pages "
            "are timed well above a real team's size), every deadline computed.",
            "",
            *table,
            "",
            f"Server time in-process (Django's test client: middleware, queries, template), {args.rounds} "
            f"requests per person after one warm-up, for {len(advisors)} advisors and {len(leaders)} team "
            "leaders.",
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
    return 0 if all(p95 < TARGET_MS for _label, _n, _p50, p95, _top, _mean in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
