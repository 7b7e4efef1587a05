"""Writes to children, cases, notifications, investigations, plans and the journal.

Every function is keyword-only, validates with ``full_clean()`` before saving, runs in one
transaction and records the acting person on the history rows (``acting_as``). They enforce the
rules of the case work (one open case per child, nothing written on a closed case, deadlines);
who may call them is checked by the page or endpoint with ``cases.permissions``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import caseload, deadlines, emails
from cases import cpr as cpr_lib
from cases.history import acting_as
from cases.models import (
    Case,
    CaseloadOverride,
    CaseParticipant,
    CaseState,
    CaseTransfer,
    Child,
    Goal,
    Investigation,
    JournalNote,
    LegalBasis,
    Notification,
    Plan,
    Relation,
)
from herning.organisation.models import District, Role, Team, User
from herning.organisation.selectors import duty_advisor_on, team_leaders

# The legal reference a case's state rests on (law_dubu.md §§2-3); a case with measures takes the
# legal basis of its highest measure (measures.services).
STATE_LEGAL_BASIS = {
    CaseState.NOTIFICATION: "notification_assessment",
    CaseState.CLARIFICATION: "clarification",
    CaseState.INVESTIGATION: "investigation",
    CaseState.AFTERCARE: "aftercare",
}

# Efterværn / ungestøtte: from the 18th birthday until the 23rd (SEL § 76, BL §§ 114-116).
AFTERCARE_AGES = range(18, 23)

CHILD_FIELDS = (
    "first_name",
    "last_name",
    "address",
    "postal_code",
    "city",
    "school_district",
    "district",
    "school_or_daycare",
)
RELATION_FIELDS = ("kind", "name", "has_custody", "phone", "email", "address", "note")


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("Sagen er lukket og kan ikke ændres."))


def _legal_basis(code: str) -> LegalBasis | None:
    return LegalBasis.objects.filter(code=code).first()


# --- The child and the people around the child ------------------------------------------------


@transaction.atomic
def child_create(
    *,
    municipality,
    cpr: str,
    first_name: str,
    last_name: str,
    created_by: User,
    district: District | None = None,
    school_district=None,
    address: str = "",
    postal_code: str = "",
    city: str = "",
    school_or_daycare: str = "",
) -> Child:
    """Register a child. The district follows the school district unless one is chosen."""
    try:
        parsed = cpr_lib.parse(cpr)
    except ValidationError as error:
        raise ValidationError({"cpr": error.error_list}) from None
    child = Child(
        municipality=municipality,
        cpr=parsed.digits,
        first_name=first_name,
        last_name=last_name,
        address=address,
        postal_code=postal_code,
        city=city,
        school_district=school_district,
        district=district,
        school_or_daycare=school_or_daycare,
    )
    if district is None and school_district is not None:
        child.district = school_district.district
    if child.district_id is None:
        raise ValidationError({"district": _("Vælg barnets distrikt eller skoledistrikt.")})
    _check_district_in_municipality(child.district, municipality)
    with acting_as(created_by):
        child.full_clean()
        child.save()
    return child


def _check_district_in_municipality(district: District, municipality) -> None:
    if district.municipality_id != municipality.pk:
        raise ValidationError({"district": _("Distriktet hører til en anden kommune.")})


@transaction.atomic
def child_update(*, child: Child, updated_by: User, **fields) -> Child:
    """Change the child's facts (not the CPR number: a new number is a new registration)."""
    unknown = set(fields) - set(CHILD_FIELDS)
    if unknown:
        raise TypeError(f"child_update() got unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(child, name, value)
    if "school_district" in fields and "district" not in fields and child.school_district_id:
        child.district = child.school_district.district
    _check_district_in_municipality(child.district, child.municipality)
    with acting_as(updated_by):
        child.full_clean()
        child.save()
    return child


@transaction.atomic
def relation_add(*, child: Child, kind: str, name: str, added_by: User, **fields) -> Relation:
    unknown = set(fields) - set(RELATION_FIELDS)
    if unknown:
        raise TypeError(f"relation_add() got unexpected fields: {', '.join(sorted(unknown))}")
    relation = Relation(child=child, kind=kind, name=name, **fields)
    with acting_as(added_by):
        relation.full_clean()
        relation.save()
    return relation


@transaction.atomic
def relation_update(*, relation: Relation, updated_by: User, **fields) -> Relation:
    unknown = set(fields) - set(RELATION_FIELDS)
    if unknown:
        raise TypeError(f"relation_update() got unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(relation, name, value)
    with acting_as(updated_by):
        relation.full_clean()
        relation.save()
    return relation


@transaction.atomic
def relation_end(*, relation: Relation, ended_by: User) -> Relation:
    """A relation is never deleted: it stops being current and stays in the record."""
    relation.is_active = False
    relation.has_custody = False
    with acting_as(ended_by):
        relation.save(update_fields=["is_active", "has_custody"])
    return relation


# --- The case ---------------------------------------------------------------------------------


def team_for_district(district: District) -> Team:
    """The team that takes new cases of ``district`` (the first by name when there are several)."""
    team = Team.objects.filter(district=district).order_by("name", "pk").first()
    if team is None:
        raise ValidationError(
            _("Distriktet %(district)s har intet team, der kan tage sagen.") % {"district": district}
        )
    return team


@transaction.atomic
def case_open(
    *,
    child: Child,
    opened_by: User,
    advisor: User | None = None,
    team: Team | None = None,
    state: str = CaseState.CLARIFICATION,
    opened_on: datetime.date | None = None,
) -> Case:
    """Open a case for ``child``; refused while the child has another open case. An advisor given
    here is assigned through ``case_assign``, the one place a case gets its advisor."""
    if state not in (CaseState.NOTIFICATION, CaseState.CLARIFICATION):
        raise ValidationError({"state": _("En ny sag begynder med en underretning eller i afklaring.")})
    if team is None:
        advisor_teams = advisor.teams_for(Role.ADVISOR) if advisor else []
        team = next((t for t in advisor_teams if t.district_id == child.district_id), None)
        team = team or team_for_district(child.district)
    case = Case(
        child=child,
        municipality_id=child.municipality_id,
        district_id=team.district_id,
        team=team,
        state=state,
        opened_on=opened_on or timezone.localdate(),
        legal_basis=_legal_basis(STATE_LEGAL_BASIS[state]),
    )
    with acting_as(opened_by):
        case.full_clean()
        case.save()
    if advisor is not None:
        case = case_assign(case=case, advisor=advisor, assigned_by=opened_by)
    return case


def _check_advisor_of_team(advisor: User, team: Team) -> None:
    if not advisor.is_active or team.pk not in {t.pk for t in advisor.teams_for(Role.ADVISOR)}:
        raise ValidationError(
            {
                "advisor": _("%(person)s er ikke socialrådgiver i %(team)s.")
                % {"person": advisor, "team": team}
            }
        )


@transaction.atomic
def case_assign(*, case: Case, advisor: User, assigned_by: User, override_reason: str = "") -> Case:
    """Make ``advisor`` responsible for ``case``: the one place a case gets its advisor.

    Refused when it would take the advisor above the team's caseload cap, unless a team leader of
    the case's team gives a written ``override_reason`` (recorded as a ``CaseloadOverride``). A
    case that came in as a notification goes into clarification with its advisor.
    """
    case = Case.objects.select_for_update(of=("self",)).select_related("team").get(pk=case.pk)
    _require_open(case)
    _check_advisor_of_team(advisor, case.team)
    previous = case.advisor
    override = None
    if case.advisor_id != advisor.pk:
        override = _check_caseload(
            case=case, advisor=advisor, assigned_by=assigned_by, reason=override_reason
        )
    case.advisor = advisor
    if case.state == CaseState.NOTIFICATION:
        case.state = CaseState.CLARIFICATION
        case.legal_basis = _legal_basis(STATE_LEGAL_BASIS[CaseState.CLARIFICATION])
    with acting_as(assigned_by):
        case.full_clean()
        case.save()
        if override is not None:
            override.full_clean()
            override.save()
    if previous != advisor and advisor != assigned_by:
        emails.notify_after_commit(
            recipients=[advisor],
            subject=_("Du har fået sag nr. %(pk)s") % {"pk": case.pk},
            body=_("%(by)s har gjort dig ansvarlig for sag nr. %(pk)s.\n\nSe sagen: %(url)s")
            % {"by": assigned_by, "pk": case.pk, "url": emails.case_url(case)},
        )
    return case


def _check_caseload(*, case: Case, advisor: User, assigned_by: User, reason: str) -> CaseloadOverride | None:
    """Refuse an assignment above the cap of the case's team, or return the team leader's override.

    The advisor's row is locked before the count: two assignments to the same advisor at the same
    moment then count one after the other, so they cannot both slip under the cap.
    """
    User.objects.select_for_update().filter(pk=advisor.pk).get()
    load = caseload.open_case_count(advisor)
    team = case.team
    if load < team.caseload_cap:
        return None
    reason = (reason or "").strip()
    leads_team = team.pk in {t.pk for t in assigned_by.teams_for(Role.TEAM_LEADER)}
    if not reason:
        raise ValidationError(
            {
                "advisor": caseload.over_cap_message(
                    advisor=advisor, load=load, team=team, leads_team=leads_team
                )
            }
        )
    if not leads_team:
        raise ValidationError(
            {
                "override_reason": _("Kun teamlederen for %(team)s kan gå over loftet på %(cap)s sager.")
                % {"team": team, "cap": team.caseload_cap}
            }
        )
    return CaseloadOverride(
        case=case,
        team=team,
        advisor=advisor,
        load=load,
        cap=team.caseload_cap,
        reason=reason,
        decided_by=assigned_by,
    )


# Herning's practice on moving cases between districts (001 compendium, "Praksis ved flytning af
# socialrådgivernes sager mellem distrikter").
PLACEMENT_STAYS = gettext_lazy(
    "Anbringelsessager bliver i distriktet, når familien flytter (Herningmodellen: praksis ved flytning "
    "af sager mellem distrikter)."
)
AFTERCARE_STAYS = gettext_lazy(
    "Efterværnssager bliver i distriktet, når den unge flytter (Herningmodellen: praksis ved flytning "
    "af sager mellem distrikter)."
)


def transfer_exception(case: Case, on: datetime.date) -> str | None:
    """Why the case stays in its district when the family moves, or None: placement and aftercare
    cases stay ("anbringelsessager og efterværnssager undtages")."""
    from measures.models import Measure

    if case.state == CaseState.AFTERCARE:
        return str(AFTERCARE_STAYS)
    placed = (
        Measure.objects.filter(case=case).active_on(on).exclude(measure_type__placement_category="").exists()
    )
    return str(PLACEMENT_STAYS) if placed else None


@transaction.atomic
def case_transfer(
    *,
    case: Case,
    to_team: Team,
    transferred_by: User,
    handover_due_on: datetime.date | None = None,
    note: str = "",
) -> CaseTransfer:
    """Move the case to a team of another district because the family moved.

    Placement and aftercare cases stay. The case arrives without an advisor, so the receiving team
    leader gives it one ("Til fordeling"). The advisor who gave it away keeps reading it (as a
    participant) until the handover meeting they call is recorded; its deadline is
    ``handover_due_on`` (by default ``HERNING_HANDOVER_MEETING_DAYS`` days ahead).
    """
    case = Case.objects.select_for_update(of=("self",)).select_related("team", "district").get(pk=case.pk)
    _require_open(case)
    today = timezone.localdate()
    if to_team.district.municipality_id != case.municipality_id:
        raise ValidationError({"to_team": _("Teamet hører til en anden kommune.")})
    if to_team.district_id == case.district_id:
        raise ValidationError(
            {
                "to_team": _(
                    "Sagen hører allerede til %(district)s. En anden rådgiver i distriktet får sagen ved at "
                    "fordele den."
                )
                % {"district": case.district}
            }
        )
    stays = transfer_exception(case, today)
    if stays:
        raise ValidationError({"to_team": stays})
    from_advisor = case.advisor
    if from_advisor is None:
        handover_due_on = None
    elif handover_due_on is None:
        handover_due_on = today + datetime.timedelta(days=settings.HERNING["HANDOVER_MEETING_DAYS"])
    elif handover_due_on < today:
        raise ValidationError(
            {"handover_due_on": _("Fristen for overleveringsmødet kan ikke ligge i fortiden.")}
        )
    transfer = CaseTransfer(
        case=case,
        from_team=case.team,
        to_team=to_team,
        from_advisor=from_advisor,
        transferred_on=today,
        transferred_by=transferred_by,
        note=(note or "").strip(),
        handover_due_on=handover_due_on,
    )
    case.team = to_team
    case.district = to_team.district
    case.advisor = None
    with acting_as(transferred_by):
        transfer.full_clean()
        case.full_clean()
        case.save()
        transfer.save()
        if (
            from_advisor is not None
            and not CaseParticipant.objects.filter(case=case, user=from_advisor).exists()
        ):
            participant = CaseParticipant(
                case=case, user=from_advisor, note=str(_("Afgivende rådgiver indtil overleveringsmødet"))
            )
            participant.full_clean()
            participant.save()
    emails.notify_after_commit(
        recipients=list(team_leaders(team=to_team)),
        subject=_("Sag nr. %(pk)s er flyttet til %(team)s") % {"pk": case.pk, "team": to_team},
        body=_(
            "%(by)s har flyttet sag nr. %(pk)s fra %(from)s til %(team)s, fordi familien er flyttet. Sagen "
            "venter på en rådgiver under Til fordeling.%(handover)s\n\nSe sagen: %(url)s"
        )
        % {
            "by": transferred_by,
            "pk": case.pk,
            "from": transfer.from_team,
            "team": to_team,
            "handover": (
                " "
                + _("%(advisor)s indkalder den nye rådgiver til et overleveringsmøde senest %(date)s.")
                % {"advisor": from_advisor, "date": f"{handover_due_on:%d.%m.%Y}"}
                if from_advisor
                else ""
            ),
            "url": emails.case_url(case),
        },
    )
    return transfer


@transaction.atomic
def handover_record(*, transfer: CaseTransfer, held_on: datetime.date, recorded_by: User) -> CaseTransfer:
    """Record that the handover meeting of a moved case was held. The advisor who gave the case
    away stops reading it."""
    transfer = CaseTransfer.objects.select_for_update(of=("self",)).select_related("case").get(pk=transfer.pk)
    if not transfer.handover_open:
        raise ValidationError(_("Der er ikke et overleveringsmøde at registrere for denne flytning."))
    if held_on > timezone.localdate():
        raise ValidationError({"handover_held_on": _("Datoen kan ikke ligge i fremtiden.")})
    if held_on < transfer.transferred_on:
        raise ValidationError(
            {"handover_held_on": _("Overleveringsmødet kan ikke ligge før sagen blev flyttet.")}
        )
    transfer.handover_held_on = held_on
    transfer.handover_recorded_by = recorded_by
    with acting_as(recorded_by):
        transfer.full_clean()
        transfer.save()
        if transfer.case.advisor_id != transfer.from_advisor_id:
            for participant in CaseParticipant.objects.filter(case=transfer.case, user=transfer.from_advisor):
                participant.delete()
    return transfer


# The states an advisor may choose directly; investigation, measures and closing have their own
# services (investigation_open, measures.services.measure_start, case_close).
MANUAL_STATES = (CaseState.CLARIFICATION, CaseState.MEASURES, CaseState.AFTERCARE)


@transaction.atomic
def case_set_state(*, case: Case, state: str, changed_by: User, on: datetime.date | None = None) -> Case:
    from measures.models import Measure

    case = Case.objects.select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    _require_open(case)
    on = on or timezone.localdate()
    if state not in MANUAL_STATES:
        raise ValidationError({"state": _("Sagen kan ikke sættes direkte til denne status.")})
    if state == CaseState.AFTERCARE and case.child.age_on(on) not in AFTERCARE_AGES:
        raise ValidationError({"state": _("Efterværn gives til unge mellem 18 og 22 år.")})
    active = Measure.objects.filter(case=case).active_on(on).exists()
    if state == CaseState.MEASURES and not active:
        raise ValidationError({"state": _("Sagen har ingen aktive indsatser.")})
    if state == CaseState.CLARIFICATION and case.investigations.filter(completed_on__isnull=True).exists():
        raise ValidationError({"state": _("Afslut den børnefaglige undersøgelse først.")})
    case.state = state
    if state in STATE_LEGAL_BASIS:
        case.legal_basis = _legal_basis(STATE_LEGAL_BASIS[state])
    with acting_as(changed_by):
        case.full_clean()
        case.save()
    return case


@transaction.atomic
def case_close(
    *, case: Case, closed_on: datetime.date, closing_reason: str, closed_by: User, closing_note: str = ""
) -> Case:
    """Close the case; it is read-only afterwards. Refused while measures or an investigation run."""
    from measures.models import Measure

    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case)
    errors = {}
    if closed_on < case.opened_on:
        errors["closed_on"] = _("Sagen kan ikke lukkes før den blev oprettet (%(date)s).") % {
            "date": f"{case.opened_on:%d.%m.%Y}"
        }
    if closed_on > timezone.localdate():
        errors["closed_on"] = _("Lukkedatoen kan ikke ligge i fremtiden.")
    if not closing_reason:
        errors["closing_reason"] = _("Angiv hvorfor sagen lukkes.")
    if errors:
        raise ValidationError(errors)
    running = Measure.objects.filter(case=case).filter(
        Q(actual_end__isnull=True) | Q(actual_end__gt=closed_on)
    )
    if running.exists():
        raise ValidationError(_("Sagen har indsatser, der ikke er afsluttet. Afslut dem, før sagen lukkes."))
    if case.investigations.filter(completed_on__isnull=True).exists():
        raise ValidationError(_("Sagen har en børnefaglig undersøgelse, der ikke er afsluttet."))
    case.state = CaseState.CLOSED
    case.closed_on = closed_on
    case.closing_reason = closing_reason
    case.closing_note = closing_note
    with acting_as(closed_by):
        case.full_clean()
        case.save()
    return case


@transaction.atomic
def case_participant_add(*, case: Case, user: User, added_by: User, note: str = "") -> CaseParticipant:
    """Add a professional (PPR psychologist, health visitor, second advisor) to the case."""
    _require_open(case)
    if user.municipality_id != case.municipality_id or not user.is_active:
        raise ValidationError({"user": _("Personen arbejder ikke i sagens kommune.")})
    if not user.has_role(Role.PSYCHOLOGIST, Role.HEALTH_VISITOR, Role.ADVISOR):
        raise ValidationError({"user": _("Kun psykologer, sundhedsplejersker og rådgivere kan tilknyttes.")})
    if user.pk == case.advisor_id:
        raise ValidationError({"user": _("Personen er allerede sagens rådgiver.")})
    participant = CaseParticipant(case=case, user=user, note=note)
    with acting_as(added_by):
        participant.full_clean()
        participant.save()
    return participant


@transaction.atomic
def case_participant_remove(*, participant: CaseParticipant, removed_by: User) -> None:
    """Take a professional off the case; the history keeps that they were on it."""
    _require_open(participant.case)
    with acting_as(removed_by):
        participant.delete()


# --- Notifications (underretninger) -------------------------------------------------------------


@transaction.atomic
def notification_register(
    *,
    child: Child,
    received_at: datetime.datetime,
    notifier_kind: str,
    concern: str,
    registered_by: User,
    notifier_name: str = "",
    notifier_organisation: str = "",
    notifier_email: str = "",
    notifier_phone: str = "",
) -> Notification:
    """Register a received notification and send it to the district's duty advisor.

    Herning's intake (001 compendium "Håndtering af nye underretninger"): the duty advisor of the
    child's district makes the 24-hour assessment; a known child's case advisor gets a copy; a
    child without an open case gets a new case that the team leader gives an advisor.
    """
    now = timezone.now()
    errors = {}
    if received_at > now + datetime.timedelta(minutes=5):
        errors["received_at"] = _("Modtagelsestidspunktet kan ikke ligge i fremtiden.")
    if notifier_kind == Notification.NotifierKind.ANONYMOUS:
        notifier_name = notifier_organisation = notifier_email = notifier_phone = ""
    elif notifier_kind == Notification.NotifierKind.PROFESSIONAL:
        if not notifier_name.strip():
            errors["notifier_name"] = _("En fagperson kan ikke være anonym: angiv navnet.")
        if not (notifier_organisation.strip() or notifier_email.strip() or notifier_phone.strip()):
            errors["notifier_organisation"] = _(
                "Angiv arbejdssted, e-mail eller telefon, så fagpersonen kan få en kvittering."
            )
    if errors:
        raise ValidationError(errors)
    with acting_as(registered_by):
        case = Case.objects.open().select_for_update().filter(child=child).first()
        known = case is not None
        if case is None:
            case = case_open(
                child=child,
                opened_by=registered_by,
                state=CaseState.NOTIFICATION,
                opened_on=timezone.localdate(received_at),
            )
        notification = Notification(
            municipality_id=child.municipality_id,
            child=child,
            case=case,
            district_id=child.district_id,
            received_at=received_at,
            notifier_kind=notifier_kind,
            notifier_name=notifier_name,
            notifier_organisation=notifier_organisation,
            notifier_email=notifier_email,
            notifier_phone=notifier_phone,
            concern=concern,
            registered_by=registered_by,
            registered_at=now,
            duty_advisor=duty_advisor_on(district=child.district, day=timezone.localdate(now)),
            assessment_due_at=deadlines.assessment_due(received_at),
            receipt_due_on=(
                deadlines.receipt_due(received_at)
                if notifier_kind == Notification.NotifierKind.PROFESSIONAL
                else None
            ),
        )
        if known and case.advisor_id:
            notification.advisor_informed_at = now
        notification.full_clean()
        notification.save()
    due = timezone.localtime(notification.assessment_due_at)
    emails.notify_after_commit(
        recipients=[notification.duty_advisor],
        subject=_("Ny underretning til 24-timers vurdering"),
        body=_(
            "Der er registreret en ny underretning i %(district)s. Den skal vurderes senest %(due)s.\n\n"
            "Se sagen: %(url)s"
        )
        % {"district": child.district, "due": f"{due:%d.%m.%Y kl. %H:%M}", "url": emails.case_url(case)},
    )
    if known and case.advisor_id:
        emails.notify_after_commit(
            recipients=[case.advisor],
            subject=_("Ny underretning på sag nr. %(pk)s") % {"pk": case.pk},
            body=_(
                "Der er kommet en ny underretning på din sag nr. %(pk)s. Vagten foretager 24-timers "
                "vurderingen.\n\nSe sagen: %(url)s"
            )
            % {"pk": case.pk, "url": emails.case_url(case)},
        )
    return notification


@transaction.atomic
def notification_assess(
    *,
    notification: Notification,
    acute_danger: bool,
    action: str,
    assessed_by: User,
    assessed_at: datetime.datetime | None = None,
) -> Notification:
    """Record the 24-hour assessment: is the child in acute danger, and what was done."""
    notification = (
        Notification.objects.select_for_update(of=("self",)).select_related("case").get(pk=notification.pk)
    )
    if notification.assessed_at is not None:
        raise ValidationError(_("Underretningen er allerede vurderet."))
    assessed_at = assessed_at or timezone.now()
    errors = {}
    if acute_danger is None:
        errors["acute_danger"] = _("Angiv om barnet er i akut fare.")
    if not (action or "").strip():
        errors["assessment_action"] = _("Beskriv hvad der blev gjort.")
    if assessed_at < notification.received_at:
        errors["assessed_at"] = _("Vurderingen kan ikke ligge før underretningen blev modtaget.")
    if errors:
        raise ValidationError(errors)
    notification.assessed_at = assessed_at
    notification.assessed_by = assessed_by
    notification.acute_danger = acute_danger
    notification.assessment_action = action.strip()
    case = notification.case
    if case is not None and case.advisor_id:
        notification.advisor_informed_at = assessed_at
    with acting_as(assessed_by):
        notification.full_clean()
        notification.save()
    if case is None:
        return notification
    danger = (
        _("Barnet vurderes at være i akut fare.")
        if acute_danger
        else _("Barnet vurderes ikke at være i akut fare.")
    )
    if case.advisor_id:
        emails.notify_after_commit(
            recipients=[case.advisor],
            subject=_("24-timers vurdering foretaget på sag nr. %(pk)s") % {"pk": case.pk},
            body=_(
                "%(by)s har foretaget 24-timers vurderingen af en ny underretning. %(danger)s\n\nSe sagen: %(url)s"
            )
            % {"by": assessed_by, "danger": danger, "url": emails.case_url(case)},
        )
    else:
        emails.notify_after_commit(
            recipients=list(team_leaders(team=case.team)),
            subject=_("Ny sag til fordeling i %(team)s") % {"team": case.team},
            body=_(
                "En underretning om et barn uden åben sag er 24-timers vurderet. %(danger)s "
                "Sag nr. %(pk)s venter på en rådgiver.\n\nSe sagen: %(url)s"
            )
            % {"danger": danger, "pk": case.pk, "url": emails.case_url(case)},
        )
    return notification


@transaction.atomic
def notification_receipt_sent(
    *, notification: Notification, sent_on: datetime.date, sent_by: User
) -> Notification:
    """Record that a professional notifier got the receipt (SEL § 155 b / BL § 137)."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.notifier_kind != Notification.NotifierKind.PROFESSIONAL:
        raise ValidationError(_("Kun en fagperson, der underretter, skal have en kvittering."))
    if notification.receipt_sent_on is not None:
        raise ValidationError(_("Kvitteringen er allerede registreret som sendt."))
    if sent_on < timezone.localdate(notification.received_at):
        raise ValidationError(
            {"receipt_sent_on": _("Kvitteringen kan ikke være sendt før underretningen kom.")}
        )
    if sent_on > timezone.localdate():
        raise ValidationError({"receipt_sent_on": _("Datoen kan ikke ligge i fremtiden.")})
    notification.receipt_sent_on = sent_on
    with acting_as(sent_by):
        notification.full_clean()
        notification.save()
    return notification


# --- Investigation (børnefaglig undersøgelse) ----------------------------------------------------


@transaction.atomic
def investigation_open(*, case: Case, decided_on: datetime.date, decided_by: User) -> Investigation:
    """Decide on a child-welfare investigation (SEL § 50 / BL § 20), due in four months."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case)
    if case.investigations.filter(completed_on__isnull=True).exists():
        raise ValidationError(_("Sagen har allerede en børnefaglig undersøgelse i gang."))
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("Beslutningsdatoen kan ikke ligge i fremtiden.")})
    if decided_on < case.opened_on:
        raise ValidationError({"decided_on": _("Beslutningen kan ikke ligge før sagen blev oprettet.")})
    investigation = Investigation(
        case=case,
        decided_on=decided_on,
        deadline=deadlines.investigation_deadline(decided_on),
        decided_by=decided_by,
    )
    with acting_as(decided_by):
        investigation.full_clean()
        investigation.save()
        if case.state in (CaseState.NOTIFICATION, CaseState.CLARIFICATION):
            case.state = CaseState.INVESTIGATION
            case.legal_basis = _legal_basis(STATE_LEGAL_BASIS[CaseState.INVESTIGATION])
            case.save(update_fields=["state", "legal_basis", "updated_at"])
    return investigation


