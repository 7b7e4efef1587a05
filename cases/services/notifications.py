"""Notifications (underretninger): registering, the 24-hour assessment, the receipt and the feedback
to a professional notifier, the screening of the child's need for help (Barnets Lov § 18)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines, emails, obligations
from cases.models import (
    Case,
    CaseState,
    Child,
    Notification,
)
from cases.permissions import Action, require
from cases.services.case import case_open
from herning.core import law
from herning.core.dates import EARLIEST_READ
from herning.core.history import acting_as
from herning.organisation.calendar import calendar_for
from herning.organisation.models import User
from herning.organisation.selectors import duty_advisor_on, team_leaders


def _check_notifier(
    *,
    received_at: datetime.datetime,
    now: datetime.datetime,
    notifier_kind: str,
    notifier_name: str,
    notifier_organisation: str,
    notifier_email: str,
    notifier_phone: str,
) -> None:
    """A notification received in the past, but not before any record could be (1900: a date typed
    as 0001-01-01 would otherwise overflow when its deadlines are counted); a professional notifier
    named and reachable for the receipt (an anonymous one leaves nothing to check)."""
    errors = {}
    if received_at > now + datetime.timedelta(minutes=5):
        errors["received_at"] = _("Modtagelsestidspunktet kan ikke ligge i fremtiden.")
    elif received_at.date() < EARLIEST_READ:
        errors["received_at"] = _("Modtagelsestidspunktet kan ikke ligge før %(first)s.") % {
            "first": EARLIEST_READ.strftime("%d.%m.%Y")
        }
    if notifier_kind == Notification.NotifierKind.PROFESSIONAL:
        if not notifier_name.strip():
            errors["notifier_name"] = _("En fagperson kan ikke være anonym: angiv navnet.")
        if not (notifier_organisation.strip() or notifier_email.strip() or notifier_phone.strip()):
            errors["notifier_organisation"] = _(
                "Angiv arbejdssted, e-mail eller telefon, så fagpersonen kan få en kvittering."
            )
    if errors:
        raise ValidationError(errors)


def _notify_registered(notification: Notification, *, copy_to_advisor: bool) -> None:
    """The duty advisor gets the notification to assess; the case's advisor a copy (after commit)."""
    case, child = notification.case, notification.child
    due = timezone.localtime(notification.assessment_due_at)
    emails.notify_after_commit(
        recipients=[notification.duty_advisor],
        subject=_("Ny underretning til 24-timers vurdering"),
        body=_(
            "Der er registreret en ny underretning i %(district)s. Den skal vurderes senest %(due)s.\n\n"
            "Se sagen: %(url)s"
        )
        % {"district": child.district, "due": f"{due:%d.%m.%Y kl. %H:%M}", "url": emails.case_url(case)},
    )
    if copy_to_advisor:
        emails.notify_after_commit(
            recipients=[case.advisor],
            subject=_("Ny underretning på sag nr. %(pk)s") % {"pk": case.pk},
            body=_(
                "Der er kommet en ny underretning på din sag nr. %(pk)s. Vagten foretager 24-timers "
                "vurderingen.\n\nSe sagen: %(url)s"
            )
            % {"pk": case.pk, "url": emails.case_url(case)},
        )


def _due_dates(*, child: Child, received_at: datetime.datetime, notifier_kind: str) -> dict:
    """The deadlines a notification gets at registration: the receipt and the feedback to a
    professional notifier (SEL § 155 b / Barnets Lov § 136) and the screening (Barnets Lov § 18,
    under the regime in force on the day of receipt). Working days are the receiving
    municipality's (``herning.organisation.calendar``)."""
    regime = law.regime_on(timezone.localdate(received_at))
    professional = notifier_kind == Notification.NotifierKind.PROFESSIONAL
    calendar = calendar_for(child.municipality_id)
    return {
        "receipt_due_on": deadlines.receipt_due(received_at, calendar) if professional else None,
        "feedback_due_on": (
            deadlines.feedback_due(received_at) if professional and regime.feedback is not None else None
        ),
        "screening_due_on": (
            deadlines.screening_due(received_at, calendar, child.municipality.screening_working_days)
            if regime.screening is not None
            else None
        ),
    }


