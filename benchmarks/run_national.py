"""Performance at national scale (issue 10): the product under gunicorn on a national dataset.

    .venv/bin/python -m benchmarks.run_national                  # build, sweep, serve, measure: ~15 min
    .venv/bin/python -m benchmarks.run_national --reuse          # keep today's national database
    .venv/bin/python -m benchmarks.run_national --scale small --requests 40 --no-results

1. Builds the dataset (``benchmarks.dataset``, ``BENCHMARK_DATABASE_URL``, default
   ``herning_bench_national``: 100,000 open cases in 98 municipalities, 4,000 advisors in 400 teams,
   300,000 measures, 1,000,000 past follow-ups, 200,000 journal notes).
2. Times the reminder sweeps (``benchmarks.run_sweep.timed_sweeps``): the first full sweep builds
   every deadline and reminder the pages show, on real Celery workers with 1, 2, 1 and 2 worker
   processes (``--sweep-workers``; the speed-up is the median of the two pairs), then the nightly
   run with nothing changed.
3. Starts the product under gunicorn with production settings (DEBUG off, PostgreSQL, Redis,
   Server-Timing on), logs real users in through the login page and the second factor (a TOTP
   device each), and lets ``--clients`` concurrent clients request each page and API endpoint.
   The server's own time (``Server-Timing``: application, database, query count) gives
   p50/p95/p99; requests per second are counted at the clients.
4. Runs a hand-written SQL query for the data each page shows, timed the same way (the same
   clients and people), and reports page time / SQL time: how close to the database's own floor.
5. Keeps ``EXPLAIN (ANALYZE, BUFFERS)`` of each endpoint's slowest queries in ``benchmarks/plans/``.
6. Times a 10,000-row DUBU import into the same database (``benchmarks.run_dubu_import``).

Results are printed and written, with the machine's details, to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.dataset import DEFAULT_URL, build, configure
from benchmarks.memory import PeakMemory, verdict
from benchmarks.run_sweep import _load, _machine, cpu_counters, speed_reference, steal_share

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("RESULTS.md")
PLANS = Path(__file__).with_name("plans")
# p95 targets: a page or an API read under 200 ms (issue 22; issue 10 asked 300 ms of a page), an API
# read under 150 ms (issue 10), a write under 300 ms. And each read's p50 within 3 times its SQL
# floor plus 10 ms, the fixed cost of a logged-in request (issue 22).
PAGE_TARGET_MS, API_TARGET_MS, WRITE_TARGET_MS = 200.0, 150.0, 300.0
FLOOR_TIMES, FLOOR_PLUS_MS = 3, 10.0
# Issue 22, point 6: the peak resident memory of one web process during the page benchmark.
WEB_MEMORY_TARGET_MB = 250
FINDINGS = "## Findings"
TIMING = re.compile(r'(\w+);dur=([\d.]+)(?:;desc="(\d+) queries")?')


# --- A small HTTP client: one keep-alive connection and one person's cookies ---------------------


class Browser:
    """One person's browser: cookies kept, CSRF token sent, behind an HTTPS proxy as in production
    (``X-Forwarded-Proto: https``, so secure cookies and the HTTPS CSRF checks apply)."""

    def __init__(self, port: int, *, token: str | None = None):
        self.port = port
        self.token = token
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def clone(self) -> Browser:
        """The same person in a second tab: same cookies, a connection of its own."""
        other = Browser(self.port, token=self.token)
        other.cookies = dict(self.cookies)
        return other

    def request(
        self, method: str, path: str, data: dict | None = None, *, extra: dict | None = None
    ) -> Response:
        origin = f"https://127.0.0.1:{self.port}"
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1", **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = None
        if method == "POST":
            body = urlencode(data or {}, doseq=True)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": origin,
                    "Referer": origin + path,
                    "X-CSRFToken": self.cookies.get("csrftoken", ""),
                }
            )
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.connection.request(method, path, body=body, headers=headers)
                answer = self.connection.getresponse()
                content = answer.read()
                elapsed = (time.perf_counter() - started) * 1000
                break
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                # The server closed an idle keep-alive connection: open a new one, once.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        for raw in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(answer.status, dict(answer.headers.items()), content, elapsed)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    client_ms: float

    def timing(self) -> tuple[float, float, int] | None:
        """(application ms, database ms, queries) from the Server-Timing header."""
        header = self.headers.get("Server-Timing")
        if not header:
            return None
        found = {name: (float(dur), int(n) if n else None) for name, dur, n in TIMING.findall(header)}
        return found["app"][0], found["db"][0], found["db"][1]


def login(port: int, username: str, password: str, device) -> Browser:
    """Log in through the login page and the second factor, as a person does."""
    from django_otp.oath import totp

    browser = Browser(port)
    browser.request("GET", "/log-ind/")
    answer = browser.request("POST", "/log-ind/", {"username": username, "password": password})
    if answer.status != 302:
        raise SystemExit(f"Login of {username} answered {answer.status}")
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"
    answer = browser.request("POST", "/to-faktor/", {"code": code})
    if answer.status != 302:
        raise SystemExit(f"The second factor of {username} answered {answer.status}")
    return browser


# --- The people and what they look at ------------------------------------------------------------


@dataclass
class Person:
    user_id: int
    username: str
    municipality_id: int
    team_ids: list[int]
    cases: list[int]
    measures: list[tuple[int, dict]]  # open measures with the goal fields a follow-up posts
    search: str
    browser: Browser | None = None
    api: Browser | None = None
    token: str = ""
    device: object = None
    turn: int = 0

    def next_case(self) -> int:
        self.turn += 1
        return self.cases[self.turn % len(self.cases)]


def people(count: int, role: str, *, server_env: str) -> list[Person]:
    """``count`` people of ``role``, spread evenly over the benchmark's users (so over large and
    small municipalities), each with a TOTP device and an API token, and their password hashed as
    the server's settings check it (the test settings' MD5, production's PBKDF2)."""
    from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks.generator import PASSWORD
    from cases.models import Case, CaseState, Goal
    from herning.api.models import ApiToken
    from herning.organisation.models import Role, RoleAssignment, User
    from measures.models import Measure

    ids = list(
        RoleAssignment.objects.filter(role=role, user__username__startswith="b")
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    chosen = [ids[round(i * (len(ids) - 1) / max(count - 1, 1))] for i in range(min(count, len(ids)))]
    out = []
    hasher = PBKDF2PasswordHasher() if server_env == "production" else MD5PasswordHasher()
    User.objects.filter(pk__in=chosen).update(password=hasher.encode(PASSWORD, hasher.salt()))
    for user in User.objects.filter(pk__in=chosen).order_by("pk"):
        teams = list(RoleAssignment.objects.filter(user=user, role=role).values_list("team_id", flat=True))
        open_cases = Case.objects.exclude(state=CaseState.CLOSED)
        mine = open_cases.filter(advisor=user) if role == Role.ADVISOR else open_cases.filter(team__in=teams)
        cases = list(mine.order_by("pk").values_list("pk", flat=True)[:200])
        goals: dict[int, dict] = {}
        for case_id, goal_id, status in Goal.objects.filter(plan__case__in=cases).values_list(
            "plan__case_id", "pk", "status"
        ):
            goals.setdefault(case_id, {})[f"goal_{goal_id}_status"] = status
        measures = [
            (pk, goals.get(case_id, {}))
            for pk, case_id in Measure.objects.filter(case__in=cases, actual_end__isnull=True)
            .order_by("pk")
            .values_list("pk", "case_id")
        ]
        TOTPDevice.objects.filter(user=user, name="benchmark").delete()
        device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
        ApiToken.objects.filter(user=user, name="benchmark").delete()
        _token, key = ApiToken.issue(user=user, name="benchmark", read_only=True)
        person = Person(
            user_id=user.pk,
            username=user.username,
            municipality_id=user.municipality_id,
            team_ids=teams,
            cases=cases,
            measures=measures,
            search=user.first_name,
            token=key,
            device=device,
        )
        out.append(person)
    return out


@dataclass
class Endpoint:
    slug: str
    label: str
    kind: str  # page, api or write
    who: str  # advisor or leader
    request: Callable[[Person, datetime.date], tuple[str, str, dict | None]]
    floor: Callable[[Person, datetime.date], list[tuple[str, list]]] | None = None
    floor_note: str = ""
    # Asked as HTMX asks for a part of a page (a fold opened on the case's page, a section of the
    # team overview scrolled to).
    htmx: bool = False

    @property
    def target(self) -> float:
        return {"api": API_TARGET_MS, "write": WRITE_TARGET_MS}.get(self.kind, PAGE_TARGET_MS)


def _followup_post(person: Person, today: datetime.date):
    measure_id, goals = person.measures.pop()
    data = {
        "held_on": today.isoformat(),
        "form": "meeting",
        "participants": "Barnet og forældrene",
        "child_conversation": "yes",
        "summary": "Barnet trives bedre i skolen.",
        "decision": "continue",
        "cadence_reason": "Trives; halvårligt er nok.",
        "nye-TOTAL_FORMS": "0",
        "nye-INITIAL_FORMS": "0",
        **goals,
    }
    return "POST", f"/opfoelgning/indsats/{measure_id}/registrer/", data


# Hand-written SQL for the data each page shows: the floor a page cannot go below. Each is what a
# careful programmer would send for that page, in as few statements as it takes.
OPEN = "c.state <> 'closed'"
# "Min dag": the person's own open deadlines of the coming month (``dashboards.selectors.SOON_DAYS``,
# 30 days) with each child's name, the same deadlines counted per group (overdue, today, this week,
# later: all of them, not only the month's), the open cases against the cap, the network meetings'
# agreements the person owns, who holds duty today in each district of the municipality, and the
# ten newest unread reminders with the count of all unread. (Until 6 December 2026, 21:40 UTC, this
# floor read the deadlines of 14 days only and left out the counts, the agreements, the duty roster
# and the unread count: it was lower than the page's own data.)
MY_DAY_SQL = [
    (
        "SELECT d.id, d.kind, d.due_on, d.due_at, d.rule, d.explanation, d.statutory, c.id, ch.first_name, "
        "ch.last_name FROM followups_deadline d JOIN cases_case c ON c.id = d.case_id "
        "JOIN cases_child ch ON ch.id = c.child_id WHERE d.is_open AND d.responsible_id = %(user)s "
        "AND (d.due_on <= %(month)s OR d.kind = 'handover') ORDER BY d.due_at"
    ),
    "SELECT count(*) FILTER (WHERE d.due_at <= now()), "
    "count(*) FILTER (WHERE d.due_at > now() AND d.due_on <= %(today)s), "
    "count(*) FILTER (WHERE d.due_at > now() AND d.due_on > %(today)s AND d.due_on <= %(week)s), "
    "count(*) FILTER (WHERE d.due_at > now() AND d.due_on > %(week)s) FROM followups_deadline d "
    "WHERE d.is_open AND d.responsible_id = %(user)s AND d.kind <> 'assessment'",
    "SELECT a.id, a.text, a.due_on, m.id, m.case_id, ch.first_name, ch.last_name "
    "FROM network_meetings_agreement a JOIN network_meetings_networkmeeting m ON m.id = a.meeting_id "
    "JOIN cases_child ch ON ch.id = m.child_id WHERE a.owner_user_id = %(user)s AND a.done_at IS NULL "
    "AND a.due_on <= %(month)s AND m.status <> 'cancelled' ORDER BY a.due_on, a.id",
    "SELECT di.id, di.name, u.first_name, u.last_name FROM organisation_district di "
    "LEFT JOIN organisation_dutyshift s ON s.district_id = di.id AND s.date = %(today)s "
    "LEFT JOIN organisation_user u ON u.id = s.advisor_id WHERE di.municipality_id = %(municipality)s "
    "ORDER BY di.name",
    "SELECT r.id, r.kind, r.created_at, r.deadline_id, count(*) OVER () FROM followups_reminder r "
    "WHERE r.recipient_id = %(user)s AND r.read_at IS NULL ORDER BY r.created_at DESC, r.id DESC LIMIT 10",
    f"SELECT count(*) FROM cases_case c WHERE c.advisor_id = %(user)s AND {OPEN}",
]
# The team overview's first screen names no child: the advisors' cases per step, their deadlines
# per group, each advisor's longest time without a follow-up and the cases awaiting an advisor. The
# lists below it (the overdue deadlines, the movements, the recency of each child, …) are its
# sections, each read when it is scrolled to (since 6 December 2026; before, they were part of
# this floor).
ACTIVE_MEASURE = (
    "m.next_followup_due IS NOT NULL AND m.start_date <= %(today)s "
    "AND (m.actual_end IS NULL OR m.actual_end >= %(today)s)"
)
TEAM_SQL = [
    f"SELECT c.team_id, c.advisor_id, s.number, count(*) FROM cases_case c "
    f"LEFT JOIN measures_ladderstep s ON s.id = c.current_step_id WHERE c.team_id = ANY(%(teams)s) AND {OPEN} "
    "GROUP BY 1, 2, 3",
    "SELECT d.responsible_id, count(*) FILTER (WHERE d.due_at <= now()), "
    "count(*) FILTER (WHERE d.due_at > now() AND d.due_on <= %(soon)s) FROM followups_deadline d "
    "WHERE d.is_open AND d.team_id = ANY(%(teams)s) GROUP BY 1",
    "SELECT c.team_id, c.advisor_id, min(coalesce((SELECT max(f.held_on) FROM followups_followup f "
    "WHERE f.measure_id = m.id), m.start_date)) FROM measures_measure m JOIN cases_case c ON c.id = m.case_id "
    f"WHERE c.team_id = ANY(%(teams)s) AND {OPEN} AND {ACTIVE_MEASURE} GROUP BY 1, 2",
    f"SELECT count(*) FROM cases_case c WHERE c.team_id = ANY(%(teams)s) AND c.advisor_id IS NULL AND {OPEN}",
]
# The section of days since the last follow-up: every active measure with its latest follow-up
# (each child is ranked by its worst), and the 50 listed children's names, advisors and steps.
TEAM_SECTION_SQL = [
    "SELECT m.id, m.case_id, c.team_id, c.advisor_id, t.name, m.start_date, m.next_followup_due, "
    "(SELECT max(f.held_on) FROM followups_followup f WHERE f.measure_id = m.id) FROM measures_measure m "
    "JOIN cases_case c ON c.id = m.case_id JOIN measures_measuretype t ON t.id = m.measure_type_id "
    f"WHERE c.team_id = ANY(%(teams)s) AND {OPEN} AND {ACTIVE_MEASURE}",
    "SELECT c.id, ch.first_name, ch.last_name, c.advisor_id, s.number FROM cases_case c "
    "JOIN cases_child ch ON ch.id = c.child_id LEFT JOIN measures_ladderstep s ON s.id = c.current_step_id "
    f"WHERE c.team_id = ANY(%(teams)s) AND {OPEN} ORDER BY c.id LIMIT 50",
]
CASE_SQL = [
    "SELECT c.*, ch.* FROM cases_case c JOIN cases_child ch ON ch.id = c.child_id WHERE c.id = %(case)s",
    "SELECT * FROM cases_relation r JOIN cases_case c ON c.child_id = r.child_id WHERE c.id = %(case)s",
    "SELECT m.*, t.name FROM measures_measure m JOIN measures_measuretype t ON t.id = m.measure_type_id "
    "WHERE m.case_id = %(case)s ORDER BY m.start_date DESC",
    "SELECT f.id, f.measure_id, f.held_on, f.form, f.decision FROM followups_followup f "
    "JOIN measures_measure m ON m.id = f.measure_id WHERE m.case_id = %(case)s ORDER BY f.held_on DESC LIMIT 20",
    "SELECT * FROM cases_journalnote j WHERE j.case_id = %(case)s ORDER BY j.occurred_on DESC LIMIT 20",
    "SELECT p.*, g.* FROM cases_plan p LEFT JOIN cases_goal g ON g.plan_id = p.id WHERE p.case_id = %(case)s",
    "SELECT d.* FROM followups_deadline d WHERE d.case_id = %(case)s AND d.is_open ORDER BY d.due_at",
    "SELECT * FROM measures_laddermovement lm WHERE lm.case_id = %(case)s ORDER BY lm.date DESC",
]
# The page shows a case's folded sections empty, each read when it is opened: the notifications
# (read by the page before 6 December 2026) are no longer part of its floor. The fold of measures:
CASE_SECTION_SQL = [
    "SELECT c.id, c.child_id, c.team_id, c.advisor_id, c.state FROM cases_case c WHERE c.id = %(case)s",
    "SELECT m.*, t.name FROM measures_measure m JOIN measures_measuretype t ON t.id = m.measure_type_id "
    "WHERE m.case_id = %(case)s ORDER BY m.start_date DESC",
]
CASE_LIST_SQL = [
    "SELECT c.id, c.state, c.opened_on, ch.first_name, ch.last_name, ch.birth_date, s.number, u.first_name, "
    "u.last_name, t.name FROM cases_case c JOIN cases_child ch ON ch.id = c.child_id "
    "LEFT JOIN measures_ladderstep s ON s.id = c.current_step_id "
    "LEFT JOIN organisation_user u ON u.id = c.advisor_id JOIN organisation_team t ON t.id = c.team_id "
    "WHERE c.municipality_id = %(municipality)s AND c.team_id = ANY(%(teams)s) "
    "AND (ch.first_name ILIKE %(like)s OR ch.last_name ILIKE %(like)s) "
    "ORDER BY ch.last_name, ch.first_name, c.id LIMIT 50",
    "SELECT count(*) FROM cases_case c JOIN cases_child ch ON ch.id = c.child_id "
    "WHERE c.municipality_id = %(municipality)s AND c.team_id = ANY(%(teams)s) "
    "AND (ch.first_name ILIKE %(like)s OR ch.last_name ILIKE %(like)s)",
]
SCHEDULE_SQL = [
    "SELECT m.*, t.code, c.municipality_id FROM measures_measure m JOIN measures_measuretype t "
    "ON t.id = m.measure_type_id JOIN cases_case c ON c.id = m.case_id WHERE m.id = %(measure)s",
    "SELECT f.* FROM followups_followup f WHERE f.measure_id = %(measure)s ORDER BY f.held_on",
    "SELECT d.* FROM followups_deadline d WHERE d.kind = 'followup' AND d.source_id = %(measure)s AND d.is_open",
]
FOLLOWUP_WRITE_SQL = [
    "BEGIN",
    "INSERT INTO cases_journalnote (case_id, heading, occurred_on, text, written_by_id, written_at, "
    "correction_reason) SELECT m.case_id, 'child_conversation', %(today)s, 'Referat', %(user)s, now(), '' "
    "FROM measures_measure m WHERE m.id = %(measure)s",
    "INSERT INTO followups_followup (measure_id, held_on, form, participants, supervisory_visit, "
    "child_conversation_held, no_conversation_reason, summary, decision, decision_note, later_than_rule_reason, "
    "cadence_reason, recorded_by_id, recorded_at) VALUES (%(measure)s, %(today)s, 'meeting', 'Barnet', false, "
    "true, '', 'Referat', 'continue', '', '', '', %(user)s, now())",
    "UPDATE measures_measure SET next_followup_due = %(today)s::date + 42 WHERE id = %(measure)s",
    "UPDATE followups_deadline SET due_on = %(today)s::date + 42, fingerprint = 'x' "
    "WHERE kind = 'followup' AND source_id = %(measure)s AND is_open",
    "ROLLBACK",
]
API_CASES_SQL = [
    "SELECT c.*, ch.first_name, ch.last_name, ch.birth_date FROM cases_case c "
    "JOIN cases_child ch ON ch.id = c.child_id WHERE c.municipality_id = %(municipality)s "
    "AND c.advisor_id = %(user)s ORDER BY c.id LIMIT 50",
    "SELECT count(*) FROM cases_case c WHERE c.municipality_id = %(municipality)s AND c.advisor_id = %(user)s",
]
API_CASE_SQL = [
    "SELECT c.*, ch.first_name, ch.last_name, ch.birth_date FROM cases_case c "
    "JOIN cases_child ch ON ch.id = c.child_id WHERE c.id = %(case)s AND c.advisor_id = %(user)s",
]
API_MEASURES_SQL = [
    "SELECT m.*, t.code FROM measures_measure m JOIN measures_measuretype t ON t.id = m.measure_type_id "
    "JOIN cases_case c ON c.id = m.case_id WHERE c.municipality_id = %(municipality)s "
    "AND c.advisor_id = %(user)s ORDER BY m.id LIMIT 50",
    "SELECT count(*) FROM measures_measure m JOIN cases_case c ON c.id = m.case_id "
    "WHERE c.municipality_id = %(municipality)s AND c.advisor_id = %(user)s",
]
# The list reads the stored next due date of each chain (its first page of 50) and fills it in
# from the measures and the follow-ups held on them.
API_FOLLOWUPS_SQL = [
    "SELECT d.kind, d.source_id, d.due_on, d.statutory, d.rule, d.explanation, d.details "
    "FROM followups_deadline d JOIN measures_measure m ON m.id = d.source_id "
    "JOIN cases_case c ON c.id = m.case_id WHERE d.kind IN ('followup', 'legal_followup', 'supervision') "
    "AND d.is_open AND c.advisor_id = %(user)s AND c.municipality_id = %(municipality)s "
    "ORDER BY d.due_on, d.source_id, d.kind LIMIT 50",
    "SELECT m.id, m.case_id, m.start_date, t.code FROM measures_measure m JOIN measures_measuretype t "
    "ON t.id = m.measure_type_id JOIN cases_case c ON c.id = m.case_id WHERE c.advisor_id = %(user)s "
    "AND c.municipality_id = %(municipality)s AND m.actual_end IS NULL",
    "SELECT f.measure_id, f.held_on, f.statutory_cadence_months FROM followups_followup f "
    "JOIN measures_measure m ON m.id = f.measure_id JOIN cases_case c ON c.id = m.case_id "
    "WHERE c.advisor_id = %(user)s AND m.actual_end IS NULL ORDER BY f.measure_id, f.held_on",
]
PREVIEW_SQL = [
    "SELECT t.* FROM measures_measuretype t WHERE t.code = 'institution'",
    "SELECT r.* FROM followups_rule r JOIN followups_ruleset rs ON rs.id = r.rule_set_id "
    "JOIN measures_measuretype t ON t.id = r.measure_type_id WHERE t.code = 'institution'",
]


def endpoints() -> list[Endpoint]:
    def case(p, today):
        return "GET", f"/sager/{p.next_case()}/", None

    def case_list(p, today):
        query = urlencode({"q": p.search, "team": p.team_ids[0], "state": "all"})
        return "GET", f"/sager/?{query}", None

    def schedule(p, today):
        p.turn += 1
        return "GET", f"/opfoelgning/indsats/{p.measures[p.turn % len(p.measures)][0]}/", None

    return [
        Endpoint("my_day", "Min dag (/min-dag/)", "page", "advisor", lambda p, t: ("GET", "/min-dag/", None)),
        Endpoint("team", "Teamoverblik (/team/)", "page", "leader", lambda p, t: ("GET", "/team/", None)),
        Endpoint(
            "team_section",
            "Teamoverblikkets afsnit Dage siden opfølgning, vist (/team/afsnit/opfoelgning/, HTMX)",
            "page",
            "leader",
            lambda p, t: ("GET", "/team/afsnit/opfoelgning/", None),
            htmx=True,
        ),
        Endpoint("case", "Sagen (/sager/<id>/)", "page", "advisor", case),
        Endpoint(
            "case_section",
            "Sagens fold Indsatser, åbnet (/sager/<id>/afsnit/measures/, HTMX)",
            "page",
            "advisor",
            lambda p, t: ("GET", f"/sager/{p.next_case()}/afsnit/measures/", None),
            htmx=True,
        ),
        Endpoint(
            "case_list", "Sagsliste, team og navnesøgning (/sager/?q=…&team=…)", "page", "leader", case_list
        ),
        Endpoint(
            "schedule_page",
            "Indsatsens opfølgningsplan (/opfoelgning/indsats/<id>/)",
            "page",
            "advisor",
            schedule,
        ),
        Endpoint("followup_post", "Registrér opfølgning (POST)", "write", "advisor", _followup_post),
        Endpoint(
            "api_cases",
            "API: sager, liste (/api/v1/cases/)",
            "api",
            "advisor",
            lambda p, t: ("GET", "/api/v1/cases/", None),
        ),
        Endpoint(
            "api_case",
            "API: sag (/api/v1/cases/<id>/)",
            "api",
            "advisor",
            lambda p, t: ("GET", f"/api/v1/cases/{p.next_case()}/", None),
        ),
        Endpoint(
            "api_measures",
            "API: indsatser, liste (/api/v1/measures/)",
            "api",
            "advisor",
            lambda p, t: ("GET", "/api/v1/measures/", None),
        ),
        Endpoint(
            "api_followups",
            "API: opfølgninger, liste (/api/v1/followups/)",
            "api",
            "advisor",
            lambda p, t: ("GET", "/api/v1/followups/", None),
        ),
        Endpoint(
            "api_preview",
            "API: planlægning af ny indsats (/api/v1/schedule-preview/)",
            "api",
            "advisor",
            lambda p, t: (
                "GET",
                "/api/v1/schedule-preview/?"
                + urlencode(
                    {
                        "measure_type": "institution",
                        "start": t.isoformat(),
                        "until": (t + datetime.timedelta(days=730)).isoformat(),
                    }
                ),
                None,
            ),
        ),
    ]


FLOORS = {
    "my_day": MY_DAY_SQL,
    "team": TEAM_SQL,
    "team_section": TEAM_SECTION_SQL,
    "case": CASE_SQL,
    "case_section": CASE_SECTION_SQL,
    "case_list": CASE_LIST_SQL,
    "schedule_page": SCHEDULE_SQL,
    "followup_post": FOLLOWUP_WRITE_SQL,
    "api_cases": API_CASES_SQL,
    "api_case": API_CASE_SQL,
    "api_measures": API_MEASURES_SQL,
    "api_followups": API_FOLLOWUPS_SQL,
    "api_preview": PREVIEW_SQL,
}


def floor_params(slug: str, person: Person, today: datetime.date) -> dict:
    params = {
        "user": person.user_id,
        "municipality": person.municipality_id,
        "teams": person.team_ids,
        "soon": today + datetime.timedelta(days=14),
        "week": today + datetime.timedelta(days=7),
        "month": today + datetime.timedelta(days=30),
        "today": today,
        "window": today - datetime.timedelta(days=365),
        "like": f"%{person.search}%",
    }
    if slug in {"case", "case_section", "api_case"}:
        params["case"] = person.next_case()
    if slug in {"schedule_page", "followup_post"}:
        person.turn += 1
        params["measure"] = person.measures[person.turn % len(person.measures)][0]
    return params


# --- Measuring -----------------------------------------------------------------------------------


@dataclass
class Sample:
    app: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    client: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warming: list[float] = field(default_factory=list)  # the warm-up's times (ms), not counted
    seconds: float = 0.0
    load: float = 0.0  # the 1-minute load average when the timed requests ended

    @property
    def count(self) -> int:
        return len(self.app)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))]