@transaction.atomic
def investigation_complete(
    *, investigation: Investigation, completed_on: datetime.date, conclusion: str, completed_by: User
) -> Investigation:
    """Conclude the investigation; the case goes on with its measures, or back to clarification."""
    from measures.models import Measure

    investigation = (
        Investigation.objects.select_for_update(of=("self",)).select_related("case").get(pk=investigation.pk)
    )
    case = investigation.case
    _require_open(case)
    if investigation.completed_on is not None:
        raise ValidationError(_("Undersøgelsen er allerede afsluttet."))
    errors = {}
    if completed_on < investigation.decided_on:
        errors["completed_on"] = _("Undersøgelsen kan ikke afsluttes før den blev besluttet.")
    if completed_on > timezone.localdate():
        errors["completed_on"] = _("Datoen kan ikke ligge i fremtiden.")
    if not (conclusion or "").strip():
        errors["conclusion"] = _("Skriv undersøgelsens konklusion.")
    if errors:
        raise ValidationError(errors)
    investigation.completed_on = completed_on
    investigation.conclusion = conclusion.strip()
    with acting_as(completed_by):
        investigation.full_clean()
        investigation.save()
        if case.state == CaseState.INVESTIGATION:
            active = Measure.objects.filter(case=case).active_on(timezone.localdate()).exists()
            case.state = CaseState.MEASURES if active else CaseState.CLARIFICATION
            if not active:
                case.legal_basis = _legal_basis(STATE_LEGAL_BASIS[CaseState.CLARIFICATION])
            case.save(update_fields=["state", "legal_basis", "updated_at"])
    return investigation


