"""When a registration meets a child the municipality already knows (issue 19, point 3).

Registering a child by CPR number must not tell a person who may not see the child that the child
exists, let alone who it is. So the page and the API ask ``existing_child`` and:

* the person may see the child: they are told so and where it is (they can find it anyway);
* the person may not: an ``AccessRequest`` is written with the purpose they gave, the team leader
  responsible for the child is told, an audit event is written, and the person is told only
  ``FORWARDED``, the same words on the page and in the API, with no name and no id;
* a person who has asked more than ``HERNING["ACCESS_REQUESTS_PER_DAY"]`` times in 24 hours is
  refused (``TooManyAccessRequests``) and the municipality's data-protection role is alerted.

The count is read from the database, so it holds across processes and workers.
The case administrator's intake (a notification on a known child) does not come here: registering
a notification on a child is the intake's work and reveals nothing back (docs/access.md).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import emails
from cases.models import AccessRequest, Case, Child
from cases.permissions import Action, require
from cases.services.case import case_participant_add
from herning.audit.models import AuditEvent
from herning.audit.services import record_access_event
from herning.core import cpr as cpr_lib
from herning.core.history import acting_as
from herning.organisation.models import Role, User

FORWARDED = gettext_lazy("Anmodningen er sendt til den ansvarlige teamleder, som vender tilbage.")
NO_PURPOSE = gettext_lazy("Intet formål angivet.")
WINDOW = datetime.timedelta(hours=24)


class TooManyAccessRequests(Exception):
    """The person has made as many requests for access as one day allows."""

    def __init__(self):
        super().__init__(
            _(
                "Du har sendt for mange anmodninger om adgang det seneste døgn. Prøv igen i morgen, "
                "eller kontakt din teamleder. Databeskyttelsesfunktionen er orienteret."
            )
        )


@dataclass(frozen=True)
class Existing:
    child: Child
    visible: bool


def existing_child(*, user: User, cpr: str) -> Existing | None:
    """The child of the person's municipality with this CPR number, and whether the person may see
    it; None when the municipality does not know the number. The caller shows nothing of an
    invisible child: it calls ``access_request_create``."""
    digits = cpr_lib.parse(cpr).digits
    child = Child.objects.for_system().filter(municipality_id=user.municipality_id, cpr=digits).first()
    if child is None:
        return None
    return Existing(child=child, visible=Child.objects.visible_to(user).filter(pk=child.pk).exists())


def _responsible(child: Child) -> tuple:
    """(team, district) that decides: the team of the child's open case, else of its last case;
    for a child with no case, the child's district (every team leader of it)."""
    case = (
        Case.objects.for_system()
        .filter(child=child)
        .select_related("team")
        .order_by(F("closed_on").desc(nulls_first=True), "-opened_on", "-pk")  # an open case first
        .first()
    )
    if case is not None and case.team_id is not None:
        return case.team, case.team.district_id
    return None, child.district_id


def _leaders(request: AccessRequest):
    leaders = User.objects.with_role(Role.TEAM_LEADER).filter(municipality_id=request.child.municipality_id)
    if request.team_id is not None:
        return leaders.filter(role_assignments__team=request.team_id)
    return leaders.filter(role_assignments__team__district=request.district_id)


