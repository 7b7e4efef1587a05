"""Recording follow-ups held in another system, for imports (the DUBU exchange).

A DUBU extract says only the date of a measure's last follow-up. Recording it matters: the engine
counts the next due dates from the follow-ups held, and without it a measure started years ago
would show its first follow-up as overdue. What the extract does not say is written as not known
(``IMPORTED``), never guessed: no child conversation is claimed, the form and the participants
are "not stated". Each gets its journal note, as ``followup_record`` writes one, and the deadline
table is recomputed for the measures in one batch.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cases import obligations
from cases.bulk import NewNote, journal_add_many
from cases.models import JournalNote
from followups import engine
from followups.models import FollowUp, Form
from herning.api import feed
from herning.api.models import ChangeEvent
from herning.core.history import bulk_create_with_history
from measures.models import Measure

BATCH = 1000


@dataclass
class HeldElsewhere:
    measure: Measure
    held_on: datetime.date
    source: str  # the system it was recorded in, e.g. "DUBU"


def check_held(
    records: list[HeldElsewhere], *, today: datetime.date | None = None
) -> dict[int, ValidationError]:
    """What would refuse each record, by its index: the rules of ``followup_record`` on dates."""
    today = today or timezone.localdate()
    errors = {}
    for n, record in enumerate(records):
        measure = record.measure
        if record.held_on > today:
            errors[n] = ValidationError(_("En opfølgning kan ikke registreres, før den er afholdt."))
        elif record.held_on < measure.start_date:
            errors[n] = ValidationError(_("Opfølgningen kan ikke ligge før indsatsen startede."))
        elif measure.actual_end and record.held_on > measure.actual_end:
            errors[n] = ValidationError(_("Indsatsen var afsluttet på den dato."))
    return errors


@transaction.atomic
def followups_record_held_elsewhere(
    *,
    records: list[HeldElsewhere],
    recorded_by,
    today: datetime.date | None = None,
    sync_deadlines: bool = True,
) -> list[FollowUp]:
    """Record ``records`` as follow-ups held; refused as a whole if any of them would be.
    ``sync_deadlines=False``: the caller recomputes the measures' deadlines afterwards."""
    today = today or timezone.localdate()
    errors = check_held(records, today=today)
    if errors:
        raise next(iter(errors.values()))
    held_days = _held_days([r.measure.pk for r in records])
    notes, followups = [], []
    with override("da"):
        for record in records:
            measure = record.measure
            notes.append(
                NewNote(
                    case_id=measure.case_id,
                    heading=JournalNote.Heading.FOLLOW_UP,
                    occurred_on=record.held_on,
                    text=_(
                        "Opfølgning på indsatsen afholdt %(date)s, registreret i %(source)s og importeret "
                        "herfra. Form, deltagere, børnesamtale og indhold står i %(source)s."
                    )
                    % {"date": engine.format_date(record.held_on, "da"), "source": record.source},
                )
            )
            cadence = engine.decides_cadence(held_days.get(measure.pk, ()), record.held_on)
            held_days.setdefault(measure.pk, []).append(record.held_on)
            followups.append(
                FollowUp(
                    measure=measure,
                    held_on=record.held_on,
                    form=Form.MEETING,
                    participants=_("Ikke oplyst (%(source)s)") % {"source": record.source},
                    child_conversation_held=False,
                    no_conversation_reason=_("Ikke oplyst i udtrækket fra %(source)s.")
                    % {"source": record.source},
                    summary=_("Importeret fra %(source)s: kun datoen er oplyst.") % {"source": record.source},
                    decision=FollowUp.Decision.CONTINUE,
                    statutory_cadence_months=engine.LEGAL_DEFAULT_CADENCE if cadence else None,
                    cadence_reason=_(
                        "Kadencen er ikke oplyst i udtrækket; lovens standard gælder, indtil rådgiveren "
                        "beslutter andet (Barnets Lov § 95, stk. 3)."
                    )
                    if cadence
                    else "",
                    recorded_by=recorded_by,
                )
            )
    notes = journal_add_many(notes=notes, written_by=recorded_by)
    for followup, note in zip(followups, notes, strict=True):
        followup.journal_note = note
    created = bulk_create_with_history(followups, FollowUp, batch_size=BATCH, default_user=recorded_by)
    # No history signal from a bulk write: the measures that show them get their feed rows here.
    feed.record_many(created, ChangeEvent.Kind.CREATED)
    if sync_deadlines:
        obligations.changed("measure", {r.measure.pk for r in records}, today=today)
    return created


def _held_days(measure_ids: list[int]) -> dict[int, list]:
    """The days of the follow-ups already held on each measure (Barnets Lov § 95, stk. 3: the
    cadence is decided at the first one held under it)."""
    days: dict[int, list] = {}
    for measure_id, held_on in (
        FollowUp.objects.for_system().filter(measure_id__in=measure_ids).values_list("measure_id", "held_on")
    ):
        days.setdefault(measure_id, []).append(held_on)
    return days
