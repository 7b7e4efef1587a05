"""Demo data for the evaluation pages: two years of snapshots reconstructed from the demo cases'
measures, a few complaints and SDQ scores before and after. Runs after the cases step and works on
whatever cases exist; running it again changes nothing."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from cases.models import Case
from evaluation.models import Complaint, SdqScore
from evaluation.services import (
    complaint_decide,
    complaint_register,
    followups_due_compute,
    sdq_record,
    snapshot_backfill,
)
from herning.organisation.selectors import team_leaders

# About one case in twenty gets a complaint over two years (KORA 2017, Tab. 3.2: 1.4-7.7 % a year).
COMPLAINT_RATE = 0.05
# About half of the children of school age get a teacher's SDQ before and after (KORA 2017, ch. 3.3).
SDQ_RATE = 0.5
_OUTCOMES = [
    (Complaint.Outcome.REJECTED, 50),
    (Complaint.Outcome.PARTLY_UPHELD, 20),
    (Complaint.Outcome.UPHELD, 15),
    (Complaint.Outcome.WITHDRAWN, 10),
    (Complaint.Outcome.FORWARDED, 5),
]


def seed(*, org, today: datetime.date, rng, stdout) -> None:
    start = today - relativedelta(years=2)
    snapshots = snapshot_backfill(
        municipality=org.municipality, start=start, end=today - datetime.timedelta(days=1)
    )
    # As the nightly run would have left them, so the follow-up figures read them.
    followups_due_compute(municipality=org.municipality, as_of=today - datetime.timedelta(days=1))
    cases = list(
        Case.objects.filter(municipality=org.municipality, opened_on__lte=today)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=start))
        .select_related("child", "team", "advisor")
        .order_by("pk")
    )
    complaints = sum(_complaint(case, start=start, today=today, rng=rng) for case in cases)
    scores = sum(_sdq(case, start=start, today=today, rng=rng) for case in cases)
    stdout.write(
        f"Evaluering: {snapshots} øjebliksbilleder, {complaints} klager og {scores} SDQ-scorer oprettet."
    )


def _staff(case: Case):
    return case.advisor or team_leaders(team=case.team).first()


def _day_between(rng, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _complaint(case: Case, *, start, today, rng) -> int:
    # Draw every number whatever is found, so the sequence (and the demo) stays the same.
    chosen = rng.random() < COMPLAINT_RATE
    first = max(case.opened_on, start)
    last = min(case.closed_on - datetime.timedelta(days=1), today) if case.closed_on else today
    received = _day_between(rng, first, last)
    subject = rng.choice(Complaint.Subject.values)
    outcome = rng.choices([o for o, _w in _OUTCOMES], weights=[w for _o, w in _OUTCOMES])[0]
    decided = received + datetime.timedelta(days=rng.randint(14, 45))
    if not chosen or first > last:
        return 0
    staff = _staff(case)
    if staff is None:
        return 0
    if Complaint.objects.filter(case=case, received_on=received, subject=subject).exists():
        return 0
    complaint = complaint_register(
        case=case, received_on=received, subject=subject, recorded_by=staff, description="", as_system=True
    )
    if decided <= today:
        complaint_decide(
            complaint=complaint, outcome=outcome, decided_on=decided, decided_by=staff, as_system=True
        )
    return 1


def _subscales(rng, means, shift=0.0) -> dict[str, int]:
    return {
        name: max(0, min(10, round(rng.gauss(mean + shift, 1.5))))
        for name, mean in zip(SdqScore.DIFFICULTY_FIELDS, means, strict=True)
    }


def _sdq(case: Case, *, start, today, rng) -> int:
    chosen = rng.random() < SDQ_RATE
    before_on = start + datetime.timedelta(days=rng.randint(30, 150))
    after_on = today - datetime.timedelta(days=rng.randint(20, 150))
    means = [rng.uniform(1.5, 5) for _ in SdqScore.DIFFICULTY_FIELDS]
    before = _subscales(rng, means)
    after = _subscales(rng, means, shift=rng.gauss(-0.3, 0.6))
    prosocial = (rng.randint(3, 9), rng.randint(3, 10))
    informant = SdqScore.Informant.TEACHER if rng.random() < 0.8 else SdqScore.Informant.PARENT
    age = case.child.age_on(before_on)
    open_then = case.opened_on <= before_on and (case.closed_on is None or case.closed_on > after_on)
    if not chosen or not open_then or not 4 <= age <= 16:
        return 0
    staff = _staff(case)
    if staff is None:
        return 0
    created = 0
    for day, scales, social in ((before_on, before, prosocial[0]), (after_on, after, prosocial[1])):
        if SdqScore.objects.filter(child=case.child, informant=informant, assessed_on=day).exists():
            continue
        sdq_record(
            case=case,
            informant=informant,
            assessed_on=day,
            total=sum(scales.values()),
            prosocial=social,
            recorded_by=staff,
            as_system=True,  # a made-up past: the case may be closed by now
            **scales,
        )
        created += 1
    return created