@transaction.atomic
def notification_register(
    *,
    child: Child,
    received_at: datetime.datetime,
    notifier_kind: str,
    concern: str,
    registered_by: User,
    notifier_name: str = "",
    notifier_organisation: str = "",
    notifier_email: str = "",
    notifier_phone: str = "",
) -> Notification:
    """Register a received notification and send it to the district's duty advisor.

    Herning's intake (Herningmodellen 1.0 "Håndtering af nye underretninger"): the duty advisor of the
    child's district makes the 24-hour assessment; a known child's case advisor gets a copy; a
    child without an open case gets a new case that the team leader gives an advisor.
    """
    now = timezone.now()
    notifier = {
        "notifier_name": notifier_name,
        "notifier_organisation": notifier_organisation,
        "notifier_email": notifier_email,
        "notifier_phone": notifier_phone,
    }
    _check_notifier(received_at=received_at, now=now, notifier_kind=notifier_kind, **notifier)
    if notifier_kind == Notification.NotifierKind.ANONYMOUS:
        notifier = dict.fromkeys(notifier, "")
    with acting_as(registered_by):
        case = Case.objects.for_system().open().select_for_update().filter(child=child).first()
        known = case is not None
        if case is None:
            case = case_open(
                child=child,
                opened_by=registered_by,
                state=CaseState.NOTIFICATION,
                opened_on=timezone.localdate(received_at),
            )
        notification = Notification(
            municipality_id=child.municipality_id,
            child=child,
            case=case,
            district_id=child.district_id,
            received_at=received_at,
            notifier_kind=notifier_kind,
            **notifier,
            concern=concern,
            registered_by=registered_by,
            registered_at=now,
            duty_advisor=duty_advisor_on(district=child.district, day=timezone.localdate(now)),
            assessment_due_at=deadlines.assessment_due(received_at),
            **_due_dates(child=child, received_at=received_at, notifier_kind=notifier_kind),
        )
        if known and case.advisor_id:
            notification.advisor_informed_at = now
        notification.full_clean()
        notification.save()
    obligations.changed("notification", [notification.pk])
    _notify_registered(notification, copy_to_advisor=known and bool(case.advisor_id))
    return notification


@transaction.atomic
def notification_assess(
    *,
    notification: Notification,
    acute_danger: bool,
    action: str,
    assessed_by: User,
    assessed_at: datetime.datetime | None = None,
) -> Notification:
    """Record the 24-hour assessment: is the child in acute danger, and what was done."""
    notification = (
        Notification.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("case")
        .get(pk=notification.pk)
    )
    if notification.assessed_at is not None:
        raise ValidationError(_("Underretningen er allerede vurderet."))
    assessed_at = assessed_at or timezone.now()
    errors = {}
    if acute_danger is None:
        errors["acute_danger"] = _("Angiv om barnet er i akut fare.")
    if not (action or "").strip():
        errors["assessment_action"] = _("Beskriv hvad der blev gjort.")
    if assessed_at < notification.received_at:
        errors["assessed_at"] = _("Vurderingen kan ikke ligge før underretningen blev modtaget.")
    if errors:
        raise ValidationError(errors)
    require(assessed_by, Action.ASSESS_NOTIFICATION, notification)
    notification.assessed_at = assessed_at
    notification.assessed_by = assessed_by
    notification.acute_danger = acute_danger
    notification.assessment_action = action.strip()
    case = notification.case
    if case is not None and case.advisor_id:
        notification.advisor_informed_at = assessed_at
    with acting_as(assessed_by):
        notification.full_clean()
        notification.save()
    obligations.changed("notification", [notification.pk])
    if case is None:
        return notification
    danger = (
        _("Barnet vurderes at være i akut fare.")
        if acute_danger
        else _("Barnet vurderes ikke at være i akut fare.")
    )
    if case.advisor_id:
        emails.notify_after_commit(
            recipients=[case.advisor],
            subject=_("24-timers vurdering foretaget på sag nr. %(pk)s") % {"pk": case.pk},
            body=_(
                "%(by)s har foretaget 24-timers vurderingen af en ny underretning. %(danger)s\n\nSe sagen: %(url)s"
            )
            % {"by": assessed_by, "danger": danger, "url": emails.case_url(case)},
        )
    else:
        emails.notify_after_commit(
            recipients=list(team_leaders(team=case.team)),
            subject=_("Ny sag til fordeling i %(team)s") % {"team": case.team},
            body=_(
                "En underretning om et barn uden åben sag er 24-timers vurderet. %(danger)s "
                "Sag nr. %(pk)s venter på en rådgiver.\n\nSe sagen: %(url)s"
            )
            % {"danger": danger, "pk": case.pk, "url": emails.case_url(case)},
        )
    return notification


