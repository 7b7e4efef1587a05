"""The fixed test people (like healthchecks' alice/bob/charlie), one of each kind.

``org`` builds one municipality with two districts and their teams:

* ``advisor`` (Alice) and ``colleague`` (Bob) in team A; ``outsider`` (Charlie) advises in team B;
* ``team_leader`` leads team A, ``other_team_leader`` leads team B;
* ``duty_advisor`` holds duty in district A; ``case_admin``, ``psychologist`` and ``health_visitor``
  in team A; ``management``, ``sysadmin`` and ``data_protection`` (who searches the access log)
  for the municipality.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import (
    DistrictFactory,
    MunicipalityFactory,
    Role,
    SchoolDistrictFactory,
    TeamFactory,
    staff,
)


@pytest.fixture
def org(db):
    return make_org()


def make_org(*, name: str = "Herning Kommune", code: str = "657", prefix: str = "") -> SimpleNamespace:
    """The municipality of ``org``; another one (``prefix`` before every user name) stands for a
    neighbouring municipality whose records must stay out of reach."""
    municipality = MunicipalityFactory(name=name, code=code)
    district_a = DistrictFactory(municipality=municipality, name="Distrikt A")
    district_b = DistrictFactory(municipality=municipality, name="Distrikt B")
    school_a = SchoolDistrictFactory(district=district_a, name="Skole A")
    school_b = SchoolDistrictFactory(district=district_b, name="Skole B")
    team_a = TeamFactory(district=district_a, name="Team A")
    team_b = TeamFactory(district=district_b, name="Team B")
    m = municipality
    people = {
        "advisor": staff(
            username=f"{prefix}alice", municipality=m, roles=[(Role.ADVISOR, team_a)], first_name="Alice"
        ),
        "colleague": staff(
            username=f"{prefix}bob", municipality=m, roles=[(Role.ADVISOR, team_a)], first_name="Bob"
        ),
        "outsider": staff(
            username=f"{prefix}charlie", municipality=m, roles=[(Role.ADVISOR, team_b)], first_name="Charlie"
        ),
        "team_leader": staff(username=f"{prefix}tl", municipality=m, roles=[(Role.TEAM_LEADER, team_a)]),
        "other_team_leader": staff(
            username=f"{prefix}tl_b", municipality=m, roles=[(Role.TEAM_LEADER, team_b)]
        ),
        "duty_advisor": staff(
            username=f"{prefix}duty",
            municipality=m,
            roles=[(Role.DUTY_ADVISOR, team_a), (Role.ADVISOR, team_a)],
        ),
        "case_admin": staff(username=f"{prefix}sec", municipality=m, roles=[(Role.CASE_ADMINISTRATOR, None)]),
        "psychologist": staff(username=f"{prefix}ppr", municipality=m, roles=[(Role.PSYCHOLOGIST, team_a)]),
        "health_visitor": staff(
            username=f"{prefix}hv", municipality=m, roles=[(Role.HEALTH_VISITOR, team_a)]
        ),
        "management": staff(username=f"{prefix}boss", municipality=m, roles=[(Role.MANAGEMENT, None)]),
        "sysadmin": staff(
            username=f"{prefix}sysadm",
            municipality=m,
            roles=[(Role.SYSTEM_ADMINISTRATOR, None)],
        ),
        "data_protection": staff(
            username=f"{prefix}dpo", municipality=m, roles=[(Role.DATA_PROTECTION, None)]
        ),
    }
    return SimpleNamespace(
        municipality=municipality,
        district_a=district_a,
        district_b=district_b,
        school_a=school_a,
        school_b=school_b,
        team_a=team_a,
        team_b=team_b,
        **people,
    )


PERSONAS = (
    "advisor",
    "colleague",
    "outsider",
    "team_leader",
    "other_team_leader",
    "duty_advisor",
    "case_admin",
    "psychologist",
    "health_visitor",
    "management",
    "sysadmin",
    "data_protection",
)


@pytest.fixture
def shipped_data(transactional_db):
    """What the migrations load (catalog, rule sets, the DUBU profile): a test on
    ``transactional_db`` runs after others have flushed the tables, so it loads them again."""
    from cases.models import LegalBasis
    from dubu.defaults import load_defaults
    from dubu.models import CodeMapping, MappingProfile
    from followups.models import Rule, RuleMilestone, RulePhase, RuleSet
    from followups.presets import load_rule_sets
    from measures.catalog import load_default_catalog
    from measures.models import LadderStep, MeasureType, UnitCost

    load_default_catalog(
        LegalBasis=LegalBasis, LadderStep=LadderStep, MeasureType=MeasureType, UnitCost=UnitCost
    )
    load_rule_sets(
        RuleSet=RuleSet, Rule=Rule, RuleMilestone=RuleMilestone, RulePhase=RulePhase, MeasureType=MeasureType
    )
    load_defaults(MappingProfile=MappingProfile, CodeMapping=CodeMapping, MeasureType=MeasureType)


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in as ``user``, past the two-factor step, and returns
    the client: the person gets a confirmed authenticator device, and the session is marked as
    verified with it the way django-otp's own ``login`` does after a right code."""

    def _login(user, *, client=client):
        return login_with_second_factor(client, user)

    return _login


