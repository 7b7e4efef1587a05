"""Every look is logged, pages and lists alike (issue 19, point 5; docs/access.md §3).

The project's URL patterns are walked (``get_resolver``, recursively) and every page view (not the
API, which ``tests/api`` covers) of the apps that hold children's data is taken. Each must either
be in ``LOOKS``, saying who opens it and at which address in one world with a child (the world of
``tests/herning/test_every_model_guarded.py``: a case with a record of every kind), or be marked
``@shows_no_child("why")`` (``herning.audit.looks``). Every page in ``LOOKS`` is then opened by its
person, and the access log must hold a new entry for that person and that child. A new page that
shows a child and forgets to log it fails here, by name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver

from herning.audit.models import AccessLog
from tests.fixtures import login_with_second_factor
from tests.herning.test_every_model_guarded import _world
from tests.herning.test_every_url_covered import _walk, view_methods

pytestmark = pytest.mark.django_db

# The apps whose pages may show a child's data.
CHILD_APPS = {"cases", "followups", "measures", "network_meetings", "dashboards", "evaluation", "dubu"}


@dataclass(frozen=True)
class Look:
    persona: str
    url: Callable
    # Puts the world in the state the page needs (a closed case for "new case"), inside the
    # savepoint of that one request.
    prepare: Callable | None = None


def _close(world, org):
    from tests.matrix import BUILDERS

    BUILDERS["closed"](world, org)


def _new_case(world, org):
    """The case closed and a new one opened, which has no plan (nor placement) yet."""
    from cases import services

    _close(world, org)
    world.new_case = services.case_open(child=world.child, opened_by=org.advisor, advisor=org.advisor)


def _transfer(world, org):
    """A new case moved to team B: the advisor who gave it away calls the handover meeting. (The
    world's own case holds a placement, which stays in the district.)"""
    from cases import services

    _new_case(world, org)
    world.transfer = services.case_transfer(
        case=world.new_case, to_team=org.team_b, transferred_by=org.advisor
    )


def _export_profile(world, org):
    from dubu.models import MappingProfile

    world.profile = MappingProfile.default()


def _stored_token(world, org):
    from followups import services

    world.token = services.calendar_token_create(user=org.advisor)


LOOKS: dict[str, Look] = {
    # The child's page and the case's pages.
    "cases:child_detail": Look("advisor", lambda w: f"/boern/{w.child.pk}/"),
    "cases:child_update": Look("advisor", lambda w: f"/boern/{w.child.pk}/ret/"),
    "cases:case_detail": Look("advisor", lambda w: f"/sager/{w.case.pk}/"),
    "cases:case_history": Look("advisor", lambda w: f"/sager/{w.case.pk}/historik/"),
    "cases:history_section": Look("advisor", lambda w: f"/sager/{w.case.pk}/historik/seneste/"),
    "cases:panel_section": Look("advisor", lambda w: f"/sager/{w.case.pk}/afsnit/notifications/"),
    "cases:journal_page": Look("advisor", lambda w: f"/sager/{w.case.pk}/journal/side/?side=1"),
    "cases:timeline_section": Look("advisor", lambda w: f"/boern/{w.child.pk}/tidslinje/"),
    "cases:case_assign": Look("team_leader", lambda w: f"/sager/{w.case.pk}/fordel/"),
    "cases:case_close": Look("advisor", lambda w: f"/sager/{w.case.pk}/luk/"),
    "cases:case_state": Look("advisor", lambda w: f"/sager/{w.case.pk}/status/"),
    "cases:case_transfer": Look("advisor", lambda w: f"/sager/{w.case.pk}/flyt/"),
    "cases:case_open": Look("advisor", lambda w: f"/boern/{w.child.pk}/ny-sag/", _close),
    "cases:goal_status": Look("advisor", lambda w: f"/maal/{w.goal.pk}/status/"),
    "cases:handover_record": Look(
        "advisor", lambda w: f"/flytninger/{w.transfer.pk}/overlevering/", _transfer
    ),
    "cases:investigation_open": Look("advisor", lambda w: f"/sager/{w.case.pk}/undersoegelse/"),
    "cases:investigation_aware_on": Look(
        "advisor", lambda w: f"/undersoegelser/{w.investigation.pk}/opmaerksom/"
    ),
    "cases:investigation_complete": Look(
        "advisor", lambda w: f"/undersoegelser/{w.investigation.pk}/afslut/"
    ),
    "cases:investigation_interim": Look(
        "advisor", lambda w: f"/undersoegelser/{w.investigation.pk}/foreloebig-vurdering/"
    ),
    "cases:journal_add": Look("advisor", lambda w: f"/sager/{w.case.pk}/journal/"),
    "cases:journal_correct": Look("advisor", lambda w: f"/journal/{w.note.pk}/ret/"),
    "cases:notification_assess": Look(
        "duty_advisor", lambda w: f"/underretninger/{w.notification.pk}/vurder/"
    ),
    "cases:notification_feedback": Look(
        "advisor", lambda w: f"/underretninger/{w.notification.pk}/tilbagemelding/"
    ),
    "cases:notification_receipt": Look(
        "advisor", lambda w: f"/underretninger/{w.notification.pk}/kvittering/"
    ),
    "cases:notification_screening": Look(
        "advisor", lambda w: f"/underretninger/{w.notification.pk}/screening/"
    ),
    "cases:participant_add": Look("advisor", lambda w: f"/sager/{w.case.pk}/fagpersoner/"),
    "cases:plan_create": Look("advisor", lambda w: f"/sager/{w.new_case.pk}/plan/", _new_case),
    "cases:plan_revise": Look("advisor", lambda w: f"/planer/{w.plan.pk}/revider/"),
    "cases:plan_print": Look("advisor", lambda w: f"/planer/{w.plan.pk}/udskrift/"),
    "cases:plan_pdf": Look("advisor", lambda w: f"/planer/{w.plan.pk}/plan.pdf"),
    "cases:relation_add": Look("advisor", lambda w: f"/boern/{w.child.pk}/relationer/ny/"),
    "cases:relation_update": Look("advisor", lambda w: f"/relationer/{w.relation.pk}/ret/"),
    # Lists and start pages.
    "cases:case_list": Look("advisor", lambda w: "/sager/"),
    "cases:distribution": Look("team_leader", lambda w: "/fordeling/"),
    # The world's child has a request for access by team B's advisor.
    "cases:access_requests": Look("team_leader", lambda w: "/adgangsanmodninger/"),
    "start:my_day": Look("advisor", lambda w: "/min-dag/"),
    # The overview's first screen names no child; its sections below do, each logged as it is read.
    "start:team_section": Look("team_leader", lambda w: "/team/afsnit/opfoelgning/"),
    "start:duty": Look("duty_advisor", lambda w: "/vagt/"),
    "start:intake": Look("case_admin", lambda w: "/underretninger/"),
    "start:my_cases": Look("psychologist", lambda w: "/mine-sager/"),
    # Measures and follow-ups.
    "measures:measure_start": Look("advisor", lambda w: f"/sager/{w.case.pk}/indsatser/ny/"),
    "measures:measure_change": Look("advisor", lambda w: f"/indsatser/{w.measure.pk}/skift/"),
    "measures:measure_end": Look("advisor", lambda w: f"/indsatser/{w.measure.pk}/afslut/"),
    "followups:measure_schedule": Look("advisor", lambda w: f"/opfoelgning/indsats/{w.measure.pk}/"),
    "followups:record": Look("advisor", lambda w: f"/opfoelgning/indsats/{w.measure.pk}/registrer/"),
    "followups:exception_request": Look(
        "advisor", lambda w: f"/opfoelgning/indsats/{w.measure.pk}/undtagelse/"
    ),
    "followups:deadlines": Look("advisor", lambda w: "/opfoelgning/frister/"),
    "followups:exceptions": Look("team_leader", lambda w: "/opfoelgning/undtagelser/"),
    "followups:reminders": Look("advisor", lambda w: "/opfoelgning/paamindelser/"),
    "followups:calendar_feed": Look(
        "advisor", lambda w: f"/opfoelgning/kalender/{w.token}/frister.ics", _stored_token
    ),
    # Evaluation records of the case.
    "evaluation:case_complaints": Look("advisor", lambda w: f"/evaluering/sager/{w.case.pk}/klager/"),
    "evaluation:case_sdq": Look("advisor", lambda w: f"/evaluering/sager/{w.case.pk}/sdq/"),
    # Network meetings and the network map.
    "network_meetings:list": Look("advisor", lambda w: "/netvaerksmoeder/"),
    "network_meetings:detail": Look("advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/"),
    "network_meetings:edit": Look("advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/ret/"),
    "network_meetings:cancel": Look("advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/aflys/"),
    "network_meetings:consent": Look("advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/samtykke/"),
    "network_meetings:follow_up": Look("advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/opfoelgning/"),
    "network_meetings:invitation": Look("advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/invitation/"),
    "network_meetings:invitation_pdf": Look(
        "advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/invitation.pdf"
    ),
    "network_meetings:minutes": Look("advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/referat/"),
    "network_meetings:minutes_pdf": Look("advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/referat.pdf"),
    "network_meetings:minutes_print": Look(
        "advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/referat/udskrift/"
    ),
    "network_meetings:participants": Look("advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/deltagere/"),
    "network_meetings:participant_edit": Look(
        "advisor", lambda w: f"/netvaerksmoeder/{w.meeting.pk}/deltagere/{w.teacher.pk}/"
    ),
    "network_meetings:create": Look("advisor", lambda w: f"/netvaerksmoeder/nyt/?barn={w.child.pk}"),
    "network_meetings:network_map": Look(
        "advisor", lambda w: f"/netvaerksmoeder/netvaerkskort/barn/{w.child.pk}/"
    ),
    "network_meetings:network_map_version": Look(
        "advisor", lambda w: f"/netvaerksmoeder/netvaerkskort/{w.old_map.pk}/"
    ),
    "network_meetings:network_map_person_edit": Look(
        "advisor", lambda w: f"/netvaerksmoeder/netvaerkskort/personer/{w.map_person.pk}/"
    ),
    # The DUBU export file names every child of the municipality.
    "dubu:export": Look(
        "team_leader", lambda w: f"/dubu/udtraek/?profile={w.profile.pk}&file_format=csv", _export_profile
    ),
}


def _marks(callback) -> list[str]:
    """The ``shows_no_child`` reasons on a view or any of its wrappers."""
    reasons, func = [], callback
    while func is not None:
        if getattr(func, "shows_no_child", None) is not None:
            reasons.append(func.shows_no_child)
        func = getattr(func, "__wrapped__", None)
    return reasons


def page_views() -> dict[str, object]:
    """Pattern name → view, for every GET page of the apps that hold children's data."""
    found = {}
    for _route, name, pattern in _walk(get_resolver().url_patterns):
        callback = pattern.callback
        if getattr(callback, "cls", None) is not None:  # a DRF view: the API, tested in tests/api
            continue
        app = inspect.unwrap(callback).__module__.split(".")[0]
        if app in CHILD_APPS and "GET" in view_methods(callback):
            found[name] = callback
    return found


def test_every_page_of_a_childs_data_is_looked_at_here_or_says_why_it_shows_no_child():
    wrong = []
    for name, view in sorted(page_views().items()):
        marks = _marks(view)
        if name in LOOKS and marks:
            wrong.append(f"{name}: in LOOKS and marked shows_no_child; which is it?")
        elif name not in LOOKS and not marks:
            wrong.append(
                f"{name}: add it to LOOKS (and log the child it shows), or mark it @shows_no_child(why)"
            )
        elif marks and not all(len(reason.strip()) >= 20 for reason in marks):
            wrong.append(f"{name}: say why it shows no child, in a sentence")
    stale = sorted(set(LOOKS) - set(page_views()))
    assert not wrong and not stale, "\n  ".join(["", *wrong, *(f"{n}: no such page" for n in stale)])


def test_every_page_that_shows_a_child_logs_the_look(org):
    world = _world(org)
    wrong = []
    for name, look in sorted(LOOKS.items()):
        user = getattr(org, look.persona)
        with transaction.atomic():
            if look.prepare:
                look.prepare(world, org)
            url = look.url(world)
            before = AccessLog.objects.for_system().filter(user=user, child=world.child).count()
            client = Client()
            login_with_second_factor(client, user)
            response = client.get(url)
            after = AccessLog.objects.for_system().filter(user=user, child=world.child).count()
            transaction.set_rollback(True)
        if response.status_code != 200:
            wrong.append(f"{name}: {look.persona} got {response.status_code} from {url}")
        elif after <= before:
            wrong.append(f"{name}: {url} shows the child to {look.persona} and writes no access-log entry")
    assert not wrong, "\n  ".join(["", *wrong])
