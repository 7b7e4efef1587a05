"""Issue 17, point 10: the catalog covers the law's scope.

(a) aftercare (ungestøtte, Barnets Lov §§ 114-116) is in the shipped catalog with follow-up rules,
and the BL § 95 follow-up runs for it (§ 95, stk. 1, names §§ 114-116); it is no placement.
(b) a boarding-school stay on a support basis is no placement: no supervisory visits, and the
legal follow-up only where BL § 95 / SEL § 70 covers the basis.
(c) family treatment's 8-month item is a written status from the provider: a document received,
with no child conversation, that the advisor registers as "status received".
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from cases.models import LegalBasis
from followups import engine, selectors
from followups.models import Deadline, DeadlineKind, FollowUp, Form, Rule, RuleMilestone
from followups.presets import HERNING, HVIDOVRE, engine_rule, legal_context
from measures.catalog import AFTERCARE_TYPES
from measures.services import measure_start
from tests.factories import HEARD, CaseFactory, measure_type
from tests.followups.factories import hold, start_measure

D = datetime.date
pytestmark = pytest.mark.django_db
AFTERCARE = [code for code, *_ in AFTERCARE_TYPES]


def kinds_of(measure) -> set[str]:
    # source_id alone is not unique across sources (a plan's deadline carries its case's id).
    rows = Deadline.objects.for_system().filter(source_id=measure.pk, kind__in=selectors.MEASURE_KINDS)
    return set(rows.values_list("kind", flat=True))


# --- (a) aftercare -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", AFTERCARE)
def test_aftercare_types_are_shipped_on_the_aftercare_basis_and_are_no_placement(code):
    mtype = measure_type(code)
    assert mtype.legal_basis.code == "aftercare"
    assert mtype.legal_basis.bl_section == "§§ 114-116"
    assert not mtype.is_placement
    assert mtype.unit_costs.exists()
    for rule_set in (HERNING, HVIDOVRE):
        assert Rule.objects.filter(rule_set__name=rule_set, measure_type=mtype).exists()


@time_machine.travel("2026-02-01 09:00 +01:00", tick=False)
def test_aftercare_has_the_municipal_and_the_statutory_follow_up_but_no_supervisory_visits(org):
    measure = start_measure(org, "aftercare_contact_person", D(2026, 1, 5))
    assert kinds_of(measure) == {DeadlineKind.FOLLOWUP, DeadlineKind.LEGAL_FOLLOWUP}
    legal = Deadline.objects.for_system().get(kind=DeadlineKind.LEGAL_FOLLOWUP, source_id=measure.pk)
    assert legal.due_on == D(2026, 4, 5)  # BL § 95, stk. 2: at the latest 3 months after the start
    assert "§ 95" in legal.rule
    municipal = Deadline.objects.for_system().get(kind=DeadlineKind.FOLLOWUP, source_id=measure.pk)
    assert municipal.due_on == D(2026, 2, 2)  # 4 weeks, as the contact-person rule


def test_aftercare_contact_person_counts_its_quarters_from_the_start():
    dates = [
        i.due_date
        for i in engine.preview(
            rule=engine_rule(HERNING, "aftercare_contact_person"), start=D(2025, 8, 31), until=D(2026, 6, 1)
        )
        if i.kind == engine.MUNICIPAL
    ]
    assert dates == [D(2025, 9, 28), D(2025, 11, 30), D(2026, 2, 28), D(2026, 5, 31)]


# --- (b) boarding school on a support basis ----------------------------------------------------


def _boarding_school(org, basis_code: str):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    return measure_start(
        case=case,
        measure_type=measure_type("boarding_school"),
        start_date=D(2026, 1, 5),
        decided_by=org.team_leader,
        legal_basis=LegalBasis.objects.get(code=basis_code),
        hearing=HEARD,
    )


@time_machine.travel("2026-02-01 09:00 +01:00", tick=False)
@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        # BL § 35, stk. 4 / SEL § 52 a: financial support, outside BL § 95, stk. 1: the municipal
        # rule only.
        ("boarding_school_support", {DeadlineKind.FOLLOWUP}),
        # BL § 32 / SEL § 52, stk. 3: a supportive measure: the legal follow-up, no visits.
        ("support_measure", {DeadlineKind.FOLLOWUP, DeadlineKind.LEGAL_FOLLOWUP}),
        # A placement (BL § 46): the supervisory visits too.
        (
            "placement_with_consent",
            {DeadlineKind.FOLLOWUP, DeadlineKind.LEGAL_FOLLOWUP, DeadlineKind.SUPERVISION},
        ),
    ],
)
def test_boarding_school_is_a_placement_only_on_a_placement_basis(org, basis, expected):
    measure = _boarding_school(org, basis)
    assert kinds_of(measure) == expected
    data = selectors.schedule_for_measure(measure, D(2026, 2, 1))
    assert data.placement == (DeadlineKind.SUPERVISION in expected)
    assert bool(data.schedule.chain(engine.SUPERVISION)) == (DeadlineKind.SUPERVISION in expected)


def test_legal_context_of_a_boarding_school_on_a_support_basis():
    support = legal_context(
        legal_basis="support_measure", placement_category="home_based", boarding_school=True
    )
    assert (support.applies, support.placement) == (True, False)
    money = legal_context(
        legal_basis="boarding_school_support", placement_category="home_based", boarding_school=True
    )
    assert (money.applies, money.placement) == (False, False)
    # Another home-based placement (own room) on the same basis stays a placement.
    own_room = legal_context(legal_basis="support_measure", placement_category="home_based")
    assert own_room.placement


@time_machine.travel("2026-02-01 09:00 +01:00", tick=False)
def test_the_record_page_of_a_boarding_school_on_a_support_basis_offers_no_supervisory_visit(login, org):
    measure = _boarding_school(org, "support_measure")
    page = login(org.advisor).get(reverse("followups:record", args=[measure.pk])).content.decode()
    assert 'name="supervisory_visit"' not in page
    schedule = login(org.advisor).get(reverse("followups:measure_schedule", args=[measure.pk])).content
    assert "mindst to tilsynsbesøg" not in schedule.decode()


# --- (c) family treatment's written status ------------------------------------------------------


def test_the_eight_month_item_is_a_written_status_to_receive():
    items = [
        i
        for i in engine.preview(
            rule=engine_rule(HERNING, "family_treatment"), start=D(2026, 1, 5), until=D(2026, 12, 31)
        )
        if i.kind == engine.MUNICIPAL
    ]
    status = items[-1]
    assert status.due_date == D(2026, 9, 5)
    assert status.written_status
    assert status.child_conversation_required is False
    assert status.allowed_forms == (engine.DOCUMENT,)
    # The follow-ups before it stay meetings with a child conversation.
    assert all(i.child_conversation_required and not i.written_status for i in items[:-1])


def test_a_written_status_received_answers_the_municipal_item_but_is_no_legal_follow_up():
    result = engine.schedule(
        rule=engine_rule(HERNING, "family_treatment"),
        start=D(2026, 1, 5),
        held=[engine.Held(held_on=D(2026, 3, 1), form=engine.DOCUMENT, child_conversation=False)],
        today=D(2026, 3, 2),
        until=D(2026, 12, 31),
    )
    assert result.chain(engine.FOLLOWUP)[0].status == engine.HELD
    assert result.chain(engine.LEGAL_FOLLOWUP)[0].status != engine.HELD


def test_the_shipped_family_treatment_rule_marks_its_eight_month_milestone_as_written_status():
    milestones = RuleMilestone.objects.filter(
        rule__rule_set__name=HERNING, rule__measure_type__code="family_treatment"
    )
    assert [(m.amount, m.unit) for m in milestones if m.written_status] == [(8, "months")]


@time_machine.travel("2026-09-07 09:00 +02:00", tick=False)
def test_the_advisor_registers_the_status_received_without_a_child_conversation(login, org):
    measure = start_measure(org, "family_treatment", D(2026, 1, 5))
    for day in (D(2026, 2, 2), D(2026, 4, 5), D(2026, 7, 5)):
        hold(measure, day, by=org.advisor, today=D(2026, 9, 7))
    page = login(org.advisor).get(reverse("followups:measure_schedule", args=[measure.pk])).content.decode()
    assert "Skriftlig status fra leverandøren" in page
    response = login(org.advisor).post(
        reverse("followups:record", args=[measure.pk]),
        {
            "held_on": "2026-09-04",
            "form": Form.DOCUMENT,
            "participants": "Familiecenteret",
            "child_conversation": "no",
            "no_conversation_reason": "",
            "summary": "Status fra Familiecenteret modtaget.",
            "decision": "continue",
            "nye-TOTAL_FORMS": "0",
            "nye-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    followup = FollowUp.objects.for_system().get(measure=measure, held_on=D(2026, 9, 4))
    assert followup.form == Form.DOCUMENT and not followup.child_conversation_held
    data = selectors.schedule_for_measure(measure, D(2026, 9, 7))
    status = next(i for i in data.municipal if i.written_status)
    assert (status.status, status.held_on, status.on_time) == (engine.HELD, D(2026, 9, 4), True)
    page = login(org.advisor).get(reverse("followups:measure_schedule", args=[measure.pk])).content.decode()
    assert "skriftlig status modtaget" in page.lower()


@time_machine.travel("2026-09-07 09:00 +02:00", tick=False)
def test_a_written_status_is_not_a_child_conversation(login, org):
    measure = start_measure(org, "family_treatment", D(2026, 1, 5))
    response = login(org.advisor).post(
        reverse("followups:record", args=[measure.pk]),
        {
            "held_on": "2026-09-04",
            "form": Form.DOCUMENT,
            "participants": "Familiecenteret",
            "child_conversation": "yes",
            "summary": "Status modtaget.",
            "decision": "continue",
            "cadence_reason": "x",
            "nye-TOTAL_FORMS": "0",
            "nye-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "En skriftlig status er ikke en samtale med barnet." in response.content.decode()


@time_machine.travel("2026-02-01 09:00 +01:00", tick=False)
def test_a_boarding_school_started_on_the_page_on_a_support_basis_gets_no_supervisory_visits(login, org):
    from measures.models import Measure

    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2025, 12, 1))
    client = login(org.advisor)
    url = reverse("measures:measure_start", args=[case.pk])
    assert "Indsatstypens lovgrundlag" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "measure_type": measure_type("boarding_school").pk,
            "legal_basis": LegalBasis.objects.get(code="support_measure").pk,
            "provider": "Vestjysk Efterskole",
            "start_date": "2026-01-05",
            "decision_basis": Measure.DecisionBasis.WITH_CONSENT,
            "hearing_on": "2026-01-02",
            "hearing_note": "Den unge er hørt og vil gerne på efterskole.",
            "movement_reason": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    measure = Measure.objects.for_system().get(case=case)
    assert measure.legal_basis.code == "support_measure"
    assert kinds_of(measure) == {DeadlineKind.FOLLOWUP, DeadlineKind.LEGAL_FOLLOWUP}
