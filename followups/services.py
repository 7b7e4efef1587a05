"""Writes: recording a follow-up, exceptions and their approval, reminders read and a person's
reminder settings, calendar links.

Keyword-only, ``full_clean()`` before save, one transaction each. The pages and the API call these.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import emails, obligations
from cases import services as case_services
from cases.models import Goal, JournalNote, Plan
from cases.permissions import Action, require
from cases.selectors import current_plan
from followups import engine
from followups.models import (
    CalendarToken,
    FollowUp,
    FollowUpException,
    Form,
    GoalReview,
    LaterDate,
    NoConversationGround,
    Reminder,
    ReminderSettings,
    RuleSet,
)
from followups.presets import EXCEPTIONS
from followups.rules import RuleBook
from followups.selectors import hash_token
from followups.sweep import dispatch_delivery
from herning.core.history import acting_as
from herning.organisation.selectors import team_leaders
from measures.models import Measure
from measures.services import measure_end


@dataclass(frozen=True)
class GoalReviewInput:
    goal: Goal
    status: str
    note: str = ""


@dataclass(frozen=True)
class NewGoalInput:
    what: str
    who: str
    how_measured: str
    by_when: datetime.date


@dataclass(frozen=True)
class FollowUpInput:
    """What a follow-up held says, as the follow-up page and the API take it in.

    ``decision`` END ends the measure on ``end_date`` (by default the day it was held) for
    ``ending_reason``. ``next_agreed_on`` later than the rule allows needs ``later_than_rule_reason``;
    a first follow-up under Barnets Lov decides the statutory cadence with ``cadence_reason``.
    """

    held_on: datetime.date
    form: str
    participants: str
    summary: str
    child_conversation_held: bool
    decision: str
    no_conversation_reason: str = ""
    no_conversation_ground: str = ""
    supervisory_visit: bool = False
    goal_reviews: tuple[GoalReviewInput, ...] | list[GoalReviewInput] = ()
    new_goals: tuple[NewGoalInput, ...] | list[NewGoalInput] = ()
    decision_note: str = ""
    next_agreed_on: datetime.date | None = None
    later_than_rule_reason: str = ""
    statutory_cadence_months: int | None = None
    cadence_reason: str = ""
    ending_reason: str = ""
    end_date: datetime.date | None = None


def rule_next_date(
    *, measure: Measure, held: list[engine.Held], today: datetime.date
) -> datetime.date | None:
    """The next municipal due date after the follow-ups ``held`` (what the rule allows)."""
    book = RuleBook(today)
    rule = book.rule_for(measure.case.municipality_id, measure.measure_type_id)
    if rule is None:
        return None
    schedule = engine.schedule(
        rule=rule,
        start=measure.start_date,
        held=held,
        today=today,
        legal=engine.LegalContext(applies=False),
        end=measure.actual_end,
    )
    item = schedule.next_pending(engine.FOLLOWUP)
    return item.due_date if item else None


def _journal_text(*, followup: FollowUp, reviews, new_goals, end_date) -> str:
    lines = [
        _("Opfølgning på %(measure)s afholdt %(date)s (%(form)s).")
        % {
            "measure": followup.measure.measure_type.name,
            "date": engine.format_date(followup.held_on, "da"),
            "form": followup.get_form_display().lower(),
        },
        _("Deltagere: %(who)s") % {"who": followup.participants},
    ]
    if followup.supervisory_visit:
        lines.append(_("Tilsynsbesøg på anbringelsesstedet."))
    if followup.child_conversation_held:
        lines.append(_("Børnesamtale afholdt."))
    else:
        lines.append(_("Ingen børnesamtale: %(why)s") % {"why": followup.no_conversation_reason})
        if followup.no_conversation_ground:
            lines.append(str(followup.get_no_conversation_ground_display()) + ".")
    lines += ["", followup.summary, ""]
    if reviews:
        lines.append(_("Mål gennemgået:"))
        for review in reviews:
            status = dict(Goal.Status.choices)[review.status]
            note = f" ({review.note})" if review.note else ""
            lines.append(f"- {review.goal.what}: {status}{note}")
    if new_goals:
        lines.append(_("Nye mål:"))
        for goal in new_goals:
            lines.append(f"- {goal.what} ({goal.who}, {engine.format_date(goal.by_when, 'da')})")
    lines.append(_("Beslutning: %(decision)s.") % {"decision": followup.get_decision_display()})
    if followup.decision_note:
        lines.append(followup.decision_note)
    if end_date:
        lines.append(_("Indsatsen slutter %(date)s.") % {"date": engine.format_date(end_date, "da")})
    if followup.next_agreed_on:
        lines.append(
            _("Næste opfølgning aftalt til %(date)s.")
            % {"date": engine.format_date(followup.next_agreed_on, "da")}
        )
        if followup.later_than_rule_reason:
            lines.append(_("Senere end reglen, fordi: %(why)s") % {"why": followup.later_than_rule_reason})
        if followup.later_state == LaterDate.REQUESTED:
            lines.append(
                _(
                    "Den senere dato afventer teamlederens godkendelse; indtil da gælder reglens dato %(date)s."
                )
                % {"date": engine.format_date(followup.later_rule_date, "da")}
            )
    if followup.statutory_cadence_months:
        lines.append(
            _("Lovpligtig opfølgning fremover hver %(n)s. måned: %(why)s")
            % {"n": followup.statutory_cadence_months, "why": followup.cadence_reason}
        )
    return "\n".join(lines).strip()


def _check_dates(
    *, measure: Measure, data: FollowUpInput, held: list[engine.Held], today
) -> tuple[dict[str, str], datetime.date | None]:
    """When it was held, the statutory cadence, the next date agreed; and the rule's next date when
    the date agreed is later than it (a request to the team leader, docs/deadlines.md)."""
    errors: dict[str, str] = {}
    later_than: datetime.date | None = None
    if data.held_on > today:
        errors["held_on"] = _("En opfølgning kan ikke registreres, før den er afholdt.")
    elif data.held_on < measure.start_date:
        errors["held_on"] = _("Opfølgningen kan ikke ligge før indsatsen startede.")
    elif measure.actual_end and data.held_on > measure.actual_end:
        errors["held_on"] = _("Indsatsen var afsluttet på den dato.")
    if "held_on" not in errors and engine.decides_cadence([h.held_on for h in held], data.held_on):
        # Barnets Lov § 95, stk. 3: the future cadence is decided at the first follow-up, with reasons.
        if not data.cadence_reason.strip():
            errors["cadence_reason"] = _(
                "Ved første opfølgning besluttes, hvor ofte der følges op fremover (Barnets Lov § 95, stk. 3). "
                "Skriv begrundelsen."
            )
    elif data.statutory_cadence_months and not data.cadence_reason.strip():
        errors["cadence_reason"] = _("Skriv begrundelsen for den nye kadence.")
    if data.next_agreed_on is not None and "held_on" not in errors:
        if data.next_agreed_on <= data.held_on:
            errors["next_agreed_on"] = _("Næste opfølgning skal ligge efter denne.")
        else:
            allowed = rule_next_date(
                measure=measure, held=[*held, engine.Held(held_on=data.held_on)], today=today
            )
            if allowed and data.next_agreed_on > allowed:
                later_than = allowed
                if not data.later_than_rule_reason.strip():
                    errors["later_than_rule_reason"] = _(
                        "Reglen kræver næste opfølgning senest %(date)s. Skriv, hvorfor den aftalte dato "
                        "er senere; teamlederen skal godkende den."
                    ) % {"date": engine.format_date(allowed, "da")}
    return errors, later_than


def _check_content(*, data: FollowUpInput, end_date, plan: Plan | None, plan_goals: dict) -> dict[str, str]:
    """The child conversation, the decision to end, the goals reviewed and added."""
    errors: dict[str, str] = {}
    # A written status received from the provider is a document, not a conversation
    # (docs/deadlines.md): no reason is asked for the missing child conversation.
    document = data.form == engine.DOCUMENT
    if document and data.child_conversation_held:
        errors["child_conversation_held"] = _("En skriftlig status er ikke en samtale med barnet.")
    if not document and not data.child_conversation_held and not data.no_conversation_reason.strip():
        errors["no_conversation_reason"] = _("Skriv, hvorfor der ikke blev holdt en børnesamtale.")
    if data.no_conversation_ground and data.no_conversation_ground not in NoConversationGround.values:
        errors["no_conversation_ground"] = _("Vælg en af lovens grunde eller ingen.")
    elif data.no_conversation_ground and data.child_conversation_held:
        errors["no_conversation_ground"] = _("Der blev holdt en børnesamtale; vælg ingen grund.")
    if data.supervisory_visit and data.form != Form.MEETING:
        # SEL § 148, stk. 3 / Barnets Lov § 156, stk. 5: a supervisory visit is a visit.
        errors["supervisory_visit"] = _(
            "Et tilsynsbesøg er et besøg på anbringelsesstedet (Barnets Lov § 156, stk. 5); "
            "en opfølgning pr. telefon eller mail kan ikke registreres som tilsynsbesøg."
        )
    if data.decision == FollowUp.Decision.END:
        if not data.ending_reason:
            errors["ending_reason"] = _("Angiv årsagen til, at indsatsen afsluttes.")
        if end_date < data.held_on:
            errors["end_date"] = _("Indsatsen kan ikke slutte før opfølgningen.")
    for review in data.goal_reviews:
        if review.goal.pk not in plan_goals:
            errors["goal_reviews"] = _("Et af målene hører ikke til sagens plan.")
        elif review.status not in Goal.Status.values:
            errors["goal_reviews"] = _("Vælg en gyldig status for hvert mål.")
    if data.new_goals and plan is None:
        errors["new_goals"] = _("Sagen har ingen plan endnu; nye mål skrives i planen.")
    return errors


def _write_to_case(
    *, followup: FollowUp, data: FollowUpInput, plan: Plan | None, end_date, recorded_by, today
) -> JournalNote:
    """The goals reviewed and added, and the journal note, written by the cases app's services."""
    case = followup.measure.case
    if data.goal_reviews:
        case_services.goal_statuses_set(
            case=case,
            statuses={r.goal.pk: (r.status, r.note) for r in data.goal_reviews},
            updated_by=recorded_by,
        )
    if data.new_goals:
        case_services.goals_add(
            plan=plan,
            goals=[
                case_services.GoalData(what=g.what, who=g.who, how_measured=g.how_measured, by_when=g.by_when)
                for g in data.new_goals
            ],
            added_by=recorded_by,
        )
    with translation.override("da"):
        text = _journal_text(
            followup=followup, reviews=data.goal_reviews, new_goals=data.new_goals, end_date=end_date
        )
    return case_services.journal_add(
        case=case,
        heading=(
            JournalNote.Heading.CHILD_CONVERSATION
            if data.child_conversation_held
            else JournalNote.Heading.FOLLOW_UP
        ),
        occurred_on=data.held_on,
        text=text,
        written_by=recorded_by,
        today=today,
    )


