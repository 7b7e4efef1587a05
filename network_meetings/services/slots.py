"""The teams' fixed weekly meeting slots: offering, booking and releasing."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from cases.permissions import Action, require
from herning.organisation.models import Team
from network_meetings.models import (
    MeetingSlot,
    NetworkMeeting,
)
from network_meetings.services.common import SLOT_RELEASE_AFTER, save_valid


@transaction.atomic
def slots_offer(
    *,
    team: Team,
    by,
    first_start: datetime.datetime,
    duration: datetime.timedelta,
    place: str = "",
    weeks: int = 1,
) -> list[MeetingSlot]:
    """Offer a fixed meeting time, the same weekday and hour for ``weeks`` weeks in a row; the
    team's own staff offer its times (``Action.MANAGE_SLOTS``)."""
    require(by, Action.MANAGE_SLOTS, team)
    if not 1 <= weeks <= 26:
        raise ValidationError({"weeks": _("Vælg mellem 1 og 26 uger.")})
    if duration <= datetime.timedelta(0):
        raise ValidationError({"ends_at": _("Tiden skal slutte efter, den er begyndt.")})
    if first_start <= timezone.now():
        raise ValidationError({"starts_at": _("Tiden skal ligge i fremtiden.")})
    now = timezone.now()
    local_first = timezone.localtime(first_start)
    slots = []
    for week in range(weeks):
        # Same wall-clock time each week, across daylight-saving changes.
        naive = local_first.replace(tzinfo=None) + datetime.timedelta(weeks=week)
        starts_at = timezone.make_aware(naive)
        slot = MeetingSlot(
            team=team,
            starts_at=starts_at,
            ends_at=starts_at + duration,
            place=place,
            offered_by=by,
            offered_at=now,
            release_at=now + SLOT_RELEASE_AFTER,
        )
        try:
            slot.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                _("%(when)s: %(problem)s")
                % {
                    "when": f"{timezone.localtime(starts_at):%d.%m.%Y %H:%M}",
                    "problem": " ".join(exc.messages),
                }
            ) from None
        slot.save()
        slots.append(slot)
    return slots


def slot_book(*, slot: MeetingSlot, meeting: NetworkMeeting, by) -> MeetingSlot:
    """Book an open slot for ``meeting``; two people booking at once cannot both win. Booked by
    whoever may change the meeting."""
    require(by, Action.EDIT_MEETING, meeting)
    with transaction.atomic():
        slot = MeetingSlot.objects.for_system().select_for_update().get(pk=slot.pk)
        if slot.status != MeetingSlot.Status.OPEN:
            raise ValidationError({"slot": _("Tiden er ikke længere ledig. Vælg en anden.")})
        if slot.starts_at <= timezone.now():
            raise ValidationError({"slot": _("Tiden er overstået. Vælg en anden.")})
        if slot.team.district.municipality_id != meeting.municipality_id:
            raise ValidationError({"slot": _("Tiden hører til en anden kommune.")})
        slot.status = MeetingSlot.Status.BOOKED
        slot.meeting = meeting
        slot.booked_by = by
        slot.booked_at = timezone.now()
        try:
            with transaction.atomic():
                save_valid(slot)
        except (IntegrityError, ValidationError):
            raise ValidationError({"slot": _("Mødet har allerede en fast mødetid.")}) from None
    return slot


def slot_unbook(slot: MeetingSlot) -> None:
    """The meeting no longer uses the slot: it is free again, unless its week has run out."""
    now = timezone.now()
    slot.meeting = None
    slot.booked_by = None
    slot.booked_at = None
    if slot.release_at <= now or slot.starts_at <= now:
        slot.status, slot.released_at = MeetingSlot.Status.RELEASED, now
    else:
        slot.status = MeetingSlot.Status.OPEN
    save_valid(slot)


@transaction.atomic
def slot_release(*, slot: MeetingSlot, by) -> MeetingSlot:
    """Give an open slot back to the calendar before its week is up (the team's own staff)."""
    slot = MeetingSlot.objects.for_system().select_for_update().select_related("team").get(pk=slot.pk)
    require(by, Action.MANAGE_SLOTS, slot.team)
    if slot.status != MeetingSlot.Status.OPEN:
        raise ValidationError(_("Kun en ledig tid kan frigives."))
    slot.status = MeetingSlot.Status.RELEASED
    slot.released_at = timezone.now()
    save_valid(slot)
    return slot


def release_unbooked_slots(*, now: datetime.datetime | None = None) -> int:
    """Release every open slot whose week has run out or whose time has passed. Safe to run twice
    and alongside itself: rows are claimed with SKIP LOCKED and only open ones change."""
    now = now or timezone.now()
    with transaction.atomic():
        slots = list(
            MeetingSlot.objects.for_system()
            .select_for_update(skip_locked=True)
            .filter(Q(release_at__lte=now) | Q(starts_at__lte=now), status=MeetingSlot.Status.OPEN)
        )
        for slot in slots:
            slot.status = MeetingSlot.Status.RELEASED
            slot.released_at = now
        bulk_update_with_history(slots, MeetingSlot, ["status", "released_at"], batch_size=500)
    return len(slots)
