"""The write rules of network meetings, registered with ``cases.permissions`` (the one place every
write rule is asked) when the app is ready: planning a meeting, changing one, marking an agreement
done, changing a child's network map, and offering or releasing a team's fixed meeting times.
The services of ``network_meetings.services`` call ``require`` with these actions."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.permissions import Action, can_edit_case, register


def can_plan_meeting(user) -> bool:
    from network_meetings.selectors import MEETING_ROLES

    return bool(user and user.is_authenticated and user.has_role(*MEETING_ROLES))


def can_edit_meeting(user, meeting) -> bool:
    """Who may change a meeting they can read: whoever planned it, its chair and minute-taker when
    they are staff, those who may write the case, and the leader of the meeting's team."""
    if not (user and user.is_authenticated and user.municipality_id == meeting.municipality_id):
        return False
    if meeting.is_cancelled:
        return False
    if user.pk == meeting.created_by_id:
        return True
    if meeting.case_id and can_edit_case(user, meeting.case):
        return True
    if user.leads_team(meeting.team_id):
        return True
    staff_roles = [p for p in (meeting.chair, meeting.minute_taker) if p is not None]
    return any(p.user_id == user.pk for p in staff_roles)


def can_mark_agreement_done(user, agreement) -> bool:
    return agreement.owner_user_id == user.pk or can_edit_meeting(user, agreement.meeting)


def can_edit_network_map(user, child) -> bool:
    """The map is part of the child's case work: those who may write the open case write it."""
    from network_meetings.selectors import child_open_case

    case = child_open_case(child)
    return case is not None and can_edit_case(user, case)


def can_manage_slots(user, team) -> bool:
    """A team's fixed meeting times are offered and released by the team's own staff who plan
    meetings (``team`` None: the person belongs to some team)."""
    if not can_plan_meeting(user):
        return False
    return bool(user.team_ids) if team is None else team.pk in user.team_ids


def _slots_reason(user, team) -> str:
    if not can_plan_meeting(user):
        return _plan_reason()
    if team is None:
        return _("Du er ikke medlem af et team.")
    return _("Kun teamets egne medarbejdere kan udbyde og frigive teamets tider.")


def _plan_reason() -> str:
    return _("Kun rådgivere, teamledere, psykologer og sundhedsplejersker planlægger netværksmøder.")


def register_rules() -> None:
    register(
        Action.PLAN_MEETING,
        allows=lambda user, record: can_plan_meeting(user),
        reason=lambda user, record: _plan_reason(),
    )
    register(
        Action.EDIT_MEETING,
        allows=can_edit_meeting,
        reason=lambda user, meeting: _("Du kan læse mødet, men ikke ændre det."),
    )
    register(
        Action.MARK_AGREEMENT_DONE,
        allows=can_mark_agreement_done,
        reason=lambda user, agreement: _(
            "Kun den ansvarlige og mødets arrangører kan markere aftalen som udført."
        ),
    )
    register(
        Action.EDIT_NETWORK_MAP,
        allows=can_edit_network_map,
        reason=lambda user, child: _("Kun sagens rådgiver og teamleder kan ændre netværkskortet."),
    )
    register(Action.MANAGE_SLOTS, allows=can_manage_slots, reason=_slots_reason)