@transaction.atomic
def followup_record(
    *, measure: Measure, recorded_by, data: FollowUpInput, today: datetime.date | None = None
) -> FollowUp:
    """Record a follow-up held on ``measure``; write the journal note (headed "Børnesamtale" when
    the child was spoken to), review the plan's goals, add new ones, end the measure if so decided,
    and recompute the measure's deadlines."""
    today = today or timezone.localdate()
    measure = (
        Measure.objects.for_system()
        .select_for_update()
        .select_related("case", "measure_type", "legal_basis")
        .get(pk=measure.pk)
    )
    case = measure.case
    require(recorded_by, Action.RECORD_FOLLOWUP, case)
    held = [f.to_engine() for f in FollowUp.objects.for_system().filter(measure=measure).order_by("held_on")]
    statutory_cadence_months = data.statutory_cadence_months
    if data.held_on <= today and engine.decides_cadence([h.held_on for h in held], data.held_on):
        statutory_cadence_months = statutory_cadence_months or engine.LEGAL_DEFAULT_CADENCE
    end_date = (data.end_date or data.held_on) if data.decision == FollowUp.Decision.END else None
    plan = current_plan(case)
    plan_goals = (
        {g.pk: g for g in Goal.objects.for_system().filter(plan__case=case)}
        if data.goal_reviews or data.new_goals
        else {}
    )
    errors, later_than = _check_dates(measure=measure, data=data, held=held, today=today)
    errors.update(_check_content(data=data, end_date=end_date, plan=plan, plan_goals=plan_goals))
    if errors:
        raise ValidationError(errors)

    followup = FollowUp(
        measure=measure,
        held_on=data.held_on,
        form=data.form,
        participants=data.participants,
        supervisory_visit=data.supervisory_visit,
        child_conversation_held=data.child_conversation_held,
        no_conversation_reason="" if data.child_conversation_held else data.no_conversation_reason,
        no_conversation_ground="" if data.child_conversation_held else data.no_conversation_ground,
        summary=data.summary,
        decision=data.decision,
        decision_note=data.decision_note,
        next_agreed_on=data.next_agreed_on,
        later_than_rule_reason=data.later_than_rule_reason,
        later_state=LaterDate.REQUESTED if later_than else "",
        later_rule_date=later_than,
        statutory_cadence_months=statutory_cadence_months,
        cadence_reason=data.cadence_reason,
        recorded_by=recorded_by,
    )
    followup.full_clean(exclude=["journal_note"])
    followup.journal_note = _write_to_case(
        followup=followup, data=data, plan=plan, end_date=end_date, recorded_by=recorded_by, today=today
    )
    followup.save()
    for r in data.goal_reviews:
        review = GoalReview(follow_up=followup, goal=plan_goals[r.goal.pk], status=r.status, note=r.note)
        review.full_clean()
        review.save()
    if end_date is not None:
        measure_end(
            measure=measure,
            end_date=end_date,
            ending_reason=data.ending_reason,
            ended_by=recorded_by,
            ending_note=data.decision_note,
        )
    else:
        obligations.changed("measure", [measure.pk], today=today)
    if later_than:
        _notify_later_date(followup)
    return followup