@transaction.atomic
def notification_receipt_sent(
    *, notification: Notification, sent_on: datetime.date, sent_by: User
) -> Notification:
    """Record that a professional notifier got the receipt (SEL § 155 b / BL § 136)."""
    notification = Notification.objects.for_system().select_for_update().get(pk=notification.pk)
    if notification.notifier_kind != Notification.NotifierKind.PROFESSIONAL:
        raise ValidationError(_("Kun en fagperson, der underretter, skal have en kvittering."))
    if notification.receipt_sent_on is not None:
        raise ValidationError(_("Kvitteringen er allerede registreret som sendt."))
    if sent_on < timezone.localdate(notification.received_at):
        raise ValidationError(
            {"receipt_sent_on": _("Kvitteringen kan ikke være sendt før underretningen kom.")}
        )
    if sent_on > timezone.localdate():
        raise ValidationError({"receipt_sent_on": _("Datoen kan ikke ligge i fremtiden.")})
    require(sent_by, Action.RECORD_RECEIPT, notification)
    notification.receipt_sent_on = sent_on
    with acting_as(sent_by):
        notification.full_clean()
        notification.save()
    obligations.changed("notification", [notification.pk])
    return notification


def _check_recorded_on(notification: Notification, day: datetime.date, field: str) -> None:
    if day is None:
        raise ValidationError({field: _("Angiv datoen.")})
    if day < timezone.localdate(notification.received_at):
        raise ValidationError({field: _("Datoen kan ikke ligge før underretningen kom.")})
    if day > timezone.localdate():
        raise ValidationError({field: _("Datoen kan ikke ligge i fremtiden.")})


@transaction.atomic
def notification_screen(
    *, notification: Notification, outcome: str, screened_on: datetime.date, screened_by: User
) -> Notification:
    """Record the screening of the child's need for help (Barnets Lov § 18, stk. 1): no further
    clarification, a clarification of one or more matters (§ 19) or an investigation (§§ 20-22)."""
    notification = (
        Notification.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("case")
        .get(pk=notification.pk)
    )
    if notification.screened_on is not None:
        raise ValidationError(_("Underretningen er allerede screenet."))
    if notification.screening_due_on is None:
        raise ValidationError(
            _("Underretningen er modtaget før barnets lov og skal ikke screenes efter § 18.")
        )
    if outcome not in Notification.ScreeningOutcome.values:
        raise ValidationError({"screening_outcome": _("Vælg screeningens resultat.")})
    _check_recorded_on(notification, screened_on, "screened_on")
    require(screened_by, Action.SCREEN_NOTIFICATION, notification)
    notification.screened_on = screened_on
    notification.screening_outcome = outcome
    notification.screened_by = screened_by
    with acting_as(screened_by):
        notification.full_clean()
        notification.save()
    obligations.changed("notification", [notification.pk])
    return notification


@transaction.atomic
def notification_feedback_sent(
    *, notification: Notification, outcome: str, sent_on: datetime.date, sent_by: User
) -> Notification:
    """Record that a professional notifier was told whether an investigation or a measure was
    started for the child (SEL § 155 b, stk. 2 / Barnets Lov § 136)."""
    notification = (
        Notification.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("case")
        .get(pk=notification.pk)
    )
    if notification.notifier_kind != Notification.NotifierKind.PROFESSIONAL:
        raise ValidationError(_("Kun en fagperson, der underretter, skal have en tilbagemelding."))
    if notification.feedback_sent_on is not None:
        raise ValidationError(_("Tilbagemeldingen er allerede registreret."))
    if outcome not in Notification.FeedbackOutcome.values:
        raise ValidationError({"feedback_outcome": _("Vælg hvad underretteren fik at vide.")})
    _check_recorded_on(notification, sent_on, "feedback_sent_on")
    require(sent_by, Action.RECORD_FEEDBACK, notification)
    notification.feedback_sent_on = sent_on
    notification.feedback_outcome = outcome
    with acting_as(sent_by):
        notification.full_clean()
        notification.save()
    obligations.changed("notification", [notification.pk])
    return notification