def _spread(persons: list[Person], clients: int) -> list[list[Person]]:
    """The people each client thread plays (at least one each: a person may be played by two, in
    two browser tabs, since a connection serves one request at a time)."""
    groups: list[list[Person]] = [[] for _ in range(clients)]
    for i in range(max(clients, len(persons))):
        person = persons[i % len(persons)]
        if i >= len(persons):
            person = replace(person, browser=person.browser.clone(), api=person.api.clone())
        groups[i % clients].append(person)
    return groups


def run_concurrently(groups: list[list[Person]], total: int, work: Callable[[Person, int], None]) -> float:
    """``total`` calls of ``work(person, i)`` spread over one thread per group; wall seconds."""
    counter = iter(range(total))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def client(group: list[Person]) -> None:
        turn = 0
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            try:
                work(group[turn % len(group)], i)
            except BaseException as exc:
                failures.append(exc)
                return
            turn += 1

    threads = [threading.Thread(target=client, args=(g,)) for g in groups]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - started


def measure_endpoint(endpoint: Endpoint, groups, total: int, today: datetime.date, *, warm_up: int) -> Sample:
    sample = Sample()
    lock = threading.Lock()
    expected = 302 if endpoint.kind == "write" else 200

    def work(person: Person, i: int) -> None:
        method, path, data = endpoint.request(person, today)
        browser = person.api if endpoint.kind == "api" else person.browser
        answer = browser.request(method, path, data, extra={"HX-Request": "true"} if endpoint.htmx else None)
        timing = answer.timing()
        with lock:
            if answer.status != expected or timing is None:
                sample.errors.append(f"{method} {path}: {answer.status}")
                return
            if i >= 0:
                sample.app.append(timing[0])
                sample.db.append(timing[1])
                sample.queries.append(timing[2])
                sample.client.append(answer.client_ms)
            else:
                sample.warming.append(timing[0])

    # Unmeasured warm-up. A read: ``warm_up`` requests per person, so each web process has met each
    # person, as a process that serves all day has (connections, compiled templates, and the reads
    # kept per person and process, ``herning.core.statements``). With one request per client, up to
    # 56 of an advisor page's 200 timed requests (16 people on 4 processes, less the 8 warmed) could
    # be a person's first on a process, compiling their kept reads twice over (the probe's and the
    # real one); the warm-up's own p50 is reported beside the timed one. A write:
    # one request per client, so as not to add rows.
    warming = warm_up * sum(map(len, groups)) if endpoint.kind != "write" else len(groups)
    run_concurrently(groups, warming, lambda p, i: work(p, -1))
    sample.errors.clear()
    sample.seconds = run_concurrently(groups, total, work)
    sample.load = os.getloadavg()[0]
    return sample


