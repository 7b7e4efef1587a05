"""One page at a time, in-process, on the national dataset: where a request's time goes.

    .venv/bin/python -m benchmarks.profile_page /team/ --role team_leader
    .venv/bin/python -m benchmarks.profile_page /min-dag/ --role advisor --rounds 10 --queries
    .venv/bin/python -m benchmarks.profile_page /team/ --role team_leader --profile 40
    .venv/bin/python -m benchmarks.profile_page /api/v1/cases/{case}/ --role advisor --api

Logs eight people of ``--role`` in (spread over large and small municipalities, as the national
benchmark does; each with a TOTP device) and requests ``path`` for each of them ``--rounds`` times
through Django's test client with the production settings, every middleware and the garbage collector
as a web process has it (``herning.core.gc_tuning``). Prints per request
the median wall time, the Python CPU time (``time.process_time``: the web process's own work, which
is what grows when the machine is shared) and the database time and query count (timed around each
statement with ``connection.execute_wrapper``); ``--queries`` lists one request's statements with
their times; ``--profile N`` runs the requests under cProfile and lists the N functions that take
the most time (the profiler slows Python down: compare shares, not milliseconds). ``{case}`` in
the path is each person's first open case (an advisor's own, a team leader's team's), ``{measure}``
that case's first running measure (``/opfoelgning/indsats/{measure}/``), ``{team}`` the person's
first team and ``{name}`` their first name (the case list's search as the concurrent benchmark
asks it: ``/sager/?q={name}&team={team}&state=all``); ``--api`` sends each person's
read-only API token instead of a logged-in session, as an integration does. Needs the
dataset of ``python -m benchmarks.run_national`` (``--reuse`` keeps it), and complements that benchmark's concurrent figures with a repeatable one-request view for before/after
comparisons of a change.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", help="the page, e.g. /team/ or /min-dag/")
    parser.add_argument("--role", default="team_leader", help="the people's role (organisation.Role)")
    parser.add_argument("--rounds", type=int, default=5, help="requests per person")
    parser.add_argument("--queries", action="store_true", help="list one request's statements")
    parser.add_argument("--api", action="store_true", help="authenticate with an API token, not a session")
    parser.add_argument(
        "--htmx",
        action="store_true",
        help="send HX-Request as htmx does (a section of a page answers with the section alone)",
    )
    parser.add_argument(
        "--per-person",
        action="store_true",
        help="also each person's medians, with the size of their municipality (a plan that suits a "
        "small municipality may not suit a large one)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="run the timed requests under cProfile and list the N functions with the most own time",
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="also split each request's Python CPU into the templates' rendering, the ORM's compiling "
        "of statements to SQL, and the rest (the view's own code, the ORM's rows, the middleware)",
    )
    parser.add_argument(
        "--templates",
        type=int,
        default=0,
        metavar="N",
        help="list the N templates with the most CPU of their own per request (an included template "
        "counts in its own line; a block a page fills in counts in the template it extends, whose "
        "rendering runs it)",
    )
    parser.add_argument(
        "--rotate",
        action="store_true",
        help="visit each person's open cases (``{case}``) or their running measures (``{measure}``) in "
        "turn, one per round, as the concurrent benchmark does, instead of the first one every time",
    )
    parser.add_argument(
        "--dump",
        metavar="FILE",
        help="with --profile, also write the profile to FILE (for pstats, e.g. print_callees)",
    )
    args = parser.parse_args()

    os.environ["HERNING_ENV"] = "production"
    from benchmarks.dataset import DEFAULT_URL, configure

    configure(os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_URL))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Q
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks.run_national import logged_in_client
    from cases.models import Case, CaseState
    from herning.api.models import ApiToken
    from herning.organisation.models import RoleAssignment, User

    settings.ALLOWED_HOSTS = ["*"]
    ids = list(
        RoleAssignment.objects.filter(role=args.role, user__username__startswith="b")
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    if not ids:
        raise SystemExit(f"No benchmark users with the role {args.role!r}: build the dataset first.")
    chosen = sorted({ids[round(i * (len(ids) - 1) / 7)] for i in range(8)})
    clients = []
    for user in User.objects.filter(pk__in=chosen).order_by("pk"):
        if args.api:
            client = Client(HTTP_X_FORWARDED_PROTO="https")
            _token, key = ApiToken.issue(user=user, name="profile", read_only=True)
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        else:
            device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
                user=user, name="benchmark", confirmed=True
            )
            client = logged_in_client(user, device)
        if args.htmx:
            client.defaults["HTTP_HX_REQUEST"] = "true"
        teams = RoleAssignment.objects.filter(user=user, role=args.role).values("team_id")
        cases = list(
            Case.objects.exclude(state=CaseState.CLOSED)
            .filter(Q(advisor=user) if args.role == "advisor" else Q(team__in=teams))
            .order_by("pk")
            .values_list("pk", flat=True)[: args.rounds if args.rotate else 1]
        )
        # The case list's search as the concurrent benchmark asks it: the person's first team and
        # their own first name.
        team = teams.order_by("team_id").values_list("team_id", flat=True).first()
        path = args.path.replace("{team}", str(team)).replace("{name}", user.first_name)
        paths = [path.replace("{case}", str(case)) for case in cases or [0]]
        if "{measure}" in args.path:
            from measures.models import Measure

            measures = list(
                Measure.objects.filter(case_id__in=cases, actual_end=None)
                .order_by("case_id", "pk")
                .values_list("pk", flat=True)[: args.rounds if args.rotate else 1]
            )
            paths = [path.replace("{measure}", str(measure)) for measure in measures or [0]]
        # One warm-up request, and a check; with --rotate the others are each a first visit, as in
        # the concurrent benchmark.
        status = client.get(paths[0]).status_code
        if status != 200:
            raise SystemExit(f"{paths[0]} answered {status} for {user.username}.")
        municipality_cases = Case.objects.filter(municipality_id=user.municipality_id).count()
        clients.append((client, paths, f"{user.username} (municipality of {municipality_cases:,} cases)"))

    # The collector as a web process has it once it has loaded the application (gunicorn's
    # post_worker_init, herning.core.gc_tuning): without it, Python's default thresholds run
    # collections the server does not, and a full one walks everything Django loaded, which
    # counted against whatever request was running (up to a tenth of Min dag's samples).
    from herning.core.gc_tuning import tune

    tune()
    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - start) * 1000, sql))

    split = _Split() if args.split else None
    own_time = _TemplateTimes() if args.templates else None
    wall, cpu, db, counts = [], [], [], []
    per_person: dict[str, tuple[list[float], list[float]]] = {}
    profiler = cProfile.Profile() if args.profile else None
    with connection.execute_wrapper(timed):
        for round_ in range(args.rounds):
            for client, paths, who in clients:
                path = paths[round_ % len(paths)]
                statements.clear()
                if split:
                    split.start()
                start, start_cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.runcall(client.get, path)
                else:
                    client.get(path)
                wall.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                db.append(sum(ms for ms, _sql in statements))
                counts.append(len(statements))
                if split:
                    split.stop()
                per_person.setdefault(who, ([], []))[0].append(wall[-1])
                per_person[who][1].append(db[-1])
    print(
        f"{args.path} as {len(clients)} × {args.role}, {len(wall)} requests, medians per request: "
        f"wall {statistics.median(wall):.1f} ms, Python CPU {statistics.median(cpu):.1f} ms, "
        f"database {statistics.median(db):.1f} ms over {min(counts)}–{max(counts)} statements"
    )
    if split:
        template, compiling = statistics.median(split.template), statistics.median(split.compiling)
        print(
            f"  of the Python CPU: templates {template:.1f} ms, compiling SQL {compiling:.1f} ms, "
            f"the rest {statistics.median(cpu) - template - compiling:.1f} ms (medians)"
        )
    if own_time:
        requests = len(wall)
        print("  templates' own CPU per request (mean ms; lazily read data counts where it is read):")
        for name, total in sorted(own_time.totals.items(), key=lambda item: -item[1])[: args.templates]:
            print(f"  {total / requests:7.2f}  {name}")
    if args.per_person:
        for who, (person_wall, person_db) in per_person.items():
            print(
                f"  {who}: wall {statistics.median(person_wall):.1f} ms, "
                f"database {statistics.median(person_db):.1f} ms"
            )
    if args.queries:
        for ms, sql in statements:
            print(f"{ms:7.2f} ms  {' '.join(sql.split())[:160]}")
    if profiler:
        # Own time first (where the CPU goes), then cumulative (which of our functions pulls it in).
        if args.dump:
            profiler.dump_stats(args.dump)
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)


class _TemplateTimes:
    """CPU time (``time.process_time``) of each template's own rendering, without the templates it
    extends or includes, by wrapping ``Template._render`` (which both ``{% extends %}`` and
    ``{% include %}`` go through)."""

    def __init__(self):
        from django.template.base import Template

        self.totals: dict[str, float] = {}
        stack: list[list] = []  # [name, start, time of the templates inside it]
        original = Template._render
        totals = self.totals

        def wrapper(template, context):
            stack.append([template.origin.template_name or template.name or "?", time.process_time(), 0.0])
            try:
                return original(template, context)
            finally:
                name, start, inner = stack.pop()
                elapsed = (time.process_time() - start) * 1000
                totals[name] = totals.get(name, 0.0) + elapsed - inner
                if stack:
                    stack[-1][2] += elapsed

        Template._render = wrapper


class _Split:
    """CPU time (``time.process_time``) spent inside the outermost template render and the outermost
    SQL compilation of each request, by wrapping ``Template.render`` and ``SQLCompiler.as_sql``
    (a template included in another, or a subquery compiled inside a statement, counts once)."""

    def __init__(self):
        from django.db.models.sql.compiler import SQLCompiler
        from django.template.base import Template

        self.template: list[float] = []
        self.compiling: list[float] = []
        self._sums = {"template": 0.0, "compiling": 0.0}
        self._wrap(Template, "render", "template")
        self._wrap(SQLCompiler, "as_sql", "compiling")

    def _wrap(self, cls, name: str, key: str) -> None:
        original = getattr(cls, name)
        depth = [0]
        sums = self._sums

        def wrapper(*args, **kwargs):
            depth[0] += 1
            start = time.process_time() if depth[0] == 1 else None
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1
                if start is not None:
                    sums[key] += (time.process_time() - start) * 1000

        setattr(cls, name, wrapper)

    def start(self) -> None:
        self._sums.update(template=0.0, compiling=0.0)

    def stop(self) -> None:
        # A statement compiled while a template renders (a lazy queryset iterated in the template)
        # counts in both: the split is a guide, its parts may overlap a little.
        self.template.append(self._sums["template"])
        self.compiling.append(self._sums["compiling"])


if __name__ == "__main__":
    main()
