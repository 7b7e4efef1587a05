"""Intake, duty, distribution and the professionals' case list, for each kind of user."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CaseState, Child, Notification
from herning.audit.models import AccessLog
from herning.organisation.models import DutyShift
from tests.cases.factories import NotificationFactory
from tests.factories import CaseFactory, ChildFactory

NOW = "2026-04-01 10:00 +02:00"


def intake_form(**extra):
    return {
        "cpr": "070717-4321",
        "first_name": "Ida",
        "last_name": "Holm",
        "address": "",
        "postal_code": "",
        "city": "",
        "school_district": "",
        "district": "",
        "received_date": "2026-04-01",
        "received_time": "08:15",
        "notifier_kind": Notification.NotifierKind.PROFESSIONAL,
        "notifier_name": "Lærer Hansen",
        "notifier_organisation": "Sunds Skole",
        "notifier_email": "hansen@skole.example",
        "notifier_phone": "",
        "concern": "Barnet er bange for at gå hjem.",
        "register": "1",
        **extra,
    }


@pytest.mark.parametrize(
    ("persona", "status"), [("case_admin", 200), ("advisor", 403), ("duty_advisor", 403), ("management", 403)]
)
def test_the_intake_page_is_the_case_administrators(org, login, persona, status):
    assert login(getattr(org, persona)).get(reverse("start:intake")).status_code == status


@time_machine.travel(NOW, tick=False)
def test_a_case_administrator_registers_a_notification_on_a_new_child(org, login):
    DutyShift.objects.create(
        district=org.district_a, date=datetime.date(2026, 4, 1), advisor=org.duty_advisor
    )
    client = login(org.case_admin)
    response = client.post(reverse("start:intake"), intake_form(school_district=org.school_a.pk))
    assert response.status_code == 302
    notification = Notification.objects.get()
    assert notification.child.first_name == "Ida"
    assert (notification.duty_advisor, notification.registered_by) == (org.duty_advisor, org.case_admin)
    assert notification.case.state == CaseState.NOTIFICATION
    # Registering is not a reason to read the child's record.
    assert client.get(reverse("cases:child_detail", args=[notification.child_id])).status_code == 404
    page = client.get(reverse("start:intake")).content.decode()
    assert notification.child.masked_cpr in page and notification.child.formatted_cpr not in page


@time_machine.travel(NOW, tick=False)
def test_looking_up_a_cpr_number_tells_only_whether_the_child_is_known(org, login):
    known = ChildFactory(municipality=org.municipality, district=org.district_a, first_name="Kendtbarn")
    client = login(org.case_admin)
    page = client.post(reverse("start:intake"), {"cpr": known.cpr, "lookup": "1"}).content.decode()
    assert "Barnet er kendt i kommunen" in page
    assert "Kendtbarn" not in page
    page = client.post(reverse("start:intake"), {"cpr": "0707174321", "lookup": "1"}).content.decode()
    assert "Barnet er ikke kendt" in page
    page = client.post(reverse("start:intake"), {"cpr": "12", "lookup": "1"}).content.decode()
    assert "10 cifre" in page
    assert not Notification.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_notification_on_a_known_child_needs_no_child_details(org, login):
    known = ChildFactory(municipality=org.municipality, district=org.district_a)
    response = login(org.case_admin).post(
        reverse("start:intake"), intake_form(cpr=known.cpr, first_name="", last_name="")
    )
    assert response.status_code == 302
    assert Notification.objects.get().child == known
    assert Child.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_an_incomplete_registration_says_what_is_missing_and_saves_nothing(org, login):
    response = login(org.case_admin).post(
        reverse("start:intake"), intake_form(first_name="", notifier_name="", concern="", received_time="")
    )
    page = response.content.decode()
    assert response.status_code == 200
    for message in ("skriv barnets fornavn", "vælg distrikt eller skoledistrikt", "Dette felt er påkrævet"):
        assert message in page
    assert not Notification.objects.exists() and not Child.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_professional_without_a_name_is_refused_without_losing_the_concern(org, login):
    page = (
        login(org.case_admin)
        .post(reverse("start:intake"), intake_form(district=org.district_a.pk, notifier_name=""))
        .content.decode()
    )
    assert "En fagperson kan ikke være anonym" in page
    assert "Barnet er bange for at gå hjem." in page
    assert not Child.objects.exists()


@pytest.fixture
def waiting(org):
    case = CaseFactory(team=org.team_a, advisor=None, state=CaseState.NOTIFICATION)
    return NotificationFactory(case=case, registered_by=org.case_admin)


@pytest.mark.parametrize(
    ("persona", "status"), [("duty_advisor", 200), ("advisor", 403), ("team_leader", 403)]
)
def test_the_duty_page_is_the_duty_advisors(org, login, persona, status):
    assert login(getattr(org, persona)).get(reverse("start:duty")).status_code == status


def test_the_duty_advisor_sees_the_districts_waiting_notifications_and_assesses_one(org, waiting, login):
    elsewhere = NotificationFactory(
        case=CaseFactory(team=org.team_b, advisor=None), registered_by=org.case_admin
    )
    client = login(org.duty_advisor)
    page = client.get(reverse("start:duty")).content.decode()
    assert waiting.child.full_name in page and elsewhere.child.full_name not in page
    assess = reverse("cases:notification_assess", args=[waiting.pk])
    assert assess in page
    page = client.get(assess).content.decode()
    assert waiting.concern in page
    assert AccessLog.objects.filter(user=org.duty_advisor, child=waiting.child).exists()
    response = client.post(assess, {"acute_danger": "no", "assessment_action": "Talt med skolen"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.acute_danger, waiting.assessed_by) == (False, org.duty_advisor)
    assert waiting.child.full_name not in client.get(reverse("start:duty")).content.decode()
    assert client.get(assess).status_code in (403, 404)


def test_an_assessment_without_an_answer_is_refused_in_danish(org, waiting, login):
    page = (
        login(org.duty_advisor)
        .post(reverse("cases:notification_assess", args=[waiting.pk]), {})
        .content.decode()
    )
    assert "Dette felt er påkrævet" in page
    waiting.refresh_from_db()
    assert waiting.assessed_at is None


@pytest.mark.parametrize(
    ("persona", "status"), [("advisor", 404), ("outsider", 404), ("case_admin", 403), ("management", 404)]
)
def test_others_cannot_assess(org, waiting, login, persona, status):
    response = login(getattr(org, persona)).post(
        reverse("cases:notification_assess", args=[waiting.pk]),
        {"acute_danger": "no", "assessment_action": "x"},
    )
    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), [("team_leader", 200), ("advisor", 403), ("management", 403)])
def test_the_distribution_page_is_the_team_leaders(org, login, persona, status):
    assert login(getattr(org, persona)).get(reverse("cases:distribution")).status_code == status


def test_the_team_leader_gives_a_new_case_an_advisor_from_the_distribution_list(org, waiting, login):
    other_team = CaseFactory(team=org.team_b, advisor=None, child__first_name="Andetteam")
    client = login(org.team_leader)
    page = client.get(reverse("cases:distribution")).content.decode()
    assert waiting.child.full_name in page and "Andetteam" not in page
    response = client.post(
        reverse("cases:case_assign", args=[waiting.case_id]),
        {"advisor": org.colleague.pk, "next": reverse("cases:distribution")},
    )
    assert response["Location"] == reverse("cases:distribution")
    waiting.case.refresh_from_db()
    assert (waiting.case.advisor, waiting.case.state) == (org.colleague, CaseState.CLARIFICATION)
    assert (
        client.post(
            reverse("cases:case_assign", args=[other_team.pk]), {"advisor": org.outsider.pk}
        ).status_code
        == 404
    )


def test_an_assignment_never_redirects_off_the_site(org, waiting, login):
    response = login(org.team_leader).post(
        reverse("cases:case_assign", args=[waiting.case_id]),
        {"advisor": org.advisor.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("cases:case_detail", args=[waiting.case_id])


# The request itself, the cases with their notifications, the advisors, their loads, the children's
# previous advisors (the suggestion) and the receipts.
DISTRIBUTION_QUERIES = 10  # with the access log: one insert for every child listed


def test_the_distribution_queries_do_not_grow_with_the_cases(org, login, django_assert_num_queries):
    client = login(org.team_leader)
    for _ in range(2):
        NotificationFactory(case=CaseFactory(team=org.team_a, advisor=None), registered_by=org.case_admin)
    client.get(reverse("cases:distribution"))
    with django_assert_num_queries(DISTRIBUTION_QUERIES):
        client.get(reverse("cases:distribution"))
    for _ in range(5):
        NotificationFactory(case=CaseFactory(team=org.team_a, advisor=None), registered_by=org.case_admin)
    CaseFactory(team=org.team_a, advisor=org.advisor)
    with django_assert_num_queries(DISTRIBUTION_QUERIES):
        client.get(reverse("cases:distribution"))


def test_the_receipt_is_recorded_from_the_registrations_list(org, login):
    notification = NotificationFactory(
        case=CaseFactory(team=org.team_a, advisor=None), registered_by=org.case_admin
    )
    client = login(org.case_admin)
    url = reverse("cases:notification_receipt", args=[notification.pk])
    response = client.post(
        url + "?next=" + reverse("start:intake"), {"receipt_sent_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.receipt_sent_on == timezone.localdate()
    assert client.get(url).status_code == 403
    assert login(org.outsider).get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [("psychologist", 200), ("health_visitor", 200), ("advisor", 403)]
)
def test_my_cases_is_for_the_professionals(org, login, persona, status):
    assert login(getattr(org, persona)).get(reverse("start:my_cases")).status_code == status


def test_my_cases_lists_only_the_cases_the_professional_is_added_to(org, case, login):
    other = CaseFactory(team=org.team_a, advisor=org.advisor)
    services.case_participant_add(case=case, user=org.psychologist, added_by=org.advisor)
    page = login(org.psychologist).get(reverse("start:my_cases")).content.decode()
    assert case.child.full_name in page and other.child.full_name not in page
    assert case.child.masked_cpr in page


def test_the_menu_offers_cases_and_finding_a_child_to_the_case_workers(org, login):
    page = login(org.advisor).get(reverse("cases:case_list")).content.decode()
    assert reverse("cases:find_child") in page
    page = login(org.team_leader).get(reverse("cases:case_list")).content.decode()
    assert reverse("cases:distribution") in page
    page = login(org.case_admin).get(reverse("start:intake")).content.decode()
    assert reverse("cases:case_list") not in page


# --- The law a page cites is the law of its day (herning.core.law) ------------------------------


def test_the_assessment_page_of_a_2026_notification_cites_barnets_lov_only(org, waiting, login):
    waiting.received_at = timezone.make_aware(datetime.datetime(2026, 4, 1, 8, 15))
    waiting.save(update_fields=["received_at"])
    page = (
        login(org.duty_advisor).get(reverse("cases:notification_assess", args=[waiting.pk])).content.decode()
    )
    assert "(Barnets Lov § 136)" in page
    assert "SEL" not in page and "Serviceloven" not in page


def test_the_assessment_page_of_a_2023_notification_cites_serviceloven(org, waiting, login):
    waiting.received_at = timezone.make_aware(datetime.datetime(2023, 11, 20, 9, 0))
    waiting.save(update_fields=["received_at"])
    page = (
        login(org.duty_advisor).get(reverse("cases:notification_assess", args=[waiting.pk])).content.decode()
    )
    assert "(Serviceloven § 155)" in page
    assert "Barnets Lov § 136" not in page


def test_a_legal_basis_cites_the_section_of_the_law_of_the_day():
    from cases.models import LegalBasis

    basis = LegalBasis(code="x", title="Anbringelse", sel_section="§ 52, stk. 3, nr. 7", bl_section="§ 46")
    assert basis.citation_on(datetime.date(2026, 4, 1)) == "BL § 46"
    assert basis.citation_on(datetime.date(2023, 12, 31)) == "SEL § 52, stk. 3, nr. 7"
    assert (
        LegalBasis(code="y", title="Ny", bl_section="§ 32").citation_on(datetime.date(2023, 5, 1))
        == "BL § 32"
    )


@time_machine.travel("2026-03-05 09:41:27 +01:00", tick=False)
def test_the_intake_form_starts_at_now_and_says_when_the_child_fields_are_needed(org, login):
    """Received date and time default to now; the child's name and district are required only for
    a child the municipality does not know, and the form says so instead of "(frivilligt)"."""
    html = login(org.case_admin).get(reverse("start:intake")).content.decode()
    assert 'name="received_date" value="2026-03-05"' in html
    assert 'name="received_time" value="09:41"' in html
    label = html[html.index('for="id_first_name"') : html.index('name="first_name"')]
    assert "frivilligt" not in label
    assert "Skal udfyldes, hvis barnet ikke er kendt i kommunen." in label
    # A field that is simply optional still says so.
    phone = html[html.index('for="id_notifier_phone"') : html.index('name="notifier_phone"')]
    assert "frivilligt" in phone


def test_the_duty_page_and_the_assessment_say_who_is_on_duty_today(org, waiting, login):
    today = timezone.localdate()
    DutyShift.objects.create(district=org.district_a, date=today, advisor=org.duty_advisor)
    DutyShift.objects.create(
        district=org.district_a, date=today - datetime.timedelta(days=1), advisor=org.advisor
    )
    client = login(org.duty_advisor)
    page = client.get(reverse("start:duty")).content.decode()
    duty = page[page.index("Vagt i dag") :]
    assert f"{org.district_a}: <strong>{org.duty_advisor}</strong>" in duty
    assert f"{org.district_b}: ingen på vagtplanen" in duty
    page = client.get(reverse("cases:notification_assess", args=[waiting.pk])).content.decode()
    assert f"<dt>Vagt i dag</dt><dd>{org.duty_advisor} ({waiting.district})</dd>" in page