# --- The child's plan and its goals ------------------------------------------------------------


@dataclass(frozen=True)
class GoalData:
    """A SMART goal as written in a plan form: what, who, how progress is seen, by when."""

    what: str
    who: str
    how_measured: str
    by_when: datetime.date
    status: str = Goal.Status.NOT_STARTED
    status_note: str = ""
    carried_from: Goal | None = None


def plan_kind_for(child: Child, on: datetime.date) -> str:
    """Handleplan before Barnets Lov; then barnets plan, or ungeplan for a young person of 15 or
    more (BL § 108)."""
    if on < deadlines.BARNETS_LOV_FROM:
        return Plan.Kind.ACTION_PLAN
    return Plan.Kind.YOUTH_PLAN if child.age_on(on) >= 15 else Plan.Kind.CHILD_PLAN


def current_plan(case: Case) -> Plan | None:
    return case.plans.order_by("-version").first()


@transaction.atomic
def plan_require(
    *, case: Case, decided_on: datetime.date, without_consent: bool, required_by: User
) -> Plan | None:
    """After a placement decision, make sure the case has a plan or a plan due (BL § 91).

    When the case has no plan yet, a plan to be made is recorded with its deadline
    (``Plan.due_on``); the advisor writes it with ``plan_create``. Returns that plan, or None
    when a plan exists already.
    """
    if case.plans.exists():
        return None
    plan = Plan(
        case=case,
        kind=plan_kind_for(case.child, decided_on),
        version=1,
        due_on=deadlines.plan_due(decided_on, without_consent=without_consent),
        created_by=required_by,
    )
    with acting_as(required_by):
        plan.full_clean()
        plan.save()
    return plan