# --- A later date than the rule allows --------------------------------------------------------


def _notify_later_date(followup: FollowUp) -> None:
    """The team leaders of the case's team hear of a later date awaiting their approval."""
    case = followup.measure.case
    if case.team_id is None:
        return
    with translation.override("da"):
        emails.notify_after_commit(
            recipients=list(team_leaders(team=case.team)),
            subject=_("Senere opfølgningsdato til godkendelse på sag nr. %(pk)s") % {"pk": case.pk},
            body=_(
                "%(who)s har aftalt næste opfølgning på sag nr. %(pk)s til %(agreed)s. Reglen kræver "
                "senest %(rule)s, og fristen flyttes først, når du har godkendt det.\n\n"
                "Begrundelse: %(why)s\n\nGodkend eller afvis: %(url)s"
            )
            % {
                "who": followup.recorded_by,
                "pk": case.pk,
                "agreed": engine.format_date(followup.next_agreed_on, "da"),
                "rule": engine.format_date(followup.later_rule_date, "da"),
                "why": followup.later_than_rule_reason,
                "url": settings.BASE_URL + reverse("followups:exceptions"),
            },
        )


@transaction.atomic
def later_date_decide(*, followup: FollowUp, approve: bool, decided_by, reason: str) -> FollowUp:
    """The team leader of the case's team approves or refuses a next date agreed later than the
    rule allows, with reasons; approved, the deadline moves to it (docs/deadlines.md)."""
    followup = (
        FollowUp.objects.for_system().select_for_update().select_related("measure__case").get(pk=followup.pk)
    )
    require(decided_by, Action.APPROVE_EXCEPTION, followup.measure.case)
    if followup.later_state != LaterDate.REQUESTED:
        raise ValidationError(_("Anmodningen er allerede behandlet."))
    if not reason.strip():
        raise ValidationError({"decision_reason": _("Skriv begrundelsen for beslutningen.")})
    followup.later_state = LaterDate.APPROVED if approve else LaterDate.REFUSED
    followup.later_decided_by, followup.later_decided_at = decided_by, timezone.now()
    followup.later_decision_reason = reason.strip()
    followup.full_clean(exclude=["journal_note"])
    with acting_as(decided_by):  # the history names the team leader, from the page, API or shell
        followup.save(
            update_fields=["later_state", "later_decided_by", "later_decided_at", "later_decision_reason"]
        )
    obligations.changed("measure", [followup.measure_id])
    return followup