def measure_floor(slug: str, groups, total: int, url: str, today: datetime.date) -> list[float]:
    """The same people and clients, each client with its own connection, running the page's SQL."""
    import psycopg

    statements = FLOORS[slug]
    timings: list[float] = []
    lock = threading.Lock()
    local = threading.local()
    opened = []

    def work(person: Person, i: int) -> None:
        if not hasattr(local, "conn"):
            local.conn = psycopg.connect(url, autocommit=True)
            with lock:
                opened.append(local.conn)
        params = floor_params(slug, person, today)
        started = time.perf_counter()
        with local.conn.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params if "%(" in sql else None)
                if cursor.description is not None:
                    cursor.fetchall()
        elapsed = (time.perf_counter() - started) * 1000
        if i >= 0:
            with lock:
                timings.append(elapsed)

    try:
        run_concurrently(groups, len(groups), lambda p, i: work(p, -1))
        run_concurrently(groups, total, work)
    finally:
        for conn in opened:
            conn.close()
    return timings


# --- Query plans ---------------------------------------------------------------------------------


def logged_in_client(user, device):
    """Django's test client logged in as ``user`` with the second factor passed on ``device``
    (in-process requests through every middleware, as the server sees them)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user, backend="herning.accounts.backends.StaffModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def explain_plans(
    endpoint: Endpoint, person: Person, today: datetime.date, plans: Path, *, keep: int = 4
) -> dict:
    """One request in-process (Django's test client, every middleware), its queries captured; the
    slowest ``keep`` reads are explained with ANALYZE and BUFFERS into ``plans/<slug>.txt``.
    Returns the query count and the sequential scans of large tables found."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from herning.organisation.models import User

    if endpoint.kind == "api":
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {person.token}"
    else:
        client = logged_in_client(User.objects.get(pk=person.user_id), person.device)
    method, path, data = endpoint.request(person, today)
    with CaptureQueriesContext(connection) as captured:
        headers = {"HX-Request": "true"} if endpoint.htmx else None
        answer = client.post(path, data) if method == "POST" else client.get(path, headers=headers)
    reads = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    reads.sort(key=lambda q: float(q["time"]), reverse=True)
    lines = [
        f"# {endpoint.label}: {method} {path} -> {answer.status_code}",
        f"# {len(captured.captured_queries)} queries; the {min(keep, len(reads))} slowest reads explained.",
        "",
    ]
    seq_scans = set()
    with connection.cursor() as cursor:
        for q in reads[:keep]:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            plan = [row[0] for row in cursor.fetchall()]
            for row in plan:
                found = re.search(r"Seq Scan on (\w+)", row)
                rows = re.search(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+)", row)
                if found and rows and int(rows.group(1)) > 5_000:
                    seq_scans.add(found.group(1))
            lines += [f"-- {float(q['time']) * 1000:.1f} ms", q["sql"], "", *plan, "", ""]
    plans.mkdir(parents=True, exist_ok=True)
    (plans / f"{endpoint.slug}.txt").write_text("\n".join(lines), encoding="utf-8")
    return {"queries": len(captured.captured_queries), "seq_scans": sorted(seq_scans)}


# --- The server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(url: str, static_dir: Path, mode: str) -> dict[str, str]:
    env = {
        **os.environ,
        "HERNING_ENV": mode,
        "DEBUG": "false",
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HERNING_BASE_URL": "https://127.0.0.1",
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "DEFAULT_FROM_EMAIL": "benchmark@localhost",
        "HERNING_VAR_DIR": str(static_dir),
        "HERNING_SERVER_TIMING": "true",
        "HERNING_READ_DOTENV": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    return env


class Server:
    """gunicorn serving the product, started and stopped around the measurements."""

    def __init__(self, env: dict[str, str], *, workers: int, threads: int):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "herning.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--worker-class=gthread",
                "--keep-alive=60",
                "--timeout=120",
                "--log-level=warning",
                # gunicorn.conf.py (read from ROOT) sets the production access log to standard
                # output; the measurements do without its lines.
                "--access-logfile=/dev/null",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn stopped while starting")
            try:
                if Browser(self.port).request("GET", "/sundhed/").status in (200, 503):
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("gunicorn did not answer within 120 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- The run -------------------------------------------------------------------------------------


@dataclass
class Row:
    endpoint: Endpoint
    sample: Sample
    floor: list[float]
    plan: dict

    @property
    def p95(self) -> float:
        return percentile(self.sample.app, 0.95)

    @property
    def ok(self) -> bool:
        return self.p95 < self.endpoint.target

    @property
    def near_floor(self) -> bool | None:
        """p50 within ``FLOOR_TIMES`` × the SQL floor's p50 + ``FLOOR_PLUS_MS`` (a read; None for a write)."""
        if self.endpoint.kind == "write" or not self.floor:
            return None
        floor = percentile(self.floor, 0.5)
        return percentile(self.sample.app, 0.5) <= FLOOR_TIMES * floor + FLOOR_PLUS_MS


def web(args, url: str, today: datetime.date) -> tuple[list[Row], dict]:
    """Serve, log in, measure every endpoint and its SQL floor, explain its queries."""
    static_dir = Path(args.var_dir).resolve()
    env = server_environment(url, static_dir, args.server_env)
    if args.server_env == "production" and not (static_dir / "static" / "staticfiles.json").exists():
        print("Collecting static files for production settings (once)…")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
    from benchmarks.generator import PASSWORD
    from herning.organisation.models import Role

    advisors = people(args.people, Role.ADVISOR, server_env=args.server_env)
    leaders = people(max(2, args.people // 2), Role.TEAM_LEADER, server_env=args.server_env)

    server = Server(env, workers=args.workers, threads=args.threads)
    info = {"workers": args.workers, "threads": args.threads, "clients": args.clients, "port": server.port}
    memory = PeakMemory(server.process.pid).__enter__()
    try:
        for person in advisors + leaders:
            person.browser = login(server.port, person.username, PASSWORD, person.device)
            person.api = Browser(server.port, token=person.token)
        rows = []
        for endpoint in endpoints():
            persons = advisors if endpoint.who == "advisor" else leaders
            groups = _spread(persons, args.clients)
            total = args.requests if endpoint.kind != "write" else min(args.requests, 100)
            sample = measure_endpoint(endpoint, groups, total, today, warm_up=args.warm_up)
            floor = measure_floor(endpoint.slug, groups, total, url, today)
            plan = explain_plans(endpoint, persons[0], today, Path(args.plans))
            row = Row(endpoint, sample, floor, plan)
            rows.append(row)
            print(_line(row), flush=True)
    finally:
        memory.__exit__(None, None, None)
        server.stop()
    # The arbiter only forks and watches; the figure is the largest process that served requests.
    info["peak_mb"] = max((mb for pid, mb in memory.marks.items() if pid != server.process.pid), default=None)
    print(f"Peak resident memory of a web process: {info['peak_mb'] or 0:.0f} MB", flush=True)
    return rows, info


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _line(row: Row) -> str:
    s = row.sample
    floor = percentile(row.floor, 0.5)
    return (
        f"{row.endpoint.label[:58]:<58} n={s.count:<4} p50 {_ms(percentile(s.app, 0.5)):>5} p95 "
        f"{_ms(row.p95):>5} p99 {_ms(percentile(s.app, 0.99)):>5} ms  {s.count / s.seconds if s.seconds else 0:6.1f} req/s  "
        f"queries {min(s.queries, default=0)}-{max(s.queries, default=0)}  SQL floor {_ms(floor)} ms  "
        f"errors {len(s.errors)}"
    )


def _mark(met: bool | None) -> str:
    return "" if met is None else (" ✓" if met else " ✗")


def web_table(rows: list[Row]) -> list[str]:
    table = [
        "| endpoint | kind | requests | p50 ms | p95 ms | p99 ms | target p95 | req/s | db ms (mean) | queries | "
        "SQL floor p50 ms | page / floor (p50) | client p95 ms | warm-up p50 ms | load | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        s = row.sample
        floor = percentile(row.floor, 0.5)
        p50 = percentile(s.app, 0.5)
        queries = (
            f"{min(s.queries)}"
            if s.queries and min(s.queries) == max(s.queries)
            else f"{min(s.queries, default=0)}–{max(s.queries, default=0)}"
        )
        table.append(
            f"| {row.endpoint.label} | {row.endpoint.kind} | {s.count} | {_ms(p50)} | {_ms(row.p95)} "
            f"{'✓' if row.ok else '✗'} | {_ms(percentile(s.app, 0.99))} | < {row.endpoint.target:.0f} | "
            f"{s.count / s.seconds if s.seconds else 0:.1f} | {_ms(statistics.mean(s.db) if s.db else 0)} | {queries} | "
            f"{_ms(floor)} | {p50 / floor if floor else float('nan'):.1f}×{_mark(row.near_floor)} | "
            f"{_ms(percentile(s.client, 0.95))} | {_ms(percentile(s.warming, 0.5))} ({len(s.warming)}) | "
            f"{s.load:.1f} | {len(s.errors)} |"
        )
    return table


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=["national", "small"], default="national")
    parser.add_argument("--reuse", action="store_true", help="keep a database built today for the same scale")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument(
        "--warm-up",
        type=int,
        default=8,
        help="unmeasured requests per person to each read before its timed ones (a write: one per "
        "client), so that each web process has met each person; the runs before 7 December 2026, "
        "13:30 UTC warmed up with one request per client",
    )
    parser.add_argument("--people", type=int, default=16, help="advisors logged in (team leaders: half)")
    # Processes, not threads: a request is mostly Python (ORM, templates), and threads of one
    # process wait for each other's interpreter lock, inside the time they report.
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--server-env", choices=["production", "test"], default="production")
    parser.add_argument(
        "--var-dir", default=str(ROOT / "var" / "benchmark"), help="static files for the server"
    )
    parser.add_argument("--dubu-rows", type=int, default=10_000)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: sweep, web, dubu")
    parser.add_argument(
        "--sweep-workers",
        # Two alternated pairs: one pair's speed-up moved from 1.51x to 1.78x between runs of the
        # same code (the findings of 6 December 2026); the target is judged on the pairs' median.
        default="1,2,1,2",
        help="worker process counts for the first full sweep, comma-separated; empty: in this process",
    )
    parser.add_argument("--results", default=str(RESULTS), help="where to write the results")
    parser.add_argument("--plans", default=str(PLANS), help="where to write the query plans")
    parser.add_argument("--no-results", action="store_true", help="print only")
    return parser.parse_args(argv)


def measure(args: argparse.Namespace, url: str, *, counts: dict, build_seconds: float) -> tuple[dict, str]:
    """Every measurement on the database Django is configured for; the report and its text."""
    skip = {p.strip() for p in args.skip.split(",") if p.strip()}
    load_before, cpu_before, speed_before = _load(), cpu_counters(), speed_reference()
    report = run(args, url, skip)
    report.update(
        scale=args.scale,
        counts=counts,
        build_seconds=build_seconds,
        load_before=load_before,
        load_after=_load(),
        steal=steal_share(cpu_before, cpu_counters()),
        speed=(speed_before, speed_reference()),
    )
    return report, results_text(report, args)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    url = os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_URL)
    configure(url)
    counts, build_seconds = build(args.scale, url, reuse=args.reuse)
    print(f"Dataset ({args.scale}): " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items()))
    print(f"Built in {build_seconds:.0f} s" if build_seconds else "Reused the database built earlier today")
    report, text = measure(args, url, counts=counts, build_seconds=build_seconds)
    print()
    print(text)
    if not args.no_results:
        # The hand-written findings (why a target is missed and what would fix it) stay.
        old = Path(args.results).read_text(encoding="utf-8") if Path(args.results).exists() else ""
        if FINDINGS in old:
            text = text.rstrip("\n") + "\n\n" + old[old.index(FINDINGS) :]
        Path(args.results).write_text(text, encoding="utf-8")
        print(f"Wrote {args.results}")
    return 0 if report["all_ok"] else 1


def _require_a_full_sweep() -> None:
    """The pages read the stored deadlines, which a first full sweep writes: measured on a database
    no full sweep has run on, they read an empty table and look faster than they are (a pages-only
    run on a freshly built database did so on 7 December 2026, RESULTS.md)."""
    from followups.models import SweepRun

    if not SweepRun.objects.filter(mode=SweepRun.Mode.FULL, finished_at__isnull=False).exists():
        raise SystemExit(
            "No full sweep has run on this database, so it holds no deadlines for the pages to read: "
            "run once without --skip sweep (then --reuse --skip sweep,dubu measures the pages alone)."
        )


def run(args, url: str, skip: set[str]) -> dict:
    """The measurements on the database Django is configured for; returns what the report needs."""
    from django.db import connection
    from django.utils import timezone

    from benchmarks import run_dubu_import, run_sweep

    today = timezone.localdate()
    report: dict = {"all_ok": True}
    if "sweep" in skip and "web" not in skip:
        _require_a_full_sweep()
    if "sweep" not in skip:
        processes = tuple(int(n) for n in args.sweep_workers.split(",") if n.strip())
        sweeps = run_sweep.timed_sweeps(processes)
        report["sweeps"] = sweeps
        report["all_ok"] &= run_sweep.all_ok(sweeps)
    with connection.cursor() as cursor:
        # The first sweep wrote every deadline and reminder; autovacuum would analyse the tables
        # soon after in production. Without it the planner takes the deadline table for empty.
        # VACUUM too: autovacuum is off on the benchmark machine, and the earlier runs on a reused
        # database (their follow-ups recorded, sessions, tokens, the DUBU import's updates) leave
        # dead rows that production's autovacuum would have cleared. Pages-only runs of the same
        # code on one database drifted slower from run to run without it (RESULTS.md, 6 December).
        cursor.execute("VACUUM ANALYZE")
    if "web" not in skip:
        rows, info = web(args, url, today)
        report["web"], report["server"] = rows, info
        report["all_ok"] &= all(r.ok and not r.sample.errors for r in rows)
        report["all_ok"] &= info["peak_mb"] is None or info["peak_mb"] < WEB_MEMORY_TARGET_MB
    if "dubu" not in skip:
        _content, imports, export_seconds, _counts = run_dubu_import.timed_import(args.dubu_rows)
        report["dubu"] = (imports, export_seconds)
        report["all_ok"] &= imports[1][1] < run_dubu_import.TARGET
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        report["postgresql"] = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SHOW shared_buffers")
        report["shared_buffers"] = cursor.fetchone()[0]
    return report


def results_text(report: dict, args) -> str:
    from benchmarks import run_dubu_import, run_sweep

    counts = report["counts"]
    command = "python -m benchmarks.run_national" + (
        f" --scale {args.scale}" if args.scale != "national" else ""
    )
    lines = [
        "# Benchmarks at national scale",
        "",
        f"Run on {datetime.date.today().isoformat()} with `{command}` (issue 10).",
        "",
        "Data (`benchmarks.dataset --scale "
        + report["scale"]
        + "`): "
        + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items())
        + (
            f"; built in {report['build_seconds']:.0f} s with COPY."
            if report["build_seconds"]
            else "; reused."
        ),
        "",
    ]
    if "web" in report:
        info = report["server"]
        lines += [
            "## Pages and API",
            "",
            "The database is vacuumed and analysed before the pages (`VACUUM ANALYZE`; autovacuum is off on "
            "this machine). "
            f"gunicorn with {args.server_env} settings (DEBUG off, PostgreSQL, Redis), {info['workers']} workers × "
            f"{info['threads']} threads; {info['clients']} concurrent clients on the same machine, logged in as "
            f"{args.people} advisors and {max(2, args.people // 2)} team leaders (password and TOTP code through "
            "the login pages; API calls with each person's read-only token). Times are the server's own "
            "(`Server-Timing`: every middleware, the view, the queries and the template), after an unmeasured "
            f"warm-up of {args.warm_up} requests per person to each read (one per client to the write), so "
            "that each web process has met each person, as a process serving all day has: compiled "
            "templates, and the reads kept per person and process (the warm-up's own p50 and its number "
            "of requests are in the table: the first requests of a person on a process pay for compiling "
            "them); req/s is counted at the clients over the timed requests; load is the machine's "
            "1-minute load average as each endpoint's requests ended (2 cores). The SQL floor runs "
            "hand-written SQL for the data the page shows (`FLOORS` in `benchmarks/run_national.py`) from the "
            "same clients, each with its own connection. Targets: p95 under 200 ms for a page, 150 ms for an "
            "API read and 300 ms for a write; a read's p50 within "
            f"{FLOOR_TIMES} × its floor + {FLOOR_PLUS_MS:.0f} ms (✓ or ✗ beside page / floor).",
            "",
            *web_table(report["web"]),
            "",
            "Peak resident memory of one web process (a gunicorn worker's own high-water mark, "
            f"`benchmarks/memory.py`) while it served these requests: {verdict(info.get('peak_mb'), WEB_MEMORY_TARGET_MB)} "
            f"(target < {WEB_MEMORY_TARGET_MB} MB).",
            "",
            "Query plans (`EXPLAIN (ANALYZE, BUFFERS)` of each endpoint's slowest reads, one request "
            "in-process): `benchmarks/plans/<endpoint>.txt`.",
            "",
        ]
        scans = {r.endpoint.slug: r.plan["seq_scans"] for r in report["web"] if r.plan["seq_scans"]}
        if scans:
            lines += [
                "Sequential scans of more than 5,000 rows in those plans: "
                + "; ".join(f"{slug}: {', '.join(tables)}" for slug, tables in scans.items())
                + ".",
                "",
            ]
    if "sweeps" in report:
        lines += [
            "## Reminder sweep",
            "",
            *run_sweep.sweep_table(report["sweeps"]),
            "",
            *run_sweep.SWEEP_NOTES,
            "",
        ]
    if "dubu" in report:
        imports, export_seconds = report["dubu"]
        lines += [
            "## DUBU import",
            "",
            f"A {args.dubu_rows:,}-row file for a municipality of its own, imported into the national database "
            f"(`benchmarks.run_dubu_import.timed_import`); target: the first import under "
            f"{run_dubu_import.TARGET:.0f} s.",
            "",
            *run_dubu_import.import_table(imports, export_seconds),
            "",
        ]
    lines += [
        "## Machine",
        "",
        *(f"- {k}: {v}" for k, v in {**_machine(), "PostgreSQL": report["postgresql"]}.items()),
        f"- PostgreSQL shared_buffers: {report['shared_buffers']}",
        f"- Load average (1/5/15 min) before: {report['load_before']}; after: {report['load_after']}",
        f"- CPU time the host took from this machine's cores while the benchmark ran (steal): {report['steal']}",
        "- Speed reference (`benchmarks.run_sweep.speed_reference`, a fixed piece of Python on one core, "
        f"best of five; lower is faster): {report['speed'][0]:.0f} ms before, {report['speed'][1]:.0f} ms after",
        "- The machine is shared with other developers' test runs, and the clients, gunicorn and "
        "PostgreSQL share its cores: a load average near or above the number of cores means the figures "
        "are slower than on a quiet machine. Compare runs of different days through the speed reference "
        "and the steal: the same code gives slower figures on a slower host.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