def _save_goals(plan: Plan, goals: list[GoalData]) -> None:
    if not goals:
        raise ValidationError({"goals": _("En plan skal have mindst ét mål.")})
    for order, data in enumerate(goals):
        if data.carried_from is not None and data.carried_from.plan.case_id != plan.case_id:
            raise ValidationError({"goals": _("Et videreført mål skal komme fra samme sag.")})
        goal = Goal(
            plan=plan,
            what=data.what,
            who=data.who,
            how_measured=data.how_measured,
            by_when=data.by_when,
            status=data.status,
            status_note=data.status_note,
            order=order,
            carried_from=data.carried_from,
        )
        goal.full_clean()
        goal.save()


def _check_made_on(made_on: datetime.date) -> None:
    if made_on > timezone.localdate():
        raise ValidationError({"made_on": _("Datoen kan ikke ligge i fremtiden.")})


@transaction.atomic
def plan_create(
    *,
    case: Case,
    kind: str,
    made_on: datetime.date,
    goals: list[GoalData],
    created_by: User,
    purpose: str = "",
) -> Plan:
    """Write the case's first plan (filling in a plan that is due, if there is one)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case)
    _check_made_on(made_on)
    plan = current_plan(case)
    if plan is not None and plan.is_made:
        raise ValidationError(_("Sagen har allerede en plan. Revidér den i stedet."))
    if plan is None:
        plan = Plan(case=case, version=1, created_by=created_by)
    plan.kind = kind
    plan.purpose = purpose
    plan.made_on = made_on
    with acting_as(created_by):
        plan.full_clean()
        plan.save()
        _save_goals(plan, goals)
    return plan


@transaction.atomic
def plan_revise(
    *,
    plan: Plan,
    made_on: datetime.date,
    goals: list[GoalData],
    revised_by: User,
    purpose: str | None = None,
    kind: str | None = None,
) -> Plan:
    """Make the next version of a plan. The earlier version and its goals stay as they were;
    goals carried over point back to their earlier selves (``Goal.carried_from``)."""
    case = Case.objects.select_for_update().get(pk=plan.case_id)
    _require_open(case)
    _check_made_on(made_on)
    latest = current_plan(case)
    if latest is None or latest.pk != plan.pk:
        raise ValidationError(_("Kun den nyeste version af planen kan revideres."))
    if not latest.is_made:
        raise ValidationError(_("Planen er ikke udarbejdet endnu."))
    if made_on < latest.made_on:
        raise ValidationError({"made_on": _("En ny version kan ikke ligge før den forrige.")})
    new = Plan(
        case=case,
        kind=kind or latest.kind,
        version=latest.version + 1,
        purpose=latest.purpose if purpose is None else purpose,
        made_on=made_on,
        created_by=revised_by,
    )
    for data in goals:
        if data.carried_from is not None and data.carried_from.plan_id != latest.pk:
            raise ValidationError({"goals": _("Et videreført mål skal komme fra den forrige version.")})
    with acting_as(revised_by):
        new.full_clean()
        new.save()
        _save_goals(new, goals)
    return new


@transaction.atomic
def goal_update_status(*, goal: Goal, status: str, updated_by: User, note: str = "") -> Goal:
    """Set a goal's status; the history keeps every earlier status with who and when."""
    goal = Goal.objects.select_for_update(of=("self",)).select_related("plan__case").get(pk=goal.pk)
    _require_open(goal.plan.case)
    latest = current_plan(goal.plan.case)
    if latest is None or latest.pk != goal.plan_id:
        raise ValidationError(_("Kun mål i den nyeste version af planen kan opdateres."))
    goal.status = status
    goal.status_note = note
    with acting_as(updated_by):
        goal.full_clean()
        goal.save()
    return goal


