"""The case: opening, assigning under the caseload cap, moving between districts, state and closing, participants."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import caseload, emails, extensions, obligations
from cases.models import (
    Case,
    CaseloadOverride,
    CaseParticipant,
    CaseState,
    CaseTransfer,
    Child,
)
from cases.permissions import Action, require
from cases.services.common import AFTERCARE_AGES, STATE_LEGAL_BASIS, legal_basis_by_code, require_open
from cases.services.state import Event, apply_state, state_after
from herning.core.history import acting_as
from herning.organisation.models import District, Role, Team, User
from herning.organisation.selectors import team_leaders


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
        legal_basis=legal_basis_by_code(STATE_LEGAL_BASIS[state]),
    )
    override = None
    if advisor is not None:
        # The opener takes the new case themselves: allowed by opening it, not by the team
        # leader's right to distribute (Action.ASSIGN). The assignment's own checks (the team, the
        # caseload cap) run before the case is written, so it is saved once, with its advisor.
        override = _assignment_checks(case=case, advisor=advisor, assigned_by=opened_by)
        case.advisor = advisor
        apply_state(case, state_after(case.state, Event.ASSIGNED))
    with acting_as(opened_by):
        case.full_clean()
        case.save()
        if override is not None:
            override.full_clean()
            override.save()
    if advisor is not None:
        obligations.changed(obligations.CASE, [case.pk])
        _tell_new_advisor(case=case, previous=None, advisor=advisor, assigned_by=opened_by)
    return case


def _check_advisor_of_team(advisor: User, team: Team) -> None:
    if not advisor.is_advisor_in(team):
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
    case that came in as a notification goes into clarification with its advisor. Only the team
    leader of the case's team assigns (``Action.ASSIGN``).
    """
    return _assign(
        case=case, advisor=advisor, assigned_by=assigned_by, override_reason=override_reason, check=True
    )


def _assign(
    *, case: Case, advisor: User, assigned_by: User, override_reason: str = "", check: bool = False
) -> Case:
    case = Case.objects.for_system().select_for_update(of=("self",)).select_related("team").get(pk=case.pk)
    require_open(case)
    previous = case.advisor
    override = _assignment_checks(
        case=case, advisor=advisor, assigned_by=assigned_by, override_reason=override_reason
    )
    # Asked after the cap, before anything is written: a person who may not go above the cap is
    # told so in the cap's own words (the pages and the API ask ``Action.ASSIGN`` before this).
    if check:
        require(assigned_by, Action.ASSIGN, case)
    case.advisor = advisor
    # A case that came in as a notification goes into clarification with its advisor.
    apply_state(case, state_after(case.state, Event.ASSIGNED))
    with acting_as(assigned_by):
        case.full_clean()
        case.save()
        if override is not None:
            override.full_clean()
            override.save()
    obligations.changed(obligations.CASE, [case.pk])
    _tell_new_advisor(case=case, previous=previous, advisor=advisor, assigned_by=assigned_by)
    return case


def _assignment_checks(
    *, case: Case, advisor: User, assigned_by: User, override_reason: str = ""
) -> CaseloadOverride | None:
    """What giving ``case`` to ``advisor`` must pass before anything is written: the advisor works
    in the case's team, and the caseload cap (or the team leader's written override, returned
    unsaved)."""
    _check_advisor_of_team(advisor, case.team)
    if case.advisor_id == advisor.pk:
        return None
    return _check_caseload(case=case, advisor=advisor, assigned_by=assigned_by, reason=override_reason)


def _tell_new_advisor(*, case: Case, previous: User | None, advisor: User, assigned_by: User) -> None:
    if previous != advisor and advisor != assigned_by:
        emails.notify_after_commit(
            recipients=[advisor],
            subject=_("Du har fået sag nr. %(pk)s") % {"pk": case.pk},
            body=_("%(by)s har gjort dig ansvarlig for sag nr. %(pk)s.\n\nSe sagen: %(url)s")
            % {"by": assigned_by, "pk": case.pk, "url": emails.case_url(case)},
        )


def _check_caseload(*, case: Case, advisor: User, assigned_by: User, reason: str) -> CaseloadOverride | None:
    """Refuse an assignment above the cap of the case's team, or return the team leader's override.

    The advisor's row is locked before the count: two assignments to the same advisor at the same
    moment then count one after the other, so they cannot both slip under the cap.
    """
    User.objects.select_for_update().filter(pk=advisor.pk).get()
    load = caseload.open_case_count(advisor)
    team = case.team
    if caseload.has_room(load, team):
        return None
    reason = (reason or "").strip()
    leads_team = assigned_by.leads_team(team)
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


# Herning's practice on moving cases between districts (Herningmodellen 1.0, "Praksis ved flytning af
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
    if case.state == CaseState.AFTERCARE:
        return str(AFTERCARE_STAYS)
    placed = extensions.case_measures().placement_active_on(case, on)
    return str(PLACEMENT_STAYS) if placed else None


