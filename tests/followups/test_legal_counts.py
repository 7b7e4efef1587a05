"""Only what the law counts keeps a legal deadline (issue 17, point 1), and each legal deadline is
judged by the law in force on its date (point 5): the engine, the record service, the page, the API
and the deadline table (docs/deadlines.md, "What keeps a legal deadline")."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from followups import engine
from followups.models import Deadline, DeadlineKind, FollowUp, Form
from followups.presets import HERNING, engine_rule
from herning.core import law
from tests.followups.factories import hold, start_measure

D = datetime.date

FOSTER_START = D(2026, 1, 5)
# Herning's foster rule: after 2 weeks, then every 6 weeks the first year.
MUNICIPAL_DATES = (D(2026, 1, 19), D(2026, 3, 2), D(2026, 4, 13), D(2026, 5, 25), D(2026, 7, 6))


def _foster_schedule(held, today):
    return engine.schedule(
        rule=engine_rule(HERNING, "foster_family"),
        start=FOSTER_START,
        held=held,
        today=today,
        legal=engine.LegalContext(placement=True),
        until=today + datetime.timedelta(days=200),
    )


# --- The engine ---------------------------------------------------------------------------------


def test_a_foster_placement_followed_up_only_by_mail_keeps_no_legal_item_open_as_held():
    mail = [engine.Held(d, form=engine.MAIL, child_conversation=False) for d in MUNICIPAL_DATES]
    schedule = _foster_schedule(mail, today=D(2026, 7, 20))
    municipal = schedule.chain(engine.FOLLOWUP)
    # The municipal items show what happened: each was held (by mail) on its day.
    assert [i.held_on for i in municipal if i.status == engine.HELD] == list(MUNICIPAL_DATES)
    legal = schedule.chain(engine.LEGAL_FOLLOWUP)
    visits = schedule.chain(engine.SUPERVISION)
    assert not any(i.status == engine.HELD for i in (*legal, *visits))
    # The legal follow-up was due 5 April and is overdue; so is the visit of 5 July.
    assert (legal[0].due_date, legal[0].status) == (D(2026, 4, 5), engine.OVERDUE)
    assert (visits[0].due_date, visits[0].status) == (D(2026, 7, 5), engine.OVERDUE)


def test_the_same_placement_with_child_conversations_keeps_the_legal_follow_up():
    held = [engine.Held(d, form=engine.MEETING, child_conversation=True) for d in MUNICIPAL_DATES]
    legal = _foster_schedule(held, today=D(2026, 7, 20)).chain(engine.LEGAL_FOLLOWUP)
    assert (legal[0].status, legal[0].held_on) == (engine.HELD, D(2026, 3, 2))


@pytest.mark.parametrize(
    ("ground", "counts"), [(law.MATURITY, True), (law.NATURE_OF_CASE, True), ("", False)]
)
def test_without_a_conversation_only_the_laws_reasons_keep_the_legal_follow_up(ground, counts):
    held = [engine.Held(D(2026, 3, 2), child_conversation=False, no_conversation_ground=ground)]
    legal = _foster_schedule(held, today=D(2026, 3, 3)).chain(engine.LEGAL_FOLLOWUP)
    assert (legal[0].status == engine.HELD) is counts


@pytest.mark.parametrize("form", [engine.PHONE, engine.MAIL])
def test_a_supervisory_visit_ticked_on_a_phone_or_mail_follow_up_is_ignored(form):
    held = [engine.Held(D(2026, 6, 1), supervisory_visit=True, child_conversation=True, form=form)]
    visits = _foster_schedule(held, today=D(2026, 6, 2)).chain(engine.SUPERVISION)
    assert visits[0].status != engine.HELD
    in_person = [engine.Held(D(2026, 6, 1), supervisory_visit=True, child_conversation=True)]
    assert _foster_schedule(in_person, today=D(2026, 6, 2)).chain(engine.SUPERVISION)[0].status == engine.HELD


def test_the_supervision_items_say_they_take_a_visit_in_person():
    visits = _foster_schedule((), today=FOSTER_START).chain(engine.SUPERVISION)
    assert visits[0].allowed_forms == (engine.MEETING,)
    assert visits[0].child_conversation_required


# --- Recording: the service, the page and the API ----------------------------------------------


@pytest.fixture
def _march():
    with time_machine.travel("2026-03-10 10:00 +01:00", tick=False):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("_march")
@pytest.mark.parametrize("form", [Form.PHONE, Form.MAIL])
def test_the_service_refuses_a_supervisory_visit_by_phone_or_mail(org, form):
    measure = start_measure(org, "foster_family", FOSTER_START)
    with pytest.raises(ValidationError) as error:
        hold(measure, D(2026, 3, 2), by=org.advisor, form=form, supervisory_visit=True)
    assert "supervisory_visit" in error.value.error_dict
    assert "tilsynsbesøg" in str(error.value.error_dict["supervisory_visit"])
    assert not FollowUp.objects.exists()
    assert hold(measure, D(2026, 3, 2), by=org.advisor, supervisory_visit=True).supervisory_visit


@pytest.mark.django_db
def test_the_model_refuses_a_supervisory_visit_by_phone(org):
    followup = FollowUp(held_on=D(2026, 3, 2), form=Form.PHONE, supervisory_visit=True)
    with pytest.raises(ValidationError) as error:
        followup.clean()
    assert set(error.value.error_dict) == {"supervisory_visit"}


@pytest.mark.django_db
@pytest.mark.usefixtures("_march")
def test_the_page_shows_the_refusal_at_the_supervisory_visit_field(login, org):
    measure = start_measure(org, "foster_family", FOSTER_START)
    response = login(org.advisor).post(
        reverse("followups:record", args=[measure.pk]),
        {
            "held_on": "2026-03-09",
            "form": "phone",
            "participants": "Plejemor",
            "supervisory_visit": "on",
            "child_conversation": "yes",
            "summary": "Telefonsamtale.",
            "decision": "continue",
            "cadence_reason": "Trives.",
            "nye-TOTAL_FORMS": "0",
            "nye-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "supervisory_visit" in form.errors
    assert "pr. telefon eller mail" in form.errors["supervisory_visit"][0]
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
@time_machine.travel("2026-07-20 10:00 +02:00", tick=False)
def test_the_deadline_table_keeps_the_legal_items_of_a_mail_only_placement_open(org):
    measure = start_measure(org, "foster_family", FOSTER_START)
    for day in MUNICIPAL_DATES:
        hold(
            measure,
            day,
            by=org.advisor,
            today=D(2026, 7, 20),
            form=Form.MAIL,
            child_conversation_held=False,
            no_conversation_reason="Opfølgning pr. mail med plejefamilien.",
        )
    municipal = Deadline.objects.get(kind=DeadlineKind.FOLLOWUP, source_id=measure.pk)
    assert municipal.due_on > D(2026, 7, 6)  # it moved on with each follow-up held
    legal = Deadline.objects.get(kind=DeadlineKind.LEGAL_FOLLOWUP, source_id=measure.pk)
    assert legal.due_on == D(2026, 4, 5)  # still the first one: nothing kept it
    visit = Deadline.objects.get(kind=DeadlineKind.SUPERVISION, source_id=measure.pk)
    assert visit.due_on == D(2026, 7, 5)


@pytest.mark.django_db
@time_machine.travel("2026-07-20 10:00 +02:00", tick=False)
def test_the_schedule_page_shows_the_legal_follow_up_of_a_mail_only_placement_overdue(login, org):
    measure = start_measure(org, "foster_family", FOSTER_START)
    for day in MUNICIPAL_DATES:
        hold(
            measure,
            day,
            by=org.advisor,
            today=D(2026, 7, 20),
            form=Form.MAIL,
            child_conversation_held=False,
            no_conversation_reason="Opfølgning pr. mail med plejefamilien.",
        )
    response = login(org.advisor).get(reverse("followups:measure_schedule", args=[measure.pk]))
    data = response.context["data"]
    assert data.next_statutory.due_date == D(2026, 4, 5)
    assert data.next_statutory.status == engine.OVERDUE
    assert not [i for i in data.statutory if i.status == engine.HELD]


@pytest.mark.django_db
@time_machine.travel("2026-03-10 10:00 +01:00", tick=False)
def test_a_reason_of_the_law_keeps_the_legal_follow_up_in_the_table(org):
    measure = start_measure(org, "foster_family", FOSTER_START)
    hold(
        measure,
        D(2026, 3, 2),
        by=org.advisor,
        child_conversation_held=False,
        no_conversation_reason="Barnet er 2 år.",
        no_conversation_ground=law.MATURITY,
    )
    legal = Deadline.objects.get(kind=DeadlineKind.LEGAL_FOLLOWUP, source_id=measure.pk)
    assert legal.due_on == D(2026, 9, 2)


# --- The law of the obligation's date ----------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel("2024-02-01 10:00 +01:00", tick=False)
def test_a_measure_of_november_2023_decides_its_cadence_at_its_first_follow_up_of_2024(org):
    # Started 15 Nov 2023 under Serviceloven; the first follow-up, 1 Feb 2024, falls under Barnets
    # Lov, which asks the cadence there (§ 95, stk. 3): every 3 months gives 1 May 2024.
    measure = start_measure(org, "preventive", D(2023, 11, 15))
    with pytest.raises(ValidationError) as error:
        hold(measure, D(2024, 2, 1), by=org.advisor, cadence_reason="")
    assert "cadence_reason" in error.value.error_dict
    hold(
        measure,
        D(2024, 2, 1),
        by=org.advisor,
        statutory_cadence_months=3,
        cadence_reason="Tæt opfølgning det første halve år.",
    )
    legal = Deadline.objects.get(kind=DeadlineKind.LEGAL_FOLLOWUP, source_id=measure.pk)
    assert (legal.due_on, legal.rule) == (D(2024, 5, 1), "Barnets Lov § 95")


@pytest.mark.django_db
@time_machine.travel("2024-02-05 10:00 +01:00", tick=False)
def test_the_measure_page_of_a_2023_measure_says_its_2024_deadlines_follow_barnets_lov(login, org):
    measure = start_measure(org, "preventive", D(2023, 11, 15))
    page = login(org.advisor).get(reverse("followups:measure_schedule", args=[measure.pk])).content.decode()
    assert "Barnets Lov § 95: første opfølgning senest 3 måneder efter start" in page
    assert "Indsatsen startede under Serviceloven; frister fra" in page
    assert "følger Barnets Lov." in page
