"""The installation's shared configuration (the ladder, the measure catalog with its unit costs,
the legal bases, the DUBU profiles with their code tables: every model without a municipality) is
changed by the national operator alone, each change an audit event; every municipality's system
administrator reads it and changes none of it, by admin URL or by POST; the operator opens nothing
but it and reads no case contents (issue 19, point 1; docs/access.md, "The national operator")."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse

from cases.models import Case, Child, LegalBasis
from dubu.models import MappingProfile
from herning.audit.models import AccessLog, AuditEvent
from herning.organisation.admin_scope import is_national_operator
from herning.organisation.models import Municipality, User
from measures.models import LadderStep, MeasureType
from tests.access import national_operator
from tests.edges.forms import forms_of
from tests.factories import CaseFactory
from tests.fixtures import login_with_second_factor

pytestmark = pytest.mark.django_db

# Each shared model the admin offers, with a field to change and its new value.
SHARED = {
    LadderStep: ("name", "Forebyggelse i nærmiljøet"),
    MeasureType: ("name", "Plejefamilie (ny betegnelse)"),
    LegalBasis: ("title", "Ny betegnelse"),
    MappingProfile: ("description", "Ny beskrivelse"),
}
SHARED_CHANGE = AuditEvent.Kind.SHARED_CONFIGURATION_CHANGE


@pytest.fixture
def shipped(db):
    """The shipped catalog and DUBU profile, as the migrations load them (loaded again in case a
    transactional test before this one emptied the tables)."""
    from dubu.defaults import load_defaults
    from dubu.models import CodeMapping
    from measures.catalog import load_default_catalog
    from measures.models import UnitCost

    load_default_catalog(
        LegalBasis=LegalBasis, LadderStep=LadderStep, MeasureType=MeasureType, UnitCost=UnitCost
    )
    load_defaults(MappingProfile=MappingProfile, CodeMapping=CodeMapping, MeasureType=MeasureType)


@pytest.fixture
def operator(db):
    return national_operator()


def _reaches_municipality(model, depth: int = 4) -> bool:
    """Whether ``model``'s rows belong to a municipality: a foreign key path leads to one."""
    if model is Municipality:
        return True
    if depth == 0:
        return False
    return any(
        _reaches_municipality(field.related_model, depth - 1)
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
    )


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _admins_of(model_admin):
    return [model_admin, *(inline(model_admin.model, admin.site) for inline in model_admin.inlines)]


def _may_add(model_admin, request) -> bool:
    if isinstance(model_admin, InlineModelAdmin):
        return model_admin.has_add_permission(request, None)
    return model_admin.has_add_permission(request)


def _urls(model, obj=None) -> dict[str, str]:
    base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = {"changelist": reverse(f"{base}_changelist"), "add": reverse(f"{base}_add")}
    if obj is not None:
        urls |= {name: reverse(f"{base}_{name}", args=[obj.pk]) for name in ("change", "delete", "history")}
    return urls


def _first_version(obj) -> int:
    """The id of ``obj``'s oldest history row (a row loaded by a data migration has none: saving
    it makes one)."""
    if not obj.history.exists():
        obj.save()
    return obj.history.order_by("history_id").first().history_id


def _as_submitted(client, url: str, field: str) -> dict[str, str]:
    """What the admin's form at ``url`` sends unchanged, as a browser would (the operator's form:
    a read-only page has no form to copy)."""
    form = next(f for f in forms_of(client.get(url).content.decode()) if field in f.fields)
    data = {}
    for f in form.fields.values():
        if f.kind == "checkbox":
            if f.checked:
                data[f.name] = f.value or "on"
        elif f.kind != "file":
            data[f.name] = f.value
    return data


# --- The meta-tests: every admin of the installation, now and later -----------------------------


def test_every_admin_says_truly_whether_its_records_are_shared():
    """An admin is shared configuration exactly when its model has no path to a municipality: a
    model given a municipality later must name the path, and one without cannot pretend to."""
    wrong = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.shares_configuration() == _reaches_municipality(model)
    ]
    assert not wrong


def test_no_shared_configuration_is_editable_by_a_municipal_system_administrator(org, operator, shipped):
    """Walks every registered admin and its inlines: where the records are shared, a municipality's
    system administrator may read and neither add, change nor delete, and the national operator
    may; where they are a municipality's, the operator may not even read. The shipped rows of the
    partly shared admins (presets, targets with no municipality) are read-only to the
    administrator too."""
    sysadmin, national = _request(org.sysadmin), _request(operator)
    shared = set()
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.order_by("pk").first()
        for each in _admins_of(model_admin):
            name = f"{model._meta.label}: {type(each).__name__}"
            if model_admin.shares_configuration():
                shared.add(model)
                assert each.has_view_permission(sysadmin, obj), name
                assert not _may_add(each, sysadmin), name
                for target in (None, obj):
                    assert not each.has_change_permission(sysadmin, target), name
                    assert not each.has_delete_permission(sysadmin, target), name
                assert each.has_view_permission(national, obj) and _may_add(each, national), name
                assert each.has_change_permission(national, obj), name
            else:
                assert not each.has_module_permission(national), name
                assert not each.has_view_permission(national, obj), name
                if getattr(each, "shared_when_empty", False):
                    assert not each.has_change_permission(sysadmin, model()), name
                    assert not each.has_delete_permission(sysadmin, model()), name
    assert set(SHARED) <= shared, "the walk found none of the known shared models"


