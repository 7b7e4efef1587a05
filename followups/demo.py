"""Demo follow-ups: for every measure without any, the follow-ups of its past, mostly on time, some
late and a few missed; a few approved exceptions; then every deadline computed.

A step of ``seed_demo`` (after the cases step). It works on whatever measures exist and changes
nothing when run again: measures that already have follow-ups are left alone.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from cases.models import JournalNote
from followups import deadlines, engine
from followups.models import ExceptionKind, FollowUp, FollowUpException, Form
from followups.presets import FOSTER_CATEGORIES, legal_context_of
from followups.rules import RuleBook
from herning.core.history import bulk_create_with_history
from herning.organisation.models import Role, RoleAssignment, User
from measures.models import Measure

PARTICIPANTS = [
    "Barnet, mor, far og kontaktperson",
    "Den unge, plejeforældre og sagsbehandler",
    "Barnet, pædagog fra institutionen og mor",
    "Familien, familiebehandler og sagsbehandler",
    "Den unge, kontaktperson og sagsbehandler",
]
SUMMARIES = [
    "Barnet fortæller, at det går godt i skolen. Fremmødet er steget, og der er ro omkring sengetid.",
    "Den unge er glad for stedet, men savner sine venner. Vi aftaler weekendsamvær hver anden uge.",
    "Forældrene oplever fremgang; konflikter om morgenen er færre. Indsatsen fortsætter uændret.",
    "Skolen melder om bedre koncentration. Målet om fremmøde er nået; nyt mål om fritidsaktivitet.",
    "Barnet har haft en svær periode med uro. Vi drøfter, om der er brug for mere støtte.",
]


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _stamp(obj, user: User, when: datetime.datetime):
    """The history row of a bulk-created object shows who did it and when it happened."""
    obj._history_user = user
    obj._history_date = when
    return obj


def _simulate(measure: Measure, rule, today: datetime.date, rng, relaxed: bool) -> list[dict]:
    """The follow-ups of a measure's past: each due date held a little before or after, now and
    then late, and rarely the last one missed (so the demo has overdue work)."""
    legal = legal_context_of(measure)
    end = min(filter(None, [measure.actual_end, today]))
    held: list[engine.Held] = []
    records: list[dict] = []
    cursor = measure.start_date
    while True:
        schedule = engine.schedule(
            rule=rule, start=measure.start_date, held=held, today=cursor, legal=legal, end=measure.actual_end
        )
        item = schedule.next_pending()
        if item is None:
            break
        late = rng.random() < 0.15
        delay = rng.randint(4, 21) if late else rng.randint(-4, 1)
        day = max(item.due_date + datetime.timedelta(days=delay), cursor + datetime.timedelta(days=1))
        if day > end or (item.due_date < today - datetime.timedelta(days=14) and rng.random() < 0.02):
            break
        form = (
            Form.PHONE if relaxed and item.kind == engine.MUNICIPAL and rng.random() < 0.5 else Form.MEETING
        )
        # A supervisory visit is a visit (Barnets Lov § 156, stk. 5): never by phone or mail.
        visit = form == Form.MEETING and (
            item.obligation == engine.SUPERVISION or (legal.placement and rng.random() < 0.3)
        )
        conversation = rng.random() < 0.92 or visit
        first_under_barnets_lov = engine.decides_cadence([h.held_on for h in held], day)
        record = {
            "held_on": day,
            "form": form,
            "participants": rng.choice(PARTICIPANTS),
            "supervisory_visit": visit,
            "child_conversation_held": conversation,
            "no_conversation_reason": ""
            if conversation
            else "Barnet ønskede ikke at tale med os denne gang.",
            "summary": rng.choice(SUMMARIES),
            "statutory_cadence_months": engine.LEGAL_DEFAULT_CADENCE if first_under_barnets_lov else None,
            "cadence_reason": (
                "Indsatsen følges tæt efter kommunens regel; lovpligtig opfølgning hver 6. måned er nok."
                if first_under_barnets_lov
                else ""
            ),
        }
        records.append(record)
        held.append(
            engine.Held(
                day,
                supervisory_visit=visit,
                child_conversation=conversation,
                statutory_cadence_months=record["statutory_cadence_months"],
                form=form,
            )
        )
        cursor = day
    return records


@transaction.atomic
def seed(*, org, today: datetime.date, rng, stdout) -> None:
    book = RuleBook(today)
    measures = list(
        Measure.objects.filter(case__municipality=org.municipality, followups__isnull=True)
        .select_related("case", "measure_type", "legal_basis")
        .order_by("pk")
    )
    leaders = {}
    for team_id, user_id in RoleAssignment.objects.filter(role=Role.TEAM_LEADER).values_list(
        "team_id", "user_id"
    ):
        leaders.setdefault(team_id, user_id)
    people = User.objects.in_bulk({m.case.advisor_id for m in measures} | set(leaders.values()) - {None})
    # One generator per measure, seeded from the step's: a measure left without follow-ups (too
    # young, or its first one missed) gets the same answer on the next run, so nothing changes.
    base = rng.getrandbits(64)
    rngs = {m.pk: random.Random(f"{base}:{m.pk}") for m in measures}

    # A few childhood placements in foster care get Herningmodellen 1.0's exception, approved.
    exceptions = []
    for measure in measures:
        foster = measure.measure_type.placement_category in FOSTER_CATEGORIES
        leader = leaders.get(measure.case.team_id)
        if foster and leader and measure.actual_end is None and rngs[measure.pk].random() < 0.3:
            requested = measure.start_date + datetime.timedelta(days=rngs[measure.pk].randint(200, 400))
            if requested >= today:
                continue
            exceptions.append(
                _stamp(
                    FollowUpException(
                        measure=measure,
                        kind=ExceptionKind.CHILDHOOD_FOSTER,
                        reason="Forældreevnen er afdækket; barnet bliver i plejefamilien og trives.",
                        requested_by_id=measure.case.advisor_id or leader,
                        requested_at=_noon(requested),
                        state=FollowUpException.State.APPROVED,
                        decided_by_id=leader,
                        decided_at=_noon(requested + datetime.timedelta(days=3)),
                        decision_reason="Godkendt: de ekstra opfølgninger kan ske pr. telefon eller mail.",
                    ),
                    people[leader],
                    _noon(requested + datetime.timedelta(days=3)),
                )
            )
    existing = set(FollowUpException.objects.values_list("measure_id", "kind"))
    exceptions = [e for e in exceptions if (e.measure_id, e.kind) not in existing]
    bulk_create_with_history(exceptions, FollowUpException)
    relaxed = {e.measure_id for e in exceptions}

    notes, followups = [], []
    for measure in measures:
        author_id = measure.case.advisor_id or leaders.get(measure.case.team_id)
        if author_id is None:
            continue
        try:
            rule = book.rule_for(measure.case.municipality_id, measure.measure_type_id)
        except ValueError:
            continue
        for record in _simulate(measure, rule, today, rngs[measure.pk], measure.pk in relaxed):
            heading = (
                JournalNote.Heading.CHILD_CONVERSATION
                if record["child_conversation_held"]
                else JournalNote.Heading.FOLLOW_UP
            )
            when = _noon(record["held_on"])
            notes.append(
                _stamp(
                    JournalNote(
                        case_id=measure.case_id,
                        heading=heading,
                        occurred_on=record["held_on"],
                        text=f"Opfølgning på {measure.measure_type.name}.\n\n{record['summary']}",
                        written_by_id=author_id,
                        written_at=when,
                    ),
                    people[author_id],
                    when,
                )
            )
            followups.append(
                _stamp(
                    FollowUp(
                        measure=measure,
                        decision=FollowUp.Decision.CONTINUE,
                        recorded_by_id=author_id,
                        recorded_at=when,
                        **record,
                    ),
                    people[author_id],
                    when,
                )
            )
    notes = bulk_create_with_history(notes, JournalNote, batch_size=1000)
    for note, followup in zip(notes, followups, strict=True):
        followup.journal_note = note
    bulk_create_with_history(followups, FollowUp, batch_size=1000)
    stats = deadlines.rebuild(today=today)
    stdout.write(
        f"Opfølgning: {len(followups)} opfølgninger på {len(measures)} indsatser, "
        f"{len(exceptions)} godkendte undtagelser, {stats.changed} frister opdateret."
    )
