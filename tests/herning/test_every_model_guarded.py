"""Every model that belongs to a child or a case is read through ``visible_to(user)`` (issue 16,
point 1; docs/access.md §1).

The models are found, not listed: every model of the project with a foreign key to ``cases.Case``
or ``cases.Child``, directly or through a chain of foreign keys (a goal's plan's case, a meeting's
minutes). A model added later that points at one of them and forgets its queryset fails here by
name, and fails again below until it has a builder here, so its rule is shown to work.
"""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.utils import timezone

from cases.models import Case, CaseParticipant, Child
from herning.core.querysets import GuardedQuerySet
from tests.factories import CaseFactory
from tests.fixtures import make_org
from tests.matrix import build


def _is_history(model) -> bool:
    # django-simple-history's tables: read only through a record's ``history`` (cases.history),
    # reached from a record read through ``visible_to``.
    return hasattr(model, "history_id") and hasattr(model, "instance_type")


def models_of_a_child() -> list[type]:
    found = {Case, Child}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in found or _is_history(model):
                continue
            if any(
                (f.many_to_one or f.one_to_one) and f.related_model in found
                for f in model._meta.get_fields()
                if f.concrete and f.is_relation
            ):
                found.add(model)
                changed = True
    return sorted(found, key=lambda m: m._meta.label)


def test_the_walk_finds_the_case_and_the_records_reached_through_chains():
    labels = {m._meta.label for m in models_of_a_child()}
    assert {
        "cases.Child",
        "cases.Case",
        "cases.Goal",  # goal -> plan -> case
        "followups.GoalReview",  # review -> follow-up -> measure -> case
        "followups.Reminder",  # reminder -> deadline -> case
        "network_meetings.Minutes",  # minutes -> meeting -> child
        "network_meetings.NetworkMapPerson",
        "evaluation.SdqScore",
    } <= labels


@pytest.mark.parametrize("model", models_of_a_child(), ids=lambda m: m._meta.label)
def test_the_default_manager_reads_through_visible_to(model):
    queryset = model._default_manager.get_queryset()
    assert isinstance(queryset, GuardedQuerySet), (
        f"{model._meta.label}: its manager's queryset must subclass GuardedQuerySet "
        "(cases.access.CaseDataQuerySet, naming case_path, child_path or parent_path)"
    )
    assert type(queryset).visible_to is not GuardedQuerySet.visible_to, f"{model._meta.label} says no rule"


# --- each model's rule, shown to work ----------------------------------------------------------
# ``world`` is the shared case of tests/matrix.py (Alice's, team A, the psychologist added) with one
# record of every kind on it. ``reader`` names who reads the model's rows at home; the people of
# team B and of a neighbouring municipality must see none of them.