def _check_transfer_target(case: Case, to_team: Team, today: datetime.date) -> None:
    """The receiving team is in another district of the same municipality, and the case may move."""
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
    case = (
        Case.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("team", "district")
        .get(pk=case.pk)
    )
    require_open(case)
    require(transferred_by, Action.TRANSFER, case)
    today = timezone.localdate()
    _check_transfer_target(case, to_team, today)
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
        obligations.changed(obligations.CASE, [case.pk])
        obligations.changed("casetransfer", [transfer.pk])
        if (
            from_advisor is not None
            and not CaseParticipant.objects.for_system().filter(case=case, user=from_advisor).exists()
        ):
            participant = CaseParticipant(
                case=case, user=from_advisor, note=str(_("Afgivende rådgiver indtil overleveringsmødet"))
            )
            participant.full_clean()
            participant.save()
    _notify_transfer(transfer)
    return transfer


def _notify_transfer(transfer: CaseTransfer) -> None:
    """Tell the receiving team's leaders that a case is waiting for an advisor (after commit)."""
    case, to_team, transferred_by = transfer.case, transfer.to_team, transfer.transferred_by
    from_advisor, handover_due_on = transfer.from_advisor, transfer.handover_due_on
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


@transaction.atomic
def handover_record(*, transfer: CaseTransfer, held_on: datetime.date, recorded_by: User) -> CaseTransfer:
    """Record that the handover meeting of a moved case was held. The advisor who gave the case
    away stops reading it."""
    transfer = (
        CaseTransfer.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("case")
        .get(pk=transfer.pk)
    )
    if not transfer.handover_open:
        raise ValidationError(_("Der er ikke et overleveringsmøde at registrere for denne flytning."))
    if held_on > timezone.localdate():
        raise ValidationError({"handover_held_on": _("Datoen kan ikke ligge i fremtiden.")})
    if held_on < transfer.transferred_on:
        raise ValidationError(
            {"handover_held_on": _("Overleveringsmødet kan ikke ligge før sagen blev flyttet.")}
        )
    require(recorded_by, Action.RECORD_HANDOVER, transfer)
    transfer.handover_held_on = held_on
    transfer.handover_recorded_by = recorded_by
    with acting_as(recorded_by):
        transfer.full_clean()
        transfer.save()
        obligations.changed("casetransfer", [transfer.pk])
        if transfer.case.advisor_id != transfer.from_advisor_id:
            for participant in CaseParticipant.objects.for_system().filter(
                case=transfer.case, user=transfer.from_advisor
            ):
                participant.delete()
    return transfer


# The states an advisor may choose directly; investigation, measures and closing have their own
# services (investigation_open, measures.services.measure_start, case_close).
MANUAL_STATES = (CaseState.CLARIFICATION, CaseState.MEASURES, CaseState.AFTERCARE)


@transaction.atomic
def case_set_state(*, case: Case, state: str, changed_by: User, on: datetime.date | None = None) -> Case:
    case = Case.objects.for_system().select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    require_open(case)
    on = on or timezone.localdate()
    if state not in MANUAL_STATES:
        raise ValidationError({"state": _("Sagen kan ikke sættes direkte til denne status.")})
    if state == CaseState.AFTERCARE and case.child.age_on(on) not in AFTERCARE_AGES:
        raise ValidationError({"state": _("Efterværn gives til unge mellem 18 og 22 år.")})
    active = extensions.case_measures().any_active_on(case, on)
    if state == CaseState.MEASURES and not active:
        raise ValidationError({"state": _("Sagen har ingen aktive indsatser.")})
    if state == CaseState.CLARIFICATION and case.investigations.filter(completed_on__isnull=True).exists():
        raise ValidationError({"state": _("Afslut den børnefaglige undersøgelse først.")})
    apply_state(case, state)
    with acting_as(changed_by):
        case.full_clean()
        case.save()
    obligations.changed(obligations.CASE, [case.pk])
    return case


@transaction.atomic
def case_close(
    *, case: Case, closed_on: datetime.date, closing_reason: str, closed_by: User, closing_note: str = ""
) -> Case:
    """Close the case; it is read-only afterwards. Refused while measures or an investigation run."""
    case = Case.objects.for_system().select_for_update().get(pk=case.pk)
    require_open(case)
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
    if extensions.case_measures().running_after(case, closed_on):
        raise ValidationError(_("Sagen har indsatser, der ikke er afsluttet. Afslut dem, før sagen lukkes."))
    if case.investigations.filter(completed_on__isnull=True).exists():
        raise ValidationError(_("Sagen har en børnefaglig undersøgelse, der ikke er afsluttet."))
    apply_state(case, CaseState.CLOSED)
    case.closed_on = closed_on
    case.closing_reason = closing_reason
    case.closing_note = closing_note
    with acting_as(closed_by):
        case.full_clean()
        case.save()
    obligations.changed(obligations.CASE, [case.pk])
    return case


@transaction.atomic
def case_participant_add(*, case: Case, user: User, added_by: User, note: str = "") -> CaseParticipant:
    """Add a professional (PPR psychologist, health visitor, second advisor) to the case."""
    require_open(case)
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
    require_open(participant.case)
    with acting_as(removed_by):
        participant.delete()