# --- The journal ---------------------------------------------------------------------------------


@transaction.atomic
def journal_add(
    *, case: Case, heading: str, text: str, written_by: User, occurred_on: datetime.date | None = None
) -> JournalNote:
    _require_open(case)
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("Datoen kan ikke ligge i fremtiden.")})
    note = JournalNote(case=case, heading=heading, text=text, occurred_on=occurred_on, written_by=written_by)
    with acting_as(written_by):
        note.full_clean()
        note.save()
    return note


@transaction.atomic
def journal_correct(
    *,
    note: JournalNote,
    text: str,
    reason: str,
    corrected_by: User,
    heading: str | None = None,
    occurred_on: datetime.date | None = None,
) -> JournalNote:
    """Correct a note openly: the note says who corrected it, when and why, and the history keeps
    every earlier wording. A note is never deleted."""
    note = JournalNote.objects.select_for_update(of=("self",)).select_related("case").get(pk=note.pk)
    _require_open(note.case)
    if not (reason or "").strip():
        raise ValidationError({"correction_reason": _("Skriv hvorfor notatet rettes.")})
    if occurred_on is not None and occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("Datoen kan ikke ligge i fremtiden.")})
    changed = (
        text != note.text
        or (heading and heading != note.heading)
        or (occurred_on and occurred_on != note.occurred_on)
    )
    if not changed:
        raise ValidationError(_("Notatet er ikke ændret."))
    note.text = text
    note.heading = heading or note.heading
    note.occurred_on = occurred_on or note.occurred_on
    note.corrected_at = timezone.now()
    note.corrected_by = corrected_by
    note.correction_reason = reason.strip()
    with acting_as(corrected_by):
        note.full_clean()
        note.save()
    return note