# --- Exceptions -------------------------------------------------------------------------------


def exception_applies(kind: str, measure: Measure) -> bool:
    spec, measure_type = EXCEPTIONS[kind], measure.measure_type
    return (
        measure_type.placement_category in spec["categories"]
        or (spec["placements"] and measure_type.is_placement)
        or bool(spec["type_flag"] and getattr(measure_type, spec["type_flag"]))
    )


@transaction.atomic
def exception_request(
    *,
    measure: Measure,
    kind: str,
    reason: str,
    requested_by,
    distance_km: int | None = None,
    youth_age: int | None = None,
) -> FollowUpException:
    """Ask the team leader for an exception from the rule (it applies only once approved). The
    far-away exception records the distance and the young person's age it rests on."""
    measure = Measure.objects.for_system().select_related("case", "measure_type").get(pk=measure.pk)
    require(requested_by, Action.REQUEST_EXCEPTION, measure.case)
    if kind not in EXCEPTIONS:
        raise ValidationError({"kind": _("Vælg en af undtagelserne.")})
    if not exception_applies(kind, measure):
        raise ValidationError({"kind": _("Undtagelsen gælder ikke for denne type indsats.")})
    exc = FollowUpException(
        measure=measure,
        kind=kind,
        reason=reason.strip(),
        requested_by=requested_by,
        distance_km=distance_km,
        youth_age=youth_age,
    )
    exc.full_clean()
    exc.save()
    return exc


