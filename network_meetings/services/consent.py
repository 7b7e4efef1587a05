"""The custody holders' consent to discussing a named child (the consent gate)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Child, Relation
from cases.permissions import Action, require
from network_meetings.models import (
    Consent,
    NetworkMeeting,
)
from network_meetings.services.common import refuse_cpr, refuse_if_closed, save_valid


def custody_holders(child: Child) -> list[Relation]:
    return list(child.relations.filter(has_custody=True, is_active=True).order_by("name"))


def missing_consents(meeting: NetworkMeeting) -> list[Relation]:
    """The child's custody holders who have not consented to this meeting yet."""
    given = set(meeting.consents.exclude(custody_holder=None).values_list("custody_holder_id", flat=True))
    return [r for r in custody_holders(meeting.child) if r.pk not in given]


@transaction.atomic
def consent_record(
    *,
    meeting: NetworkMeeting,
    by,
    given_by_name: str,
    given_on: datetime.date,
    method: str,
    custody_holder: Relation | None = None,
    note: str = "",
) -> Consent:
    """Record one custody holder's consent. Once every custody holder registered on the child has
    consented (or, with none registered, once one has), the meeting is no longer anonymous."""
    meeting = (
        NetworkMeeting.objects.for_system().select_for_update().select_related("child").get(pk=meeting.pk)
    )
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    if custody_holder is not None and (
        custody_holder.child_id != meeting.child_id or not custody_holder.has_custody
    ):
        raise ValidationError({"custody_holder": _("Vælg en af barnets forældremyndighedsindehavere.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("Samtykket kan ikke være givet i fremtiden.")})
    consent = Consent(
        meeting=meeting,
        custody_holder=custody_holder,
        given_by_name=given_by_name or (custody_holder.name if custody_holder else ""),
        given_on=given_on,
        method=method,
        note=note,
        recorded_by=by,
    )
    refuse_cpr(note=note, given_by_name=consent.given_by_name)
    save_valid(consent)
    if meeting.consent_given_at is None and not missing_consents(meeting):
        meeting.consent_given_at = timezone.now()
        meeting.save(update_fields=["consent_given_at", "updated_at"])
    return consent
