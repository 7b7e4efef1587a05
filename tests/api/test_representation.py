"""The planned representation of a read serializer (``herning.api.representation``) answers what
DRF's own ``to_representation`` answers, field for field, on every resource of ``/api/v1/``."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from rest_framework import serializers

from herning.api.representation import PlannedRepresentation, ReadModelSerializer
from herning.organisation.models import Role, User
from herning.urls import router
from tests.api.base import results, token_client

pytestmark = pytest.mark.django_db


def _drf_path():
    """DRF's own path in place of the plan, for the answer to compare with."""
    return mock.patch.object(
        PlannedRepresentation, "to_representation", serializers.Serializer.to_representation
    )


def _model_serializers_of_the_api():
    for _prefix, viewset, _basename in router.registry:
        for name in ("read_serializer_class", "serializer_class"):
            cls = getattr(viewset, name, None)
            if isinstance(cls, type) and issubclass(cls, serializers.ModelSerializer):
                yield viewset, cls


def test_every_model_serializer_the_api_answers_with_is_planned():
    found = list(_model_serializers_of_the_api())
    assert len(found) >= 12
    unplanned = [
        f"{viewset.__name__}: {cls.__name__}"
        for viewset, cls in found
        if not issubclass(cls, ReadModelSerializer)
    ]
    assert unplanned == []


@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_every_list_of_the_demo_answers_as_drf_would():
    call_command("seed_demo", stdout=io.StringIO())
    people = [User.objects.get(username=name) for name in ("anne", "tl.nord")]
    people.append(User.objects.with_role(Role.SYSTEM_ADMINISTRATOR).order_by("pk").first())
    compared = 0
    for person in people:
        client = token_client(person)
        for prefix, viewset, _basename in router.registry:
            if "list" not in dir(viewset):
                continue
            url = f"/api/v1/{prefix}/?page_size=200"
            planned = client.get(url)
            with _drf_path():
                plain = client.get(url)
            assert planned.status_code == plain.status_code, url
            assert planned.json() == plain.json(), (person.username, url)
            rows = results(planned) if planned.status_code == 200 else []
            compared += len(rows)
            # One record of each list, read on its own, answers as DRF's detail would (ETag too).
            if rows and "id" in rows[0]:
                detail = f"/api/v1/{prefix}/{rows[0]['id']}/"
                one = client.get(detail)
                with _drf_path():
                    other = client.get(detail)
                assert (one.status_code, one.json(), one["ETag"]) == (
                    other.status_code,
                    other.json(),
                    other["ETag"],
                ), detail
    # The demo fills the lists: the comparison saw records with every kind of value.
    assert compared > 300


def test_an_empty_relation_on_the_way_answers_as_drf_would(org):
    """A source through a relation that this row lacks (a case with no ladder step) falls back
    to DRF's path for that field, which answers null where the field allows it."""
    from cases.api import CaseSerializer
    from tests.factories import CaseFactory

    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=datetime.date(2025, 1, 6))
    case.current_step = None
    planned = CaseSerializer(case).data
    with _drf_path():
        plain = CaseSerializer(case).data
    assert planned == plain
    assert planned["current_step"] is None and planned["child"] == case.child_id


def test_a_serializer_of_plain_objects_is_planned_as_drf_reads_them():
    """A serializer without a model (the follow-ups the API computes) reads each source's dotted
    path; a method (DRF calls it), a missing step and an empty relation take DRF's own path."""
    from types import SimpleNamespace

    class Thing:
        def __init__(self, inner):
            self.name = "navn"
            self.inner = inner
            self.when = datetime.date(2026, 3, 2)
            self.flags = ["a", "b"]

        def computed(self):
            return "kaldt"

        @property
        def shown(self):
            return 7

    class Planned(PlannedRepresentation, serializers.Serializer):
        name = serializers.CharField()
        number = serializers.IntegerField(source="inner.n", allow_null=True)
        computed = serializers.CharField()
        shown = serializers.IntegerField()
        when = serializers.DateField()
        flags = serializers.ListField(child=serializers.CharField())
        absent = serializers.CharField(source="inner.nothing", required=False)
        empty = serializers.CharField(source="inner.n.deeper", allow_null=True)

    things = [Thing(SimpleNamespace(n=3)), Thing(SimpleNamespace(n=None)), Thing(None)]
    planned = Planned(things, many=True).data
    with _drf_path():
        plain = Planned(things, many=True).data
    assert planned == plain
    assert (
        planned[0]["computed"] == "kaldt" and planned[0]["number"] == 3 and planned[0]["when"] == "2026-03-02"
    )


def test_a_class_whose_fields_represent_from_the_value_alone_is_planned_once_and_builds_no_fields(org):
    """The cases' serializer (every field a column, a property, a code, a date, a choice or the
    change feed's stamp) is planned once for its class: a page of it answers as DRF does without
    building the request's fields, and the kept plan holds no request. A serializer with a method
    field (the children's) builds its own per instance, as before."""
    from cases.api import CaseSerializer, ChildSerializer
    from herning.api import representation
    from tests.factories import CaseFactory

    cases = [
        CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=datetime.date(2025, 1, 6)),
        CaseFactory(team=org.team_b, advisor=None, opened_on=datetime.date(2026, 2, 28)),
    ]
    cases[1].current_step = None  # an empty relation on the way: null, as DRF answers
    cases[0].api_updated_at = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
    representation._CLASS_PLANS.clear()
    request = mock.Mock(name="request")
    page = CaseSerializer(cases, many=True, context={"request": request})
    planned = page.data
    with _drf_path():
        plain = CaseSerializer(cases, many=True).data
    assert planned == plain
    assert planned[0]["updated_at"] == "2026-03-02T09:00:00+01:00" and planned[1]["updated_at"] is None
    assert planned[0]["child_name"] == cases[0].child.full_name
    kept = representation._CLASS_PLANS[CaseSerializer]
    assert kept is not None and all(field is None for _name, _get, _convert, field, _missing in kept)
    assert planned[1]["current_step"] is None
    # No row needed the request's own fields, the one without the feed's stamp included.
    assert "fields" not in page.child.__dict__
    one = CaseSerializer(cases[1], context={"request": request})
    assert one.data == plain[1]
    assert "fields" not in one.__dict__
    # A method field cannot be shared: the children's serializer keeps a plan per instance.
    child = ChildSerializer(cases[0].child, context={"request": request})
    assert child.data["id"] == cases[0].child_id
    assert representation._CLASS_PLANS[ChildSerializer] is None and "fields" in child.__dict__