@transaction.atomic
def exception_decide(
    *, exception: FollowUpException, approve: bool, decided_by, reason: str
) -> FollowUpException:
    """The team leader of the case's team approves or rejects a requested exception, with reasons."""
    exception = (
        FollowUpException.objects.for_system()
        .select_for_update()
        .select_related("measure__case")
        .get(pk=exception.pk)
    )
    require(decided_by, Action.APPROVE_EXCEPTION, exception.measure.case)
    if exception.state != FollowUpException.State.REQUESTED:
        raise ValidationError(_("Anmodningen er allerede behandlet."))
    if not reason.strip():
        raise ValidationError({"decision_reason": _("Skriv begrundelsen for beslutningen.")})
    exception.state = FollowUpException.State.APPROVED if approve else FollowUpException.State.REJECTED
    exception.decided_by, exception.decided_at, exception.decision_reason = (
        decided_by,
        timezone.now(),
        reason.strip(),
    )
    exception.full_clean()
    exception.save()
    obligations.changed("measure", [exception.measure_id])
    return exception


@transaction.atomic
def exception_revoke(*, exception: FollowUpException, revoked_by, reason: str) -> FollowUpException:
    """The team leader ends an approved exception; the rule applies in full again."""
    exception = (
        FollowUpException.objects.for_system()
        .select_for_update()
        .select_related("measure__case")
        .get(pk=exception.pk)
    )
    require(revoked_by, Action.APPROVE_EXCEPTION, exception.measure.case)
    if exception.state != FollowUpException.State.APPROVED:
        raise ValidationError(_("Kun en godkendt undtagelse kan tilbagekaldes."))
    if not reason.strip():
        raise ValidationError({"decision_reason": _("Skriv begrundelsen for beslutningen.")})
    exception.state = FollowUpException.State.REVOKED
    exception.decided_by, exception.decided_at, exception.decision_reason = (
        revoked_by,
        timezone.now(),
        reason.strip(),
    )
    exception.full_clean()
    exception.save()
    obligations.changed("measure", [exception.measure_id])
    return exception


