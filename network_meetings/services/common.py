"""Shared pieces of network_meetings.services: Writes for network meetings, network maps and meeting slots."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, Child
from herning.organisation.models import Role, Team
from network_meetings import anonymity
from network_meetings.models import (
    NetworkMeeting,
    Participant,
)

# Herningmodellen 1.0, "Netværksmøder og inddragende netværksmøder": "Hvis man inden for én uge ikke er
# indkaldt, kan man for nuværende selv disponere over tiden". Each slot stores its own
# ``release_at``, so an administrator can hold a single slot longer in the admin.
SLOT_RELEASE_AFTER = datetime.timedelta(days=7)

# The fields of a meeting a planner fills in, and which of them the consent gate checks for the
# child's name (the others hold a professional's own name and are checked for CPR numbers only).
# The free texts checked by the consent gate (``anonymity.check_texts``).
MEETING_TEXT_FIELDS = ("place", "purpose", "reason", "agenda", "procedure")
MEETING_PROFESSIONAL_FIELDS = ("initiator_name", "initiator_function", "contact_name")
# Participants from the family's side are named in relation to the child; a professional's name is
# their own (see anonymity.check_texts).
FAMILY_FUNCTIONS = frozenset(
    {Participant.Function.CHILD, Participant.Function.PARENT, Participant.Function.OWN_NETWORK}
)
CALENDAR_FIELDS = frozenset({"starts_at", "ends_at", "place"})
# What a planner writes about a meeting besides its time: the planning form, the API's writable
# fields and what ``meeting_update`` changes are these, in this order.
MEETING_FIELDS = (
    "kind",
    "place",
    "purpose",
    "reason",
    "agenda",
    "agenda_made_with_parents",
    "procedure",
    "initiator_name",
    "initiator_function",
    "contact_name",
    "contact_phone",
    "contact_email",
    "concern_noted_on",
)
MEETING_TIME_FIELDS = ("starts_at", "ends_at")

# How a meeting runs, from Herningmodellen 1.0 ("At afholde et netværksmøde indebærer som minimum"
# and the involving meeting's minutes template); the planner may write their own.
DEFAULT_PURPOSE = gettext_lazy(
    "Formålet med mødet er at samle de voksne, der kender barnet, og sammen aftale det videre forløb."
)
DEFAULT_PROCEDURE = {
    NetworkMeeting.Kind.NETWORK: gettext_lazy(
        "Mødelederen byder velkommen og fortæller om mødets formål og tidsramme. Vi tager en "
        "præsentationsrunde, hvor alle siger navn og funktion. Forældrene og barnet er med i hele "
        "samtalen. Vi slutter i god tid med en opsummering af aftalerne, og alle kan kommentere dem."
    ),
    NetworkMeeting.Kind.INVOLVING: gettext_lazy(
        "Mødelederen byder velkommen og fortæller om mødets formål og tidsramme. Vi tager en "
        "præsentationsrunde, hvor alle siger navn og funktion. Vi taler om, hvad vi er bekymrede for, "
        "hvad der fungerer, og hvad vi gerne vil se ske. Vi slutter med aftaler og løsninger: hvem gør "
        "hvad, og hvornår."
    ),
}


def save_valid(instance) -> None:
    instance.full_clean()
    instance.save()


def refuse_if_closed(meeting: NetworkMeeting) -> None:
    """A cancelled meeting, and a held one whose minutes are sent, are kept as they were."""
    if meeting.is_cancelled:
        raise ValidationError(_("Mødet er aflyst og kan ikke ændres."))
    if meeting.status == NetworkMeeting.Status.HELD:
        raise ValidationError(_("Mødet er afholdt, og referatet er sendt; det kan ikke ændres."))


def check_meeting_texts(meeting: NetworkMeeting) -> None:
    fields = MEETING_TEXT_FIELDS + MEETING_PROFESSIONAL_FIELDS
    anonymity.check_texts(
        meeting=meeting,
        texts={f: getattr(meeting, f) for f in fields},
        cpr_only=MEETING_PROFESSIONAL_FIELDS,
    )


def check_participant_texts(participant: Participant) -> None:
    family = participant.function in FAMILY_FUNCTIONS and participant.user_id is None
    anonymity.check_texts(
        meeting=participant.meeting,
        texts={"name": participant.name, "organisation": participant.organisation},
        cpr_only=() if family else ("name", "organisation"),
    )


def anonymous_safe_name(meeting: NetworkMeeting, name: str, function: str) -> str:
    """A family-side name that would name the child on an anonymous meeting is left out."""
    if anonymity.contains_cpr(name):
        return ""
    if (
        function in FAMILY_FUNCTIONS
        and meeting.is_anonymous
        and anonymity.contains_child_name(name, meeting.child)
    ):
        return ""
    return name


def function_of(user) -> str:
    if user.has_role(Role.PSYCHOLOGIST):
        return Participant.Function.PSYCHOLOGIST
    if user.has_role(Role.HEALTH_VISITOR):
        return Participant.Function.HEALTH_VISITOR
    if user.has_role(Role.ADVISOR, Role.DUTY_ADVISOR):
        return Participant.Function.ADVISOR
    return Participant.Function.OTHER


def meeting_team(*, child: Child, case: Case | None, planner) -> Team:
    if case is not None:
        return case.team
    from network_meetings.selectors import MEETING_ROLES

    own = planner.teams_for(*MEETING_ROLES)
    for team in own:
        if team.district_id == child.district_id:
            return team
    team = Team.objects.filter(district_id=child.district_id).order_by("pk").first()
    if team is None:
        raise ValidationError(_("Barnets distrikt har intet team, som mødet kan høre til."))
    return team


def refuse_cpr(**texts: str) -> None:
    errors = {
        field: _("Skriv ikke CPR-numre i teksten.")
        for field, text in texts.items()
        if anonymity.contains_cpr(text)
    }
    if errors:
        raise ValidationError(errors)