def requests_today(user: User, *, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return AccessRequest.objects.for_system().filter(requested_by=user, created_at__gt=now - WINDOW).count()


def access_request_create(*, child: Child, requested_by: User, purpose: str = "") -> AccessRequest:
    """Ask for access to ``child`` on behalf of ``requested_by``, who may not see it. Raises
    ``TooManyAccessRequests`` (after alerting the data-protection role) past the day's limit."""
    limit = settings.HERNING["ACCESS_REQUESTS_PER_DAY"]
    if requests_today(requested_by) >= limit:
        _alert_limit(child=child, user=requested_by, limit=limit)
        raise TooManyAccessRequests
    with transaction.atomic():
        team, district_id = _responsible(child)
        request = AccessRequest(
            child=child,
            requested_by=requested_by,
            purpose=(purpose or "").strip()[:500] or str(NO_PURPOSE),
            team=team,
            district_id=district_id,
        )
        with acting_as(requested_by):
            request.full_clean()
            request.save()
        record_access_event(
            kind=AuditEvent.Kind.ACCESS_REQUEST,
            actor=requested_by,
            subject=requested_by,
            reason=_("Anmodning om adgang til et barn, medarbejderen ikke har adgang til."),
            details={"access_request": request.pk, "child": child.pk, "user": requested_by.pk},
        )
        emails.notify_after_commit(
            recipients=_leaders(request),
            subject=_("Anmodning om adgang til et barn"),
            body=_(
                "%(user)s har forsøgt at oprette et barn, som allerede er registreret på en sag i dit team, "
                "og anmoder om adgang. Giv eller afvis adgang her: %(url)s"
            )
            % {"user": requested_by, "url": settings.BASE_URL + reverse("cases:access_requests")},
        )
    return request


def _alert_limit(*, child: Child, user: User, limit: int) -> None:
    """Write the refused attempt as an audit event; the data-protection role is told by mail at the
    first refusal of the day (one mail per person and day, however many attempts follow)."""
    since = timezone.now() - WINDOW
    already = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.ACCESS_REQUEST_LIMIT, subject=user, at__gt=since
    ).exists()
    record_access_event(
        kind=AuditEvent.Kind.ACCESS_REQUEST_LIMIT,
        actor=user,
        subject=user,
        reason=_("Anmodning om adgang afvist: mere end %(limit)s anmodninger det seneste døgn.")
        % {"limit": limit},
        details={"child": child.pk, "user": user.pk, "limit": limit},
    )
    if not already:
        emails.notify_after_commit(
            recipients=User.objects.with_role(Role.DATA_PROTECTION).filter(
                municipality_id=user.municipality_id
            ),
            subject=_("Mange anmodninger om adgang fra én medarbejder"),
            body=_(
                "%(user)s (brugernavn %(username)s) har det seneste døgn anmodet om adgang til mere end "
                "%(limit)s børn, som vedkommende ikke har adgang til, ved at forsøge at oprette dem. "
                "Yderligere forsøg afvises i et døgn. Se adgangsloggen og revisionshændelserne."
            )
            % {"user": user, "username": user.username, "limit": limit},
        )


@transaction.atomic
def access_request_decide(*, request: AccessRequest, decided_by: User, grant: bool) -> AccessRequest:
    """Grant (the person is added to the child's open case, the project's way of giving access to a
    case) or refuse the request; the person is told by mail, without the child's name."""
    require(decided_by, Action.DECIDE_ACCESS_REQUEST, request)
    request = AccessRequest.objects.for_system().select_for_update().get(pk=request.pk)
    require(decided_by, Action.DECIDE_ACCESS_REQUEST, request)  # decided meanwhile by a colleague
    if grant:
        case = Case.objects.for_system().open().filter(child=request.child_id).first()
        if case is None:
            raise ValidationError(
                _(
                    "Barnet har ingen åben sag, som medarbejderen kan tilknyttes. Afvis anmodningen eller opret en sag."
                )
            )
        case_participant_add(
            case=case, user=request.requested_by, added_by=decided_by, note=str(_("Adgang efter anmodning"))
        )
    request.state = AccessRequest.State.GRANTED if grant else AccessRequest.State.REFUSED
    request.decided_by = decided_by
    request.decided_at = timezone.now()
    with acting_as(decided_by):
        request.save(update_fields=["state", "decided_by", "decided_at"])
    record_access_event(
        kind=AuditEvent.Kind.ACCESS_REQUEST_DECISION,
        actor=decided_by,
        subject=request.requested_by,
        reason=_("Anmodning om adgang imødekommet.") if grant else _("Anmodning om adgang afvist."),
        details={"access_request": request.pk, "child": request.child_id, "user": request.requested_by_id},
    )
    emails.notify_after_commit(
        recipients=[request.requested_by],
        subject=_("Din anmodning om adgang er afgjort"),
        body=(
            _("Din anmodning om adgang er imødekommet. Du finder barnet under Find barn.")
            if grant
            else _("Din anmodning om adgang er afvist. Kontakt din teamleder, hvis du har spørgsmål.")
        ),
    )
    return request
