"""Registering a child: the CPR number decides birth date and legal sex, is unique per
municipality and is never rejected for failing modulus 11."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Child, Relation
from herning.core.cpr import modulus_11_ok
from tests.factories import DistrictFactory


def create(org, cpr="0707174321", **extra):
    fields = {"first_name": "Ida", "last_name": "Holm", "district": org.district_a, **extra}
    return services.child_create(municipality=org.municipality, cpr=cpr, created_by=org.advisor, **fields)


def test_birth_date_and_legal_sex_follow_from_the_cpr_number(org):
    child = create(org, cpr="070717-4321")
    assert child.cpr == "0707174321"
    # 7th digit 4 with year 17: born 2017; the last digit is odd: male.
    assert child.birth_date == datetime.date(2017, 7, 7)
    assert child.legal_sex == Child.LegalSex.MALE


def test_a_number_that_fails_modulus_11_is_accepted(org):
    assert not modulus_11_ok("0707174321")
    assert create(org, cpr="0707174321").pk


def test_31_february_is_rejected_with_a_danish_message(org):
    with pytest.raises(ValidationError) as error:
        create(org, cpr="3102174321")
    assert "gyldig dato" in str(error.value)
    assert not Child.objects.exists()


def test_the_same_cpr_number_is_one_child_per_municipality(org):
    create(org)
    with pytest.raises(ValidationError):
        create(org, first_name="Anden")
    assert Child.objects.count() == 1


def test_the_district_follows_the_school_district_unless_one_is_chosen(org):
    child = create(org, district=None, school_district=org.school_b)
    assert child.district == org.district_b
    chosen = create(org, cpr="0808174321", district=org.district_a, school_district=org.school_b)
    assert chosen.district == org.district_a


def test_a_district_of_another_municipality_is_refused(org):
    foreign = DistrictFactory()
    with pytest.raises(ValidationError) as error:
        create(org, district=foreign)
    assert "district" in error.value.error_dict


def test_the_cpr_number_cannot_be_changed_by_an_update(org):
    child = create(org)
    with pytest.raises(TypeError):
        services.child_update(child=child, updated_by=org.advisor, cpr="0808174321")
    services.child_update(child=child, updated_by=org.advisor, school_district=org.school_b)
    child.refresh_from_db()
    assert child.district == org.district_b


def test_a_relation_is_never_deleted_only_marked_as_former(org):
    child = create(org)
    mother = services.relation_add(
        child=child,
        kind=Relation.Kind.MOTHER,
        name="Mette Holm",
        has_custody=True,
        phone="20202020",
        added_by=org.advisor,
    )
    services.relation_end(relation=mother, ended_by=org.advisor)
    mother.refresh_from_db()
    assert (mother.is_active, mother.has_custody) == (False, False)
    assert child.relations.count() == 1
    assert mother.history.first().history_user == org.advisor


def test_a_relation_with_a_malformed_email_is_refused(org):
    child = create(org)
    with pytest.raises(ValidationError) as error:
        services.relation_add(
            child=child, kind=Relation.Kind.FATHER, name="Far", email="ikke-en-adresse", added_by=org.advisor
        )
    assert "email" in error.value.error_dict


def test_registering_a_child_opens_its_case_in_one_action(org):
    child, case = services.child_register_with_case(
        municipality=org.municipality,
        registered_by=org.advisor,
        cpr="0707174321",
        first_name="Ida",
        last_name="Holm",
        district=org.district_a,
    )
    assert (case.child, case.advisor, case.state) == (child, org.advisor, "clarification")
    # A team leader registers without becoming the advisor: the case waits to be assigned.
    _child, led = services.child_register_with_case(
        municipality=org.municipality,
        registered_by=org.team_leader,
        cpr="0808174321",
        first_name="Bo",
        last_name="Holm",
        district=org.district_a,
    )
    assert led.advisor is None


def test_the_page_and_the_api_register_a_child_through_the_same_service(org, login, monkeypatch):
    from rest_framework.test import APIClient

    from tests.fixtures import login_with_second_factor

    calls = []
    real = services.child_register_with_case

    def spy(**kwargs):
        calls.append(kwargs["registered_by"])
        return real(**kwargs)

    monkeypatch.setattr(services, "child_register_with_case", spy)
    page = login(org.advisor).post(
        "/boern/nyt/",
        {
            "cpr": "070717-4321",
            "first_name": "Ida",
            "last_name": "Holm",
            "district": org.district_a.pk,
            "school_district": "",
            "case-opened_on": datetime.date.today().isoformat(),
        },
    )
    api = login_with_second_factor(APIClient(), org.advisor).post(
        "/api/v1/children/",
        {"cpr": "0808174321", "first_name": "Bo", "last_name": "Lund", "district": org.district_a.pk},
        format="json",
    )
    assert (page.status_code, api.status_code) == (302, 201)
    assert calls == [org.advisor, org.advisor]
    assert Child.objects.filter(cases__isnull=False).count() == 2


def test_the_form_the_api_and_the_service_write_the_same_child_fields():
    from cases.api import ChildSerializer, ChildWriteFields
    from cases.forms import ChildForm

    assert tuple(ChildForm._meta.fields) == services.CHILD_FIELDS
    assert set(ChildWriteFields().fields) == set(services.CHILD_FIELDS)
    assert set(services.CHILD_FIELDS) < set(ChildSerializer.Meta.fields)
