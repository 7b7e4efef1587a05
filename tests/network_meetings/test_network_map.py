"""The network map: versions kept (a new version copies the previous, old ones read-only), attached
to an investigation, used to pick meeting participants; its pages per role."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import CaseParticipant
from herning.audit.models import AccessLog
from network_meetings import selectors, services
from network_meetings.models import NetworkMap, NetworkMapPerson, Participant
from tests.network_meetings.factories import InvestigationFactory, RelationFactory, case_for, plan

pytestmark = pytest.mark.django_db

Kind = NetworkMapPerson.Kind


@pytest.fixture
def case(org):
    case = case_for(org, first_name="Emma", last_name="Quistorff")
    RelationFactory(child=case.child, kind="mother", name="Hanne Quistorff", email="hanne@example.dk")
    RelationFactory(child=case.child, kind="grandparent", name="Erik Dahl", has_custody=False)
    return case


@pytest.fixture
def investigation(case, org):
    return InvestigationFactory(case=case, decided_by=org.advisor)


def _person(network_map, **fields):
    defaults = {"name": "Karin Dahl", "kind": Kind.FAMILY, "relation": "Moster", "significance": "resource"}
    return services.network_map_person_add(
        network_map=network_map, by=network_map.created_by, **{**defaults, **fields}
    )


def test_the_first_version_starts_from_the_childs_relations(case, org, investigation):
    network_map = services.network_map_new_version(
        child=case.child,
        by=org.advisor,
        investigation=investigation,
        made_with_parents=True,
        made_with_child=True,
    )
    assert network_map.version == 1
    people = {p.name: p for p in network_map.people.all()}
    assert people["Hanne Quistorff"].kind == Kind.PARENT
    assert people["Hanne Quistorff"].email == "hanne@example.dk"
    assert people["Erik Dahl"].kind == Kind.FAMILY


def test_a_new_version_copies_the_previous_which_stays_unchanged_and_read_only(case, org, investigation):
    first = services.network_map_new_version(child=case.child, by=org.advisor, investigation=investigation)
    aunt = _person(first, significance="concern", closeness=2)
    second = services.network_map_new_version(child=case.child, by=org.advisor)
    assert second.version == 2
    assert second.investigation == investigation  # the attachment carries over
    copy = second.people.get(name="Karin Dahl")
    assert (copy.kind, copy.relation, copy.significance, copy.closeness) == (
        Kind.FAMILY,
        "Moster",
        "concern",
        2,
    )
    services.network_map_person_update(person=copy, by=org.advisor, significance="resource")
    aunt.refresh_from_db()
    assert aunt.significance == "concern"
    with pytest.raises(ValidationError, match="tidligere version"):
        services.network_map_person_update(person=aunt, by=org.advisor, significance="both")
    with pytest.raises(ValidationError, match="tidligere version"):
        _person(first, name="Ny person")
    with pytest.raises(ValidationError, match="tidligere version"):
        services.network_map_person_remove(person=aunt, by=org.advisor)
    assert first.people.count() == 3


def test_the_investigation_warning_knows_whether_a_map_is_attached(case, org, investigation):
    assert selectors.investigation_has_network_map(investigation) is False
    network_map = services.network_map_new_version(child=case.child, by=org.advisor)
    assert selectors.investigation_has_network_map(investigation) is False
    services.network_map_update(network_map=network_map, by=org.advisor, investigation=investigation)
    assert selectors.investigation_has_network_map(investigation) is True


def test_a_map_cannot_be_attached_to_another_childs_investigation(case, org):
    other_case = case_for(org, first_name="Ib", last_name="Dam")
    other_investigation = InvestigationFactory(case=other_case, decided_by=org.advisor)
    with pytest.raises(ValidationError) as error:
        services.network_map_new_version(child=case.child, by=org.advisor, investigation=other_investigation)
    assert "investigation" in error.value.message_dict


def test_meeting_participants_come_from_the_map_and_an_anonymous_meeting_leaves_out_names_that_name_the_child(
    case, org
):
    network_map = services.network_map_new_version(child=case.child, by=org.advisor)
    _person(
        network_map, name="Per Olsen", kind=Kind.SCHOOL, relation="Klasselærer", email="per@skole.example"
    )
    _person(network_map, name="Peter Winther", kind=Kind.PSYCHOLOGIST, relation="PPR", user=org.psychologist)
    meeting = plan(case.child, planned_by=org.advisor)
    added, omitted = services.participants_from_network_map(
        meeting=meeting, by=org.advisor, people=network_map.people.all()
    )
    by_function = {p.function: p for p in added}
    assert by_function[Participant.Function.TEACHER].name == "Per Olsen"
    assert by_function[Participant.Function.TEACHER].email == "per@skole.example"
    assert by_function[Participant.Function.PSYCHOLOGIST].user == org.psychologist
    assert by_function[Participant.Function.PARENT].name == ""  # "Hanne Quistorff" would name the child
    assert omitted == 1
    names = {p.name for p in added}
    assert "Erik Dahl" in names  # a grandfather with his own surname is named


def test_map_page_for_the_advisor_shows_and_logs_the_map(case, org, login):
    network_map = services.network_map_new_version(child=case.child, by=org.advisor)
    _person(network_map)
    response = login(org.advisor).get(reverse("network_meetings:network_map", args=[case.child.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Karin Dahl" in body and "Ressource" in body
    assert "<svg" in body and "Tilføj person" in body
    assert AccessLog.objects.filter(user=org.advisor, child=case.child, purpose="Netværkskort").exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("advisor", 200),
        ("colleague", 404),
        ("outsider", 404),
        ("team_leader", 200),
        ("other_team_leader", 404),
        ("psychologist", 404),
        ("management", 404),
    ],
)
def test_map_page_per_role(case, org, login, persona, status):
    services.network_map_new_version(child=case.child, by=org.advisor)
    response = login(getattr(org, persona)).get(reverse("network_meetings:network_map", args=[case.child.pk]))
    assert response.status_code == status


def test_a_case_participant_reads_the_map_but_cannot_change_it(case, org, login):
    CaseParticipant.objects.create(case=case, user=org.psychologist)
    services.network_map_new_version(child=case.child, by=org.advisor)
    client = login(org.psychologist)
    body = client.get(reverse("network_meetings:network_map", args=[case.child.pk])).content.decode()
    assert "Tilføj person" not in body
    response = client.post(
        reverse("network_meetings:network_map_new_version", args=[case.child.pk]), {"made_on": "2026-01-05"}
    )
    assert response.status_code == 403
    assert NetworkMap.objects.filter(child=case.child).count() == 1


def test_the_team_leader_starts_a_new_version_from_the_page(case, org, login):
    services.network_map_new_version(child=case.child, by=org.advisor)
    response = login(org.team_leader).post(
        reverse("network_meetings:network_map_new_version", args=[case.child.pk]),
        {"made_on": "2026-01-05", "made_with_parents": "on"},
    )
    assert response.status_code == 302
    latest = selectors.latest_network_map(case.child)
    assert latest.version == 2 and latest.made_with_parents and latest.created_by == org.team_leader


def test_an_old_version_page_is_read_only(case, org, login):
    first = services.network_map_new_version(child=case.child, by=org.advisor)
    services.network_map_new_version(child=case.child, by=org.advisor)
    client = login(org.advisor)
    body = client.get(reverse("network_meetings:network_map_version", args=[first.pk])).content.decode()
    assert "tidligere version" in body
    assert "Tilføj person" not in body and "Fjern" not in body
    person = first.people.first()
    response = client.post(reverse("network_meetings:network_map_person_remove", args=[person.pk]))
    assert response.status_code == 302
    assert NetworkMapPerson.objects.filter(pk=person.pk).exists()


def test_adding_a_person_with_a_bad_email_says_what_is_wrong(case, org, login):
    network_map = services.network_map_new_version(child=case.child, by=org.advisor)
    response = login(org.advisor).post(
        reverse("network_meetings:network_map_person_add", args=[network_map.pk]),
        {
            "name": "Karin",
            "kind": "family",
            "significance": "resource",
            "closeness": "1",
            "email": "ikke-en-adresse",
        },
    )
    assert response.status_code == 200
    assert "Skriv en gyldig e-mailadresse." in response.content.decode()
    assert not network_map.people.filter(name="Karin").exists()
