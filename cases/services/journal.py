"""The case's journal: notes and their open correction."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    JournalNote,
)
from cases.services.common import require_open
from herning.core.history import acting_as
from herning.organisation.models import User


@transaction.atomic
def journal_add(
    *,
    case: Case,
    heading: str,
    text: str,
    written_by: User,
    occurred_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> JournalNote:
    """Write a note in the case's journal about what happened on ``occurred_on`` (not later than
    ``today``, by default the calendar's)."""
    require_open(case)
    today = today or timezone.localdate()
    occurred_on = occurred_on or today
    if occurred_on > today:
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
    note = (
        JournalNote.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("case")
        .get(pk=note.pk)
    )
    require_open(note.case)
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
