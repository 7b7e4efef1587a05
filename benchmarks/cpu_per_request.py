"""Each endpoint of the national benchmark, one request at a time, in-process: the web process's own
CPU time, its queries and their database time per request. For comparing two versions of the code
on a shared machine, where the concurrent benchmark's wall times move with everyone else's load.

    BENCHMARK_DATABASE_URL=… .venv/bin/python -m benchmarks.cpu_per_request --json before.json
    .venv/bin/python -m benchmarks.cpu_per_request --compare before.json after.json

Why CPU time: ``time.process_time`` counts only the moments this process ran, so another process on
the same cores slows it much less than it slows the wall clock (it still shares caches, so run the
two versions alternately, in the same hour, and compare medians). The query count is exact. The
database time is wall time around each statement and moves with the load like the wall clock.

It uses only what every version of ``benchmarks.run_national`` since the national dataset has
(``endpoints()``, ``people()``), so the same file can be copied into an older checkout (``git
worktree add``) and run there against that checkout's own dataset (``python -m
benchmarks.run_national --skip dubu`` builds it, with its deadlines swept). The measured endpoints
are the benchmark's: Min dag, the team overview, the case page, the case list, a measure's
follow-up page, recording a follow-up, and the API's reads.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import time
from pathlib import Path


def _client(person, endpoint):
    from django.test import Client

    from benchmarks.run_national import logged_in_client
    from herning.organisation.models import User

    if endpoint.kind == "api":
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {person.token}"
        return client
    # Logged in as the benchmark's plans log in: through the project's own backend (a session
    # naming a backend the settings do not list is no login, and every page would answer with
    # the redirect to the login page).
    return logged_in_client(User.objects.get(pk=person.user_id), person.device)


def measure(rounds: int, count: int) -> dict[str, dict]:
    """``rounds`` requests per person of each endpoint for ``count`` people (after one warm-up each):
    the median CPU and database milliseconds per request and the query counts seen."""
    from django.db import connection

    from benchmarks import run_national
    from herning.organisation.models import Role

    today = datetime.date.today()
    advisors = run_national.people(count, Role.ADVISOR, server_env="production")
    leaders = run_national.people(max(2, count // 2), Role.TEAM_LEADER, server_env="production")
    spent_in_db = {"seconds": 0.0, "queries": 0}

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent_in_db["seconds"] += time.perf_counter() - start
            spent_in_db["queries"] += 1

    results = {}
    for endpoint in run_national.endpoints():
        persons = advisors if endpoint.who == "advisor" else leaders
        cpu, db, queries = [], [], []
        for person in persons:
            client = _client(person, endpoint)
            for turn in range(rounds + 1):
                method, path, data = endpoint.request(person, today)
                spent_in_db.update(seconds=0.0, queries=0)
                start = time.process_time()
                with connection.execute_wrapper(timed):
                    extra = {"HTTP_HX_REQUEST": "true"} if endpoint.htmx else {}
                    answer = (
                        client.post(path, data, **extra) if method == "POST" else client.get(path, **extra)
                    )
                spent = time.process_time() - start
                # A read must answer with its page; a write may answer with the redirect after it.
                if answer.status_code != 200 and not (method == "POST" and answer.status_code == 302):
                    raise SystemExit(f"{endpoint.slug}: {method} {path} answered {answer.status_code}")
                if turn:  # the first is the warm-up
                    cpu.append(spent * 1000)
                    db.append(spent_in_db["seconds"] * 1000)
                    queries.append(spent_in_db["queries"])
        results[endpoint.slug] = {
            "label": endpoint.label,
            "cpu_ms": statistics.median(cpu),
            "db_ms": statistics.median(db),
            "queries": sorted(set(queries)),
            "requests": len(cpu),
        }
        print(
            f"{endpoint.label[:58]:<58} cpu {results[endpoint.slug]['cpu_ms']:7.1f} ms  db "
            f"{results[endpoint.slug]['db_ms']:6.1f} ms  queries {results[endpoint.slug]['queries']}",
            flush=True,
        )
    return results


def compare(paths: list[str]) -> None:
    """A Markdown table of several runs' medians, endpoint by endpoint (the first run's order)."""
    runs = [(Path(p).stem, json.loads(Path(p).read_text())) for p in paths]
    head = " | ".join(f"{name} cpu ms | {name} queries" for name, _ in runs)
    print(f"| endpoint | {head} |")
    print("|---|" + "---:|---:|" * len(runs))
    for slug, first in runs[0][1]["endpoints"].items():
        cells = []
        for _name, run in runs:
            row = run["endpoints"].get(slug)
            cells += [f"{row['cpu_ms']:.1f}", "/".join(map(str, row["queries"]))] if row else ["–", "–"]
        print(f"| {first['label']} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="requests per person and endpoint")
    parser.add_argument("--people", type=int, default=4, help="advisors (team leaders: half, at least 2)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--compare", nargs="+", metavar="JSON", help="print a table of earlier runs instead")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare)
        return

    os.environ["HERNING_ENV"] = "production"
    from benchmarks.dataset import DEFAULT_URL, configure

    configure(os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    results = measure(args.rounds, args.people)
    if args.json:
        record = {"load": os.getloadavg(), "when": datetime.datetime.now().isoformat(), "endpoints": results}
        Path(args.json).write_text(json.dumps(record, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
