"""History rows carry the acting person, from a web request and from a background task; the case
page lists who changed what, field by field, and never shows a CPR number."""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse
from simple_history.models import HistoricalRecords

from cases import services
from cases.history import case_history
from cases.models import CaseState, JournalNote
from herning.core.history import acting_as
from tests.factories import CaseFactory


def test_a_service_run_by_a_background_task_records_the_person_it_acts_for(org, case):
    # No request here, as in a Celery task.
    note = services.journal_add(
        case=case, heading=JournalNote.Heading.NOTE, text="Fra en opgave", written_by=org.colleague
    )
    assert note.history.get().history_user == org.colleague


def test_a_web_request_records_the_logged_in_person(org, case, login):
    client = login(org.team_leader)
    response = client.post(
        reverse("cases:journal_add", args=[case.pk]),
        {
            "heading": JournalNote.Heading.PHONE_CALL,
            "occurred_on": case.opened_on.isoformat(),
            "text": "Ringede",
        },
    )
    assert response.status_code == 302
    assert JournalNote.history.get(case_id=case.pk).history_user == org.team_leader


def test_acting_as_puts_back_the_request_it_found():
    request = SimpleNamespace(user="someone")
    HistoricalRecords.context.request = request
    try:
        with acting_as("another"):
            assert HistoricalRecords.context.request.user == "another"
        assert HistoricalRecords.context.request is request
    finally:
        del HistoricalRecords.context.request
    with acting_as("third"):
        pass
    assert not hasattr(HistoricalRecords.context, "request")


def test_the_case_history_says_field_old_and_new_who_and_when(org):
    case = CaseFactory(team=org.team_a, advisor=None, state=CaseState.NOTIFICATION)
    services.case_assign(case=case, advisor=org.colleague, assigned_by=org.team_leader)
    entries = case_history(case)
    assigned = entries[0]
    assert assigned.who == str(org.team_leader)
    assert assigned.kind == "changed"
    changes = {c.field: (c.old, c.new) for c in assigned.changes}
    assert changes["socialrådgiver"] == ("–", str(org.colleague))
    assert changes["status"] == ("Underretning modtaget", "Afklaring")


def test_the_case_history_never_shows_a_cpr_number(org, case, login):
    services.child_update(child=case.child, updated_by=org.advisor, first_name="Nyt", address="Vej 1")
    services.journal_add(
        case=case, heading=JournalNote.Heading.NOTE, text="Mors CPR er 010203-1234", written_by=org.advisor
    )
    note = case.journal_notes.get()
    services.journal_correct(note=note, text="Rettet: 0102031234", reason="Slåfejl", corrected_by=org.advisor)
    rendered = " ".join(f"{e.what} {[(c.old, c.new) for c in e.changes]}" for e in case_history(case))
    assert "Nyt" in rendered
    assert "1234" not in rendered
    assert case.child.cpr not in rendered
    page = login(org.advisor).get(reverse("cases:case_history", args=[case.pk])).content.decode()
    assert "010203-1234" not in page and "0102031234" not in page
