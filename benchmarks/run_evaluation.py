"""Every evaluation page, in-process, with the server's time per page (issue 21 point 8).

    DATABASE_URL=postgres://…/herning_dev .venv/bin/python -m benchmarks.run_evaluation
    BENCHMARK_DATABASE_URL=postgres://…/herning_bench_national .venv/bin/python -m benchmarks.run_evaluation --national

Requests each section of the evaluation pages (``evaluation.views.SECTIONS``) for each period
choice (calendar years, half-years, rolling twelve months) as a manager and as a team leader, through
Django's test client with every middleware and DEBUG off, and prints per page the median wall time,
the Python CPU time, the database time and the number of statements (timed around each statement
with ``connection.execute_wrapper``). The target: 300 ms on the demo data, 1 s on the national
dataset (``--national``: the largest municipality's manager and team leader). ``--queries`` lists the
statements of the slowest page; ``--profile`` prints cProfile's top functions of the slowest page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

PERIODS = ("year", "half", "rolling")


def _people(national: bool):
    """A manager and a team leader of the municipality with the most snapshot rows."""
    from django.db.models import Count

    from evaluation.models import SnapshotDay
    from herning.organisation.models import Role, RoleAssignment, User

    biggest = (
        SnapshotDay.objects.values("municipality")
        .annotate(n=Count("id"))
        .order_by("-n", "municipality")
        .values_list("municipality", flat=True)
        .first()
    )
    if biggest is None:
        raise SystemExit("No snapshots: seed the demo data (or backfill the snapshots) first.")
    people = []
    for role in (Role.MANAGEMENT, Role.TEAM_LEADER):
        ids = RoleAssignment.objects.filter(role=role, user__municipality_id=biggest, user__is_active=True)
        if not national and role == Role.MANAGEMENT:
            ids = ids.filter(user__username="chef") or ids
        user = User.objects.filter(pk__in=ids.values("user_id")).order_by("pk").first()
        if user is None and national and role == Role.MANAGEMENT:
            # The national dataset has advisors and team leaders only: add a manager to it.
            user = User.objects.create(username=f"b-management-{biggest}", municipality_id=biggest)
            RoleAssignment.objects.create(user=user, role=role)
        if user is None:
            raise SystemExit(f"No {role} in municipality {biggest}.")
        people.append((str(role), user))
    return people


def _client(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks.run_national import logged_in_client

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="benchmark", confirmed=True
    )
    return logged_in_client(user, device)


def _pages(user):
    """(label, path) of every section and period choice the person may see."""
    from evaluation import selectors
    from evaluation.scope import scope_for, sees_whole_municipality
    from evaluation.views import SECTIONS

    first, last = selectors.coverage(scope_for(user))
    years = f"year_from={max(first.year, last.year - 1)}&year_to={last.year}"
    whole = sees_whole_municipality(user)
    for section in SECTIONS:
        if section.management_only and not whole:
            continue
        path = f"/evaluering/{section.key}/"
        if section.form == "years":
            for granularity in PERIODS:
                yield f"{section.key} ({granularity})", f"{path}?{years}&granularity={granularity}"
            # A range that ends before the last night: nothing computed that night is for it (the
            # follow-ups due are computed by the engine on the page).
            if first.year < last.year:
                earlier = last.year - 1
                yield (
                    f"{section.key} (earlier year)",
                    f"{path}?year_from={earlier}&year_to={earlier}&granularity=half",
                )
        else:
            yield section.key, path


def _measure(client, path: str, rounds: int):
    from django.db import connection

    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - start) * 1000, sql))

    status = client.get(path).status_code  # warm-up, and a check
    if status != 200:
        raise SystemExit(f"{path} answered {status}.")
    wall, cpu, db, counts = [], [], [], []
    with connection.execute_wrapper(timed):
        for _round in range(rounds):
            statements.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            db.append(sum(ms for ms, _sql in statements))
            counts.append(len(statements))
    return (
        statistics.median(wall),
        statistics.median(cpu),
        statistics.median(db),
        max(counts),
        list(statements),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--national", action="store_true", help="the benchmark database (1 s target)")
    parser.add_argument("--rounds", type=int, default=3, help="timed requests per page")
    parser.add_argument("--only", default="", help="only pages whose label contains this")
    parser.add_argument("--queries", action="store_true", help="list the slowest page's statements")
    parser.add_argument("--profile", action="store_true", help="cProfile the slowest page once")
    args = parser.parse_args()

    if args.national:
        from benchmarks.dataset import DEFAULT_URL, configure

        configure(os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_URL))
    else:
        os.environ.setdefault("HERNING_ENV", "test")
        os.environ.setdefault("CELERY_BROKER_URL", "memory://")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herning.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    target = 1000 if args.national else 300
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'page':<34} {'role':<12} {'wall ms':>8} {'CPU ms':>8} {'db ms':>8} {'queries':>7}")
    slowest = None
    misses = 0
    for role, user in _people(args.national):
        client = _client(user)
        for label, path in _pages(user):
            if args.only not in label:
                continue
            wall, cpu, db, count, statements = _measure(client, path, args.rounds)
            mark = "" if wall <= target else " ✗"
            misses += bool(mark)
            print(f"{label:<34} {role:<12} {wall:8.1f} {cpu:8.1f} {db:8.1f} {count:7d}{mark}")
            if slowest is None or wall > slowest[0]:
                slowest = (wall, label, role, client, path, statements)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"target {target} ms; pages over it: {misses}")
    if slowest is None:
        return
    wall, label, role, client, path, statements = slowest
    print(f"slowest: {label} as {role}, {wall:.1f} ms ({path})")
    if args.queries:
        for ms, sql in sorted(statements, reverse=True)[:25]:
            print(f"{ms:8.2f} ms  {' '.join(sql.split())[:200]}")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(client.get, path)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(
            int(os.environ.get("PROFILE_LINES", "40"))
        )


if __name__ == "__main__":
    main()