# --- A municipality's system administrator: read-only ------------------------------------------


@pytest.mark.parametrize("model", list(SHARED), ids=lambda m: m._meta.label)
def test_a_municipal_system_administrator_reads_the_shared_configuration_and_changes_none_of_it(
    org, operator, shipped, model
):
    obj = model.objects.order_by("pk").first()
    field, value = SHARED[model]
    before = getattr(obj, field)
    urls = _urls(model, obj)
    data = _as_submitted(login_with_second_factor(Client(), operator), urls["change"], field)
    data[field] = value
    client = login_with_second_factor(Client(), org.sysadmin)

    assert client.get(urls["changelist"]).status_code == 200
    page = client.get(urls["change"])
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(urls["add"]).status_code == 403
    assert client.get(urls["delete"]).status_code == 403
    assert client.post(urls["change"], data).status_code == 403
    assert client.post(urls["add"], data).status_code == 403
    assert client.post(urls["delete"], {"post": "yes"}).status_code == 403
    version = _first_version(obj)
    assert client.post(f"{urls['history']}{version}/", data).status_code == 403
    client.post(
        urls["changelist"], {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )

    obj.refresh_from_db()
    assert getattr(obj, field) == before
    assert model.objects.count() > 0 and not AuditEvent.objects.filter(kind=SHARED_CHANGE).exists()


# --- The national operator: changes it, each change an audit event -----------------------------


@pytest.mark.parametrize("model", list(SHARED), ids=lambda m: m._meta.label)
def test_the_national_operator_changes_the_shared_configuration_and_each_change_is_an_audit_event(
    operator, shipped, model
):
    obj = model.objects.order_by("pk").first()
    field, value = SHARED[model]
    client = login_with_second_factor(Client(), operator)
    url = _urls(model, obj)["change"]
    data = _as_submitted(client, url, field) | {field: value}

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    obj.refresh_from_db()
    assert getattr(obj, field) == value
    assert obj.history.order_by("-history_id").first().history_user == operator
    event = AuditEvent.objects.get(kind=SHARED_CHANGE)
    assert (event.actor, event.subject, event.municipality) == (operator, None, None)
    assert event.details["action"] == "change"
    assert (event.details["model"], event.details["id"]) == (model._meta.label, str(obj.pk))
    label = str(model._meta.get_field(field).verbose_name)
    assert label.lower() in str(event.details["change"]).lower()


def test_the_operators_addition_deletion_and_revert_are_audit_events(operator, shipped):
    client = login_with_second_factor(Client(), operator)
    urls = _urls(LegalBasis)
    response = client.post(urls["add"], {"code": "bl-test", "title": "Prøve", "bl_section": "§ 1"})
    assert response.status_code == 302
    basis = LegalBasis.objects.get(code="bl-test")
    step = LadderStep.objects.order_by("number").first()
    original = step.name
    step_urls = _urls(LadderStep, step)
    first = _first_version(step)
    data = _as_submitted(client, step_urls["change"], "name")
    client.post(step_urls["change"], data | {"name": "Midlertidigt navn"})
    assert client.post(f"{step_urls['history']}{first}/", data).status_code == 302
    assert client.post(_urls(LegalBasis, basis)["delete"], {"post": "yes"}).status_code == 302

    step.refresh_from_db()
    assert step.name == original and not LegalBasis.objects.filter(code="bl-test").exists()
    events = AuditEvent.objects.filter(kind=SHARED_CHANGE).order_by("pk")
    assert [(e.details["model"], e.details["action"]) for e in events] == [
        ("cases.LegalBasis", "add"),
        ("measures.LadderStep", "change"),
        ("measures.LadderStep", "change"),
        ("cases.LegalBasis", "delete"),
    ]
    assert {e.actor for e in events} == {operator}


def test_every_municipalitys_system_administrator_reads_the_operators_changes(org, operator, shipped):
    from tests.fixtures import make_org

    neighbour = make_org(name="Ikast-Brande Kommune", code="760", prefix="ib_")
    client = login_with_second_factor(Client(), operator)
    url = _urls(LegalBasis, LegalBasis.objects.order_by("pk").first())["change"]
    client.post(url, _as_submitted(client, url, "title") | {"title": "Ændret af driften"})
    event = AuditEvent.objects.get(kind=SHARED_CHANGE)
    for sysadmin in (org.sysadmin, neighbour.sysadmin):
        page = login_with_second_factor(Client(), sysadmin).get(reverse("admin:audit_auditevent_changelist"))
        assert f"/admin/audit/auditevent/{event.pk}/change/" in page.content.decode()


# --- The national operator: nothing else --------------------------------------------------------


def test_the_national_operator_sees_nothing_in_the_admin_but_the_shared_configuration(org, operator):
    client = login_with_second_factor(Client(), operator)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    listed = {
        model
        for model, _ in admin.site._registry.items()
        if _urls(model)["changelist"] in index.content.decode()
    }
    assert listed == {m for m, a in admin.site._registry.items() if a.shares_configuration()}
    for model, model_admin in admin.site._registry.items():
        if not model_admin.shares_configuration():
            assert client.get(_urls(model)["changelist"]).status_code == 403, model._meta.label
    assert client.get(reverse("admin:organisation_user_change", args=[org.advisor.pk])).status_code == 403
    # No child, case or journal is in the admin at all (tests/herning/test_access_matrix.py).
    assert client.get("/admin/cases/child/").status_code == 404
    assert client.get("/admin/cases/case/").status_code == 404


def test_the_national_operator_reads_no_case_contents(org, operator):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    client = login_with_second_factor(Client(), operator)
    pages = [
        reverse("cases:child_detail", args=[case.child_id]),
        reverse("cases:case_list"),
        reverse("cases:find_child"),
        reverse("followups:deadlines"),
        reverse("start:my_day"),
        reverse("start:no_role"),
        reverse("api_tokens:list"),
        reverse("audit:search"),
    ]
    for url in pages:
        assert client.get(url).status_code == 403, url
    for url in ("/api/v1/cases/", f"/api/v1/cases/{case.pk}/", f"/api/v1/children/{case.child_id}/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response["Content-Type"] == "application/problem+json"
    response = client.post("/api/v1/children/", {}, content_type="application/json")
    assert response.status_code == 403
    assert not Case.objects.visible_to(operator).exists()
    assert not Child.objects.visible_to(operator).exists()
    assert not AccessLog.objects.exists()


def test_the_national_operator_lands_on_the_admin(operator):
    client = login_with_second_factor(Client(), operator)
    assert client.get("/")["Location"] == reverse("admin:index")


# --- Granted on the server only ------------------------------------------------------------------


def test_the_role_is_granted_and_revoked_on_the_server_each_an_audit_event(db):
    call_command("grant_national_operator", "drift", "--create", "--reason", "Driftsaftale 2027")
    user = User.objects.get(username="drift")
    assert is_national_operator(user) and user.municipality_id is None and not user.has_usable_password()
    call_command("grant_national_operator", "drift", "--revoke", "--reason", "Aftalen ophørt")
    user.refresh_from_db()
    assert not user.is_national_operator
    events = AuditEvent.objects.order_by("pk")
    assert [(e.kind, e.subject, e.actor, e.reason) for e in events] == [
        (AuditEvent.Kind.NATIONAL_OPERATOR_GRANT, user, None, "Driftsaftale 2027"),
        (AuditEvent.Kind.NATIONAL_OPERATOR_REVOKE, user, None, "Aftalen ophørt"),
    ]
    # Revoked, they are no longer let into the admin.
    client = login_with_second_factor(Client(), user)
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.parametrize("persona", ["sysadmin", "advisor"])
def test_a_municipalitys_staff_cannot_be_made_the_national_operator(org, persona):
    """The role is separate: nobody who is a municipality's, or holds a role, can also have it."""
    user = getattr(org, persona)
    with pytest.raises(CommandError):
        call_command("grant_national_operator", user.username, "--reason", "Forsøg")
    user.refresh_from_db()
    assert not user.is_national_operator and not AuditEvent.objects.exists()


def test_a_flag_set_beside_a_municipality_or_a_role_grants_nothing(org, operator):
    """Set behind the command's back (the shell), the flag does not make a municipality's system
    administrator the operator, nor keeps an operator given a municipality one."""
    User.objects.filter(pk=org.sysadmin.pk).update(is_national_operator=True)
    sysadmin = User.objects.get(pk=org.sysadmin.pk)
    assert not is_national_operator(sysadmin)
    obj = LegalBasis.objects.create(code="bl-x", title="X")
    assert not admin.site._registry[LegalBasis].has_change_permission(_request(sysadmin), obj)
    operator.municipality = org.municipality
    operator.save()
    assert not is_national_operator(operator)
    assert login_with_second_factor(Client(), operator).get(reverse("admin:index")).status_code == 302


def test_a_municipal_system_administrator_cannot_grant_the_role_in_the_admin(org):
    client = login_with_second_factor(Client(), org.sysadmin)
    url = reverse("admin:organisation_user_change", args=[org.advisor.pk])
    data = _as_submitted(client, url, "username")
    assert "is_national_operator" not in data
    client.post(url, data | {"is_national_operator": "on"})
    org.advisor.refresh_from_db()
    assert not org.advisor.is_national_operator
