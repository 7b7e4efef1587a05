"""Build a synthetic dataset (``benchmarks.generator``) into a benchmark database of its own.

    .venv/bin/python -m benchmarks.dataset --scale national    # 100,000 cases, a few minutes
    .venv/bin/python -m benchmarks.dataset --scale small       # the smoke test's size
    .venv/bin/python -m benchmarks.dataset --scale national --reuse   # keep today's build

The database is ``BENCHMARK_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/herning_bench_national``),
dropped and created again: never point it at the development or test database. A small table
(``benchmark_dataset``) records which scale was built on which day, so a later run can reuse it.
"""

from __future__ import annotations

import json
import os
import sys
import time

SCALE_NAMES = ["national", "small"]


def _scales():
    from benchmarks.generator import SCALES

    return SCALES


DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/herning_bench_national"
MARKER = "benchmark_dataset"


def configure(url: str) -> None:
    """Point Django at the benchmark database (never the development or test database)."""
    os.environ.update(
        {
            "HERNING_ENV": "test",
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": "memory://",
            "DJANGO_SETTINGS_MODULE": "herning.settings",
            "LOG_LEVEL": "WARNING",
        }
    )


def existing(url: str) -> dict | None:
    """What an earlier ``build`` left in ``url`` (scale, seed, day), or None."""
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(f"SELECT scale, seed, day, counts FROM {MARKER}").fetchone()
    except psycopg.Error:
        return None
    if not row:
        return None
    # jsonb keeps its keys sorted by length; give them back in the order the generator writes them.
    order = ["municipalities", "teams", "advisors", "children", "cases", "measures", "followups"]
    counts = dict(sorted(row[3].items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    return {"scale": row[0], "seed": row[1], "day": row[2], "counts": counts}


def build(name: str, url: str, *, reuse: bool = False) -> tuple[dict, float]:
    """Drop and create the database at ``url``, migrate and generate ``SCALES[name]`` into it;
    with ``reuse``, keep a database an earlier build left for the same scale today.
    Returns the row counts and the seconds it took (0 when reused)."""
    import django

    from benchmarks.run_sweep import _recreate_database

    django.setup()
    scale = _scales()[name]
    found = existing(url) if reuse else None
    if found and (found["scale"], found["seed"], found["day"]) == (name, scale.seed, scale.today):
        return found["counts"], 0.0
    started = time.perf_counter()
    _recreate_database(url)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.generator import generate

    connection.close()  # the database it had open was just dropped
    call_command("migrate", verbosity=0)

    counts = vars(generate(scale))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER} (scale text, seed text, day date, counts jsonb)")
        cursor.execute(
            f"INSERT INTO {MARKER} VALUES (%s, %s, %s, %s)",
            [name, scale.seed, scale.today, json.dumps(counts)],
        )
    return counts, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=SCALE_NAMES, default="national")
    parser.add_argument("--reuse", action="store_true", help="keep a database built today for the same scale")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_URL)
    configure(url)
    counts, seconds = build(args.scale, url, reuse=args.reuse)
    print(", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items()))
    print(f"Built in {seconds:.0f} s" if seconds else "Reused the database built earlier today")
    return 0


if __name__ == "__main__":
    sys.exit(main())
