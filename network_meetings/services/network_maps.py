"""The child's network map and its versions."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Child, Investigation, Relation
from cases.permissions import Action, require
from network_meetings.models import (
    NetworkMap,
    NetworkMapPerson,
)
from network_meetings.services.common import refuse_cpr, save_valid

_MAP_KIND_OF_RELATION = {
    Relation.Kind.MOTHER: NetworkMapPerson.Kind.PARENT,
    Relation.Kind.FATHER: NetworkMapPerson.Kind.PARENT,
    Relation.Kind.PARENT: NetworkMapPerson.Kind.PARENT,
    Relation.Kind.STEP_PARENT: NetworkMapPerson.Kind.PARENT,
    Relation.Kind.FOSTER_PARENT: NetworkMapPerson.Kind.PARENT,
    Relation.Kind.SIBLING: NetworkMapPerson.Kind.SIBLING,
    Relation.Kind.GRANDPARENT: NetworkMapPerson.Kind.FAMILY,
    Relation.Kind.RELATIVE: NetworkMapPerson.Kind.FAMILY,
    Relation.Kind.NETWORK: NetworkMapPerson.Kind.FRIEND,
    Relation.Kind.OTHER: NetworkMapPerson.Kind.FRIEND,
}


def _refuse_unless_latest(network_map: NetworkMap) -> None:
    latest = (
        NetworkMap.objects.for_system().filter(child_id=network_map.child_id).aggregate(v=Max("version"))["v"]
    )
    if network_map.version != latest:
        raise ValidationError(_("Det er en tidligere version af netværkskortet; den kan kun læses."))


def _check_investigation(child: Child, investigation: Investigation | None) -> None:
    if investigation is not None and investigation.case.child_id != child.pk:
        raise ValidationError({"investigation": _("Undersøgelsen hører til et andet barn.")})


@transaction.atomic
def network_map_new_version(
    *,
    child: Child,
    by,
    made_on: datetime.date | None = None,
    made_with_parents: bool = False,
    made_with_child: bool = False,
    investigation: Investigation | None = None,
    note: str = "",
) -> NetworkMap:
    """Start a new version of the child's network map as a copy of the latest one; the first
    version starts from the child's registered relations. Earlier versions stay as they were."""
    require(by, Action.EDIT_NETWORK_MAP, child)
    Child.objects.for_system().select_for_update().get(pk=child.pk)  # one new version at a time per child
    previous = NetworkMap.objects.for_system().filter(child=child).order_by("-version").first()
    _check_investigation(child, investigation)
    network_map = NetworkMap(
        child=child,
        version=(previous.version + 1) if previous else 1,
        investigation=investigation or (previous.investigation if previous else None),
        made_on=made_on or timezone.localdate(),
        made_with_parents=made_with_parents,
        made_with_child=made_with_child,
        note=note,
        created_by=by,
    )
    save_valid(network_map)
    if previous is not None:
        people = [
            NetworkMapPerson(
                network_map=network_map,
                name=p.name,
                kind=p.kind,
                relation=p.relation,
                significance=p.significance,
                closeness=p.closeness,
                user_id=p.user_id,
                phone=p.phone,
                email=p.email,
                note=p.note,
            )
            for p in previous.people.all()
        ]
    else:
        people = [
            NetworkMapPerson(
                network_map=network_map,
                name=r.name,
                kind=_MAP_KIND_OF_RELATION[r.kind],
                relation=r.get_kind_display(),
                significance=NetworkMapPerson.Significance.RESOURCE,
                phone=r.phone,
                email=r.email,
            )
            for r in child.relations.filter(is_active=True)
        ]
    for person in people:
        save_valid(person)
    return network_map


@transaction.atomic
def network_map_update(*, network_map: NetworkMap, by, **fields) -> NetworkMap:
    require(by, Action.EDIT_NETWORK_MAP, network_map.child)
    _refuse_unless_latest(network_map)
    allowed = {"made_on", "made_with_parents", "made_with_child", "investigation", "note"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"network_map_update does not change {sorted(unknown)}")
    if "investigation" in fields:
        _check_investigation(network_map.child, fields["investigation"])
    for field, value in fields.items():
        setattr(network_map, field, value)
    save_valid(network_map)
    return network_map


@transaction.atomic
def network_map_person_add(*, network_map: NetworkMap, by, **fields) -> NetworkMapPerson:
    require(by, Action.EDIT_NETWORK_MAP, network_map.child)
    _refuse_unless_latest(network_map)
    person = NetworkMapPerson(network_map=network_map, **fields)
    refuse_cpr(note=person.note, name=person.name, relation=person.relation)
    save_valid(person)
    return person


@transaction.atomic
def network_map_person_update(*, person: NetworkMapPerson, by, **fields) -> NetworkMapPerson:
    require(by, Action.EDIT_NETWORK_MAP, person.network_map.child)
    _refuse_unless_latest(person.network_map)
    for field, value in fields.items():
        setattr(person, field, value)
    refuse_cpr(note=person.note, name=person.name, relation=person.relation)
    save_valid(person)
    return person


@transaction.atomic
def network_map_person_remove(*, person: NetworkMapPerson, by) -> None:
    require(by, Action.EDIT_NETWORK_MAP, person.network_map.child)
    _refuse_unless_latest(person.network_map)
    person.delete()