def _world(org):
    from dubu.models import DubuCase, DubuMeasure
    from evaluation import services as evaluation_services
    from evaluation.models import CaseSnapshot, FollowUpDue
    from followups.models import Deadline, Reminder
    from herning.audit.services import log_child_read
    from network_meetings import services as meeting_services
    from network_meetings.models import Dispatch
    from tests.followups.factories import hold

    world = build(
        org,
        "measure",
        "boarding_school",
        "plan",
        "investigation",
        "journal",
        "relation",
        "notification",
        "meeting",
        "network_map",
    )
    case, child = world.case, world.child
    today = timezone.localdate()
    hold(world.measure, today - datetime.timedelta(days=5), by=org.advisor)
    followup = world.measure.followups.get()
    from followups.models import GoalReview

    GoalReview.objects.create(follow_up=followup, goal=world.goal, status=world.goal.status)
    deadline = Deadline.objects.for_system().filter(case=case).first()
    Reminder.objects.create(deadline=deadline, due_on=deadline.due_on, recipient=org.advisor, kind="before_7")
    from cases.models import CaseloadOverride, CaseTransfer

    CaseloadOverride.objects.create(
        case=case,
        team=org.team_a,
        advisor=org.advisor,
        load=30,
        cap=25,
        reason="Akut",
        decided_by=org.team_leader,
    )
    CaseTransfer.objects.create(
        case=case,
        from_team=org.team_a,
        to_team=org.team_a,
        from_advisor=org.advisor,
        transferred_on=today,
        transferred_by=org.advisor,
    )
    DubuCase.objects.create(municipality=org.municipality, dubu_case_id="D-1", case=case)
    DubuMeasure.objects.create(measure=world.measure, service="Anbringelse", offer="Døgninstitution")
    evaluation_services.complaint_register(
        case=case, received_on=today, subject="decision", recorded_by=org.advisor
    )
    evaluation_services.sdq_record(
        case=case, informant="teacher", assessed_on=today, total=12, recorded_by=org.advisor
    )
    evaluation_services.snapshot_backfill(municipality=org.municipality, start=today, end=today)
    assert CaseSnapshot.objects.for_system().exists()
    FollowUpDue.objects.create(
        municipality=org.municipality,
        case=case,
        measure=world.measure,
        due_date=today,
        kind="statutory",
        on_time=None,
        case_type="preventive",
    )
    meeting_services.minutes_save(
        meeting=world.meeting, by=org.advisor, concerns="Fravær", working="Skolen", want_to_see="Trivsel"
    )
    Dispatch.objects.create(
        meeting=world.meeting,
        participant=world.visitor,
        kind=Dispatch.Kind.INVITATION,
        email="hv@example.org",
        created_by=org.advisor,
    )
    meeting_services.consent_record(
        meeting=world.meeting,
        by=org.advisor,
        given_by_name="Forælder",
        given_on=today,
        method="written",
    )
    meeting_services.slots_offer(
        team=org.team_a,
        by=org.team_leader,
        first_start=timezone.now() + datetime.timedelta(days=2),
        duration=datetime.timedelta(hours=1),
    )
    log_child_read(user=org.advisor, child=child, channel="page", purpose="Sagsbehandling", case=case)
    from cases import services as case_services

    case_services.access_request_create(child=child, requested_by=org.outsider, purpose="Ny underretning")
    return world


# Who reads a model's rows at home, where that is not the case's advisor.
READER = {
    "audit.AccessLog": "data_protection",  # the log is for the data-protection role only
}
# Models whose rows are not the case's: read by the staff of the municipality (a team's free
# meeting slots), so team B's advisor reads them too; another municipality does not.
MUNICIPALITY_WIDE = {"network_meetings.MeetingSlot"}


def test_the_cases_reader_sees_its_rows_and_other_teams_and_municipalities_none(org):
    # One world for every model (building it takes seconds); every wrong answer is reported at once.
    _world(org)
    models = models_of_a_child()
    home = {m: set(m._default_manager.for_system().values_list("pk", flat=True)) for m in models}
    elsewhere = make_org(name="Ikast-Brande Kommune", code="756", prefix="ib_")
    # The neighbour has a case of its own, so "sees nothing" is not merely an empty municipality.
    CaseParticipant.objects.create(
        case=CaseFactory(team=elsewhere.team_a, advisor=elsewhere.advisor), user=elsewhere.psychologist
    )
    wrong = []
    for model in models:
        label = model._meta.label
        if not home[model]:
            wrong.append(f"no {label} built: add it to _world()")
            continue
        reader = getattr(org, READER.get(label, "advisor"))
        seen = set(model._default_manager.visible_to(reader).values_list("pk", flat=True))
        if seen != home[model]:
            wrong.append(f"{reader.username} reads {len(seen)} of the {len(home[model])} {label} at home")
        outsiders = [
            elsewhere.advisor,
            elsewhere.team_leader,
            getattr(elsewhere, READER.get(label, "advisor")),
        ]
        if label not in MUNICIPALITY_WIDE:
            outsiders += [org.outsider, org.other_team_leader]
        for person in outsiders:
            if model._default_manager.visible_to(person).filter(pk__in=home[model]).exists():
                wrong.append(f"{person.username} reads {label} of another team or municipality")
    assert not wrong, "\n".join(wrong)