def login_with_second_factor(client, user):
    """Logs ``client`` in as ``user`` with a verified second factor (also for extra clients, e.g.
    one made with ``Client(enforce_csrf_checks=True)``)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user, backend="herning.accounts.backends.StaffModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture(scope="session")
def _celery_session_worker(django_db_setup, django_db_blocker):
    """One real Celery worker (in a thread) for the session, consuming a queue of its own on the
    real Redis broker, so that no other worker on the same Redis can take its tasks.

    One per session rather than per test: the Redis result backend keeps a subscription per
    process, and restarting workers under it loses results.
    """
    import uuid

    import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task the worker check uses
    from celery.contrib.testing.worker import start_worker

    from herning.celery import app

    queue = f"test-{uuid.uuid4().hex}"
    previous = app.conf.task_default_queue
    _route_to(app, queue)
    try:
        with django_db_blocker.unblock():
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
                yield worker
            _end_worker_sessions()
    finally:
        _route_to(app, previous)


def _end_worker_sessions() -> None:
    """The worker kept its connection for its next task (herning/celery.py), in its own thread,
    which has ended without closing it: its session would keep the test database from being
    dropped at the end of the run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def _route_to(app, queue: str) -> None:
    """Send every task to ``queue`` from now on. Celery caches the default queue, the queue table and
    the router at its first publish: a test earlier in the session that sent a task (an e-mail run
    on commit, say) would otherwise keep routing to the shared default queue, which this worker does
    not consume, and every later real-worker test would time out."""
    app.conf.task_default_queue = queue
    for cached in ("default_queue", "queues", "router"):
        app.amqp.__dict__.pop(cached, None)


@pytest.fixture
def celery_worker_real(transactional_db, _celery_session_worker):
    """The session's real worker; tests that use it see what it commits (transactional_db)."""
    return _celery_session_worker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After every test that sent e-mail and used the database: no child's CPR number is in any
    message (subject, body or alternative), whatever the test was about."""
    result = yield
    from django.core import mail

    outbox = getattr(mail, "outbox", None)
    uses_db = {"db", "transactional_db", "django_db_setup"} & set(getattr(item, "fixturenames", ()))
    if outbox and (uses_db or item.get_closest_marker("django_db")):
        assert_no_cpr_in_mail(outbox)
    return result


def assert_no_cpr_in_mail(outbox) -> None:
    from cases.models import Child

    numbers = list(Child.objects.values_list("cpr", flat=True))
    for message in outbox:
        parts = [
            message.subject,
            message.body,
            *(content for content, _ in getattr(message, "alternatives", [])),
        ]
        text = "\n".join(str(p) for p in parts)
        leaked = [n for n in numbers if n in text or f"{n[:6]}-{n[6:]}" in text]
        assert not leaked, f"an e-mail carries a CPR number: {message.subject!r}"