# --- Rule sets -------------------------------------------------------------------------------


@transaction.atomic
def rule_set_copy(*, rule_set: RuleSet, municipality) -> RuleSet:
    """An editable copy of a rule set with all its rules, for ``municipality``."""
    name = _("Kopi af %(name)s") % {"name": rule_set.name}
    candidate, n = str(name), 2
    while RuleSet.objects.filter(municipality=municipality, name=candidate).exists():
        candidate, n = f"{name} ({n})", n + 1
    copy = RuleSet(
        name=candidate,
        municipality=municipality,
        valid_from=rule_set.valid_from,
        valid_to=rule_set.valid_to,
        source=rule_set.source,
        description=rule_set.description,
    )
    copy.full_clean()
    copy.save()
    for rule in rule_set.rules.prefetch_related("milestones", "phases"):
        milestones, phases = list(rule.milestones.all()), list(rule.phases.all())
        rule.pk, rule.id, rule.rule_set = None, None, copy
        rule.save()
        for m in milestones:
            m.pk, m.id, m.rule = None, None, rule
            m.save()
        for p in phases:
            p.pk, p.id, p.rule = None, None, rule
            p.save()
    return copy


# --- Reminders and the calendar ---------------------------------------------------------------


def reminders_mark_read(*, user, ids: list[int] | None = None) -> int:
    rows = Reminder.objects.for_system().filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


@transaction.atomic
def calendar_token_create(*, user) -> str:
    """A new secret for ``user``'s calendar feed, replacing any old one. Returned once; only its
    hash is kept."""
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.filter(user=user).delete()
    row = CalendarToken(user=user, token_hash=hash_token(token))
    row.full_clean()
    row.save()
    return token


def calendar_token_revoke(*, user) -> bool:
    deleted, _rows = CalendarToken.objects.filter(user=user).delete()
    return bool(deleted)


def calendar_token_used(*, user) -> None:
    CalendarToken.objects.filter(user=user).update(last_used_at=timezone.now())


def reminder_settings_for(user) -> ReminderSettings:
    """``user``'s reminder settings; the defaults (not saved) when they never chose."""
    return ReminderSettings.objects.filter(user=user).first() or ReminderSettings(user=user)


@transaction.atomic
def reminder_settings_update(*, user, escalations_immediately: bool) -> ReminderSettings:
    """A person's own choice (nobody else's): escalations mailed one by one, or in the daily
    digest. Escalations already waiting for the digest follow the new choice at once, so turning
    immediate mails on never leaves one waiting until tomorrow."""
    row = ReminderSettings.objects.select_for_update().filter(user=user).first() or ReminderSettings(
        user=user
    )
    if row.pk and row.escalations_immediately == escalations_immediately:
        return row
    row.escalations_immediately = escalations_immediately
    row.full_clean()
    row.save()
    if escalations_immediately:
        now = timezone.now()
        moved = (
            Reminder.objects.for_system()
            .filter(recipient=user, email_state=Reminder.EmailState.DIGEST)
            .update(email_state=Reminder.EmailState.PENDING, next_attempt_at=now)
        )
        if moved:
            transaction.on_commit(dispatch_delivery)
    return row
