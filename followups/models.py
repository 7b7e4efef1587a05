"""Follow-up (opfølgning): rule sets, follow-ups held, exceptions, the deadline table and reminders.

Rules are data (docs/domain.md §3): a ``RuleSet`` holds a ``Rule`` per measure type, each with its
milestones and recurring phases; the presets "Herningmodellen 1.0" and "Hvidovre 2014" ship with
the product (``followups.presets``), a municipality chooses one (``MunicipalityRuleSet``) and an
administrator copies and edits one in the admin. The schedule itself is computed by the pure
engine (``followups.engine``) and materialised in ``Deadline``, which the reminder sweep reads.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.access import CaseDataQuerySet
from cases.models import Goal
from followups import engine
from herning.core import law


class Unit(models.TextChoices):
    WEEKS = engine.WEEKS, _("uger")
    MONTHS = engine.MONTHS, _("måneder")


class Form(models.TextChoices):
    """How a follow-up is held (Herningmodellen 1.0: meeting, phone, mail)."""

    MEETING = engine.MEETING, _("Møde")
    PHONE = engine.PHONE, _("Telefon")
    MAIL = engine.MAIL, _("Mail")
    # A written status received from the provider (docs/deadlines.md): not a way a rule's
    # follow-ups may be held, so not offered among a rule's allowed forms.
    DOCUMENT = engine.DOCUMENT, _("Skriftlig status modtaget")


# The forms a rule may allow for its follow-ups.
HELD_FORMS = [engine.MEETING, engine.PHONE, engine.MAIL]


def _validate_forms(value) -> None:
    if not isinstance(value, list) or not value or any(v not in HELD_FORMS for v in value):
        raise ValidationError(_("Vælg mindst én tilladt form: møde, telefon eller mail."))


def _all_forms() -> list[str]:
    return list(HELD_FORMS)


class RuleSet(models.Model):
    """A named set of follow-up rules, one per measure type, valid for a period.

    A rule set without a municipality is a shared preset; presets are read-only in the admin and
    are copied to be changed (admin action "Kopiér").
    """

    name = models.CharField(_("navn"), max_length=120)
    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followup_rule_sets",
        verbose_name=_("kommune"),
        help_text=_("Tom for en fælles skabelon, som alle kommuner kan vælge."),
    )
    valid_from = models.DateField(_("gælder fra"))
    valid_to = models.DateField(_("gælder til"), null=True, blank=True)
    source = models.CharField(
        _("kilde"), max_length=250, blank=True, help_text=_("Det dokument, reglerne kommer fra.")
    )
    description = models.TextField(_("beskrivelse"), blank=True)
    is_preset = models.BooleanField(_("leveret skabelon"), default=False, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regelsæt for opfølgning")
        verbose_name_plural = _("regelsæt for opfølgning")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(municipality__isnull=True),
                name="ruleset_unique_shared_name",
                violation_error_message=_("Der findes allerede en fælles skabelon med det navn."),
            ),
            models.UniqueConstraint(
                fields=["municipality", "name"],
                condition=models.Q(municipality__isnull=False),
                name="ruleset_unique_name_per_municipality",
                violation_error_message=_("Kommunen har allerede et regelsæt med det navn."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="ruleset_period_ordered",
                violation_error_message=_("'Gælder til' kan ikke ligge før 'gælder fra'."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Rule(models.Model):
    """The follow-up rule of one measure type in a rule set: milestones from the start, recurring
    phases after the previous follow-up, an end of the programme, child conversation and forms."""

    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("regelsæt")
    )
    measure_type = models.ForeignKey(
        "measures.MeasureType",
        on_delete=models.PROTECT,
        related_name="followup_rules",
        verbose_name=_("indsatstype"),
    )
    programme_end_amount = models.PositiveSmallIntegerField(
        _("forløbet slutter efter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Fx 5 (måneder) for MST. Tom: intet fast slutpunkt."),
    )
    programme_end_unit = models.CharField(_("enhed"), max_length=10, choices=Unit.choices, blank=True)
    child_conversation_required = models.BooleanField(_("børnesamtale ved hver opfølgning"), default=True)
    allowed_forms = models.JSONField(
        _("tilladte former"),
        default=_all_forms,
        validators=[_validate_forms],
        help_text=_("møde, telefon, mail"),
    )
    note = models.TextField(_("regel i ord og kilde"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opfølgningsregel")
        verbose_name_plural = _("opfølgningsregler")
        ordering = ["rule_set", "measure_type__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "measure_type"],
                name="rule_one_per_measure_type",
                violation_error_message=_("Regelsættet har allerede en regel for den indsatstype."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set}: {self.measure_type}"

    def clean(self) -> None:
        if bool(self.programme_end_amount) != bool(self.programme_end_unit):
            raise ValidationError(
                {"programme_end_unit": _("Angiv både antal og enhed for forløbets slutpunkt.")}
            )

    def to_engine(self, *, milestones=None, phases=None) -> engine.Rule:
        """The rule as the engine's plain data (pass prefetched milestones and phases in bulk)."""
        milestones = self.milestones.all() if milestones is None else milestones
        phases = self.phases.all() if phases is None else phases
        return engine.Rule(
            rule_set=self.rule_set.name,
            measure_da=self.measure_type.name,
            measure_en=self.measure_type.name_en or self.measure_type.name,
            code=self.measure_type.code,
            milestones=tuple(
                sorted(
                    (
                        engine.Milestone(
                            engine.Period(m.amount, m.unit), m.purpose, m.purpose_en, m.written_status
                        )
                        for m in milestones
                    ),
                    key=lambda m: m.offset.approximate_days,
                )
            ),
            phases=tuple(
                engine.Phase(
                    engine.Period(p.every_amount, p.every_unit),
                    engine.Period(p.until_amount, p.until_unit) if p.until_amount else None,
                    p.from_start,
                )
                for p in sorted(phases, key=lambda p: (p.order, p.pk or 0))
            ),
            programme_end=(
                engine.Period(self.programme_end_amount, self.programme_end_unit)
                if self.programme_end_amount
                else None
            ),
            child_conversation_required=self.child_conversation_required,
            allowed_forms=tuple(f for f in HELD_FORMS if f in self.allowed_forms),
        )


class RuleMilestone(models.Model):
    """A follow-up at a fixed distance from the start (4 weeks, 3 months, …) with its purpose."""

    rule = models.ForeignKey(
        Rule, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("regel")
    )
    amount = models.PositiveSmallIntegerField(_("efter"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("enhed"), max_length=10, choices=Unit.choices)
    purpose = models.CharField(_("formål"), max_length=250, blank=True)
    purpose_en = models.CharField(_("formål (engelsk)"), max_length=250, blank=True)
    written_status = models.BooleanField(
        _("skriftlig status fra leverandøren"),
        default=False,
        help_text=_(
            "Punktet er en skriftlig status, som modtages fra leverandøren (fx Familiecenteret ved 8 "
            "måneder): ingen børnesamtale, registreres som »skriftlig status modtaget«."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fast opfølgning")
        verbose_name_plural = _("faste opfølgninger efter start")
        ordering = ["rule", "unit", "amount"]

    def __str__(self) -> str:
        return f"{self.amount} {self.get_unit_display()}"


class RulePhase(models.Model):
    """A recurring interval after the previous follow-up, in force until a distance from the start
    (e.g. every 6 weeks the first 12 months, then every 3 months)."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="phases", verbose_name=_("regel"))
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    every_amount = models.PositiveSmallIntegerField(_("hver"), validators=[MinValueValidator(1)])
    every_unit = models.CharField(_("enhed"), max_length=10, choices=Unit.choices)
    until_amount = models.PositiveSmallIntegerField(
        _("indtil"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Tom: resten af forløbet."),
    )
    until_unit = models.CharField(_("enhed (indtil)"), max_length=10, choices=Unit.choices, blank=True)
    from_start = models.BooleanField(
        _("regnet fra start"),
        default=False,
        help_text=_(
            "Intervallet regnes fra indsatsens start (ved 3, 6, 9 måneder osv.), ikke fra forrige opfølgning."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fast interval")
        verbose_name_plural = _("faste intervaller efter forrige opfølgning")
        ordering = ["rule", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.every_amount} {self.get_every_unit_display()}"

    def clean(self) -> None:
        if bool(self.until_amount) != bool(self.until_unit):
            raise ValidationError(
                {"until_unit": _("Angiv både antal og enhed for, hvor længe intervallet gælder.")}
            )


class MunicipalityRuleSet(models.Model):
    """That a municipality follows a rule set (in the rule set's period of validity)."""

    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.CASCADE,
        related_name="followup_rule_set_choices",
        verbose_name=_("kommune"),
    )
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="chosen_by", verbose_name=_("regelsæt")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kommunens regelsæt")
        verbose_name_plural = _("kommunernes regelsæt")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "rule_set"], name="municipality_rule_set_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.rule_set}"

    def clean(self) -> None:
        if not (self.municipality_id and self.rule_set_id):
            return
        if self.rule_set.municipality_id not in (None, self.municipality_id):
            raise ValidationError({"rule_set": _("Regelsættet tilhører en anden kommune.")})
        mine = self.rule_set
        for other in (
            MunicipalityRuleSet.objects.filter(municipality_id=self.municipality_id)
            .exclude(pk=self.pk)
            .select_related("rule_set")
        ):
            theirs = other.rule_set
            if mine.valid_from <= (theirs.valid_to or datetime.date.max) and theirs.valid_from <= (
                mine.valid_to or datetime.date.max
            ):
                raise ValidationError(
                    {
                        "rule_set": _(
                            "Perioden overlapper regelsættet %(other)s, som kommunen allerede følger."
                        )
                        % {"other": theirs}
                    }
                )


class ExceptionKind(models.TextChoices):
    """The exceptions of Herningmodellen 1.0 ("Undtagelser fra ovenstående retningslinjer"), each
    only "efter aftale med teamleder"."""

    CHILDHOOD_FOSTER = "childhood_foster", _("Barndomsanbringelse i plejefamilie")
    FAR_AWAY = "far_away", _("Ungeanbringelse langt væk (mere end 50 km)")
    BOARDING_SCHOOL = "boarding_school", _("Efterskoleophold efter § 52")


# The far-away exception (docs/domain.md §3, docs/deadlines.md): a placement more than 50 km from
# the municipality, of a young person: 15 (a "ung" of Barnets Lov, party to the case from 15) to 22
# (a placement kept up as aftercare runs to the 23rd birthday, Barnets Lov § 120).
FAR_AWAY_MIN_KM = 50
YOUTH_AGES = (15, 22)


class FollowUpExceptionQuerySet(CaseDataQuerySet):
    case_path = "measure__case"


class FollowUpException(models.Model):
    """A requested exception from the municipality's rule for one measure. It applies only once a
    team leader of the case's team has approved it; approval records who, when and why. It relaxes
    the form and the child conversation of the extra follow-ups, never a statutory one."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Afventer teamleder")
        APPROVED = "approved", _("Godkendt")
        REJECTED = "rejected", _("Afvist")
        REVOKED = "revoked", _("Tilbagekaldt")

    measure = models.ForeignKey(
        "measures.Measure",
        on_delete=models.PROTECT,
        related_name="followup_exceptions",
        verbose_name=_("indsats"),
    )
    kind = models.CharField(_("undtagelse"), max_length=30, choices=ExceptionKind.choices)
    reason = models.TextField(_("begrundelse"))
    # What the far-away exception rests on (Herningmodellen 1.0: "Ungeanbringelser langt væk (mere
    # end 50 km fra Herning)"): the distance and the young person's age when it was asked for.
    distance_km = models.PositiveSmallIntegerField(
        _("afstand fra kommunen (km)"),
        null=True,
        blank=True,
        help_text=_("Kun ved ungeanbringelse langt væk: mere end 50 km."),
    )
    youth_age = models.PositiveSmallIntegerField(
        _("den unges alder"),
        null=True,
        blank=True,
        help_text=_("Kun ved ungeanbringelse langt væk: den unges alder (15-22 år)."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("anmodet af")
    )
    requested_at = models.DateTimeField(_("anmodet"), default=timezone.now)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besluttet af"),
    )
    decided_at = models.DateTimeField(_("besluttet"), null=True, blank=True)
    decision_reason = models.TextField(_("begrundelse for beslutningen"), blank=True)
    objects = FollowUpExceptionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("undtagelse fra opfølgningsreglen")
        verbose_name_plural = _("undtagelser fra opfølgningsreglen")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "kind"],
                condition=models.Q(state__in=["requested", "approved"]),
                name="followup_exception_one_active_per_kind",
                violation_error_message=_("Der er allerede en aktiv anmodning om den undtagelse."),
            ),
            models.CheckConstraint(
                condition=models.Q(state="requested")
                | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="followup_exception_decision_recorded",
            ),
        ]
        indexes = [models.Index(fields=["state", "measure"], name="followup_exception_state_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    @property
    def is_approved(self) -> bool:
        return self.state == self.State.APPROVED

    def clean(self) -> None:
        """The far-away exception needs the distance (more than 50 km) and the young person's age
        (docs/domain.md §3); the others record neither."""
        if self.kind != ExceptionKind.FAR_AWAY:
            self.distance_km = self.youth_age = None
            return
        if not self._state.adding and self.distance_km is None and self.youth_age is None:
            return  # asked for before the facts were recorded; decided as it stands
        errors = {}
        if self.distance_km is None:
            errors["distance_km"] = _("Angiv afstanden fra kommunen til anbringelsesstedet i km.")
        elif self.distance_km <= FAR_AWAY_MIN_KM:
            errors["distance_km"] = _(
                "Undtagelsen gælder kun anbringelser mere end %(km)s km væk (Herningmodellen 1.0)."
            ) % {"km": FAR_AWAY_MIN_KM}
        if self.youth_age is None:
            errors["youth_age"] = _("Angiv den unges alder.")
        elif not YOUTH_AGES[0] <= self.youth_age <= YOUTH_AGES[1]:
            errors["youth_age"] = _(
                "Undtagelsen gælder ungeanbringelser: den unge skal være %(low)s-%(high)s år."
            ) % {"low": YOUTH_AGES[0], "high": YOUTH_AGES[1]}
        if errors:
            raise ValidationError(errors)


class NoConversationGround(models.TextChoices):
    """Why the child was not spoken to at a follow-up, when it is one of the law's reasons for
    leaving the conversation out (``herning.core.law.CONVERSATION_MAY_BE_LEFT_OUT``): such a
    follow-up still keeps the legal follow-up; another reason does not (docs/deadlines.md)."""

    MATURITY = law.MATURITY, _("Barnets modenhed taler imod samtalen")
    NATURE_OF_CASE = law.NATURE_OF_CASE, _("Sagens karakter taler imod samtalen")


class FollowUpQuerySet(CaseDataQuerySet):
    case_path = "measure__case"


class LaterDate(models.TextChoices):
    """A next date agreed later than the municipal rule allows, as the team leader decided it."""

    REQUESTED = engine.LATER_REQUESTED, _("Afventer teamlederens godkendelse")
    APPROVED = engine.LATER_APPROVED, _("Godkendt af teamleder")
    REFUSED = engine.LATER_REFUSED, _("Afvist af teamleder")


class FollowUp(models.Model):
    """A follow-up held on a measure (opfølgning): when, how, who took part, whether the child was
    spoken to (børnesamtale), each plan goal reviewed, the decision and the next date agreed."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Indsatsen fortsætter")
        CHANGE_MEASURE = "change_measure", _("Indsatsen ændres")
        STEP_DOWN = "step_down", _("Ned ad indsatstrappen")
        STEP_UP = "step_up", _("Op ad indsatstrappen")
        END = "end", _("Indsatsen afsluttes")

    measure = models.ForeignKey(
        "measures.Measure", on_delete=models.PROTECT, related_name="followups", verbose_name=_("indsats")
    )
    held_on = models.DateField(_("afholdt"))
    form = models.CharField(_("form"), max_length=10, choices=Form.choices)
    participants = models.TextField(_("deltagere"))
    supervisory_visit = models.BooleanField(
        _("tilsynsbesøg på anbringelsesstedet"),
        default=False,
        help_text=_("Personrettet tilsyn (Barnets Lov § 156, stk. 5): besøg på anbringelsesstedet."),
    )
    child_conversation_held = models.BooleanField(_("børnesamtale afholdt"), default=False)
    no_conversation_reason = models.TextField(_("hvorfor ingen børnesamtale"), blank=True)
    no_conversation_ground = models.CharField(
        _("lovens grund til at undlade børnesamtalen"),
        max_length=20,
        choices=NoConversationGround.choices,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "Kun hvis barnets modenhed eller sagens karakter taler imod samtalen; ellers tæller "
            "opfølgningen ikke som lovpligtig opfølgning."
        ),
    )
    summary = models.TextField(_("referat"))
    decision = models.CharField(_("beslutning"), max_length=20, choices=Decision.choices)
    decision_note = models.TextField(_("begrundelse for beslutningen"), blank=True)
    next_agreed_on = models.DateField(_("næste opfølgning aftalt til"), null=True, blank=True)
    later_than_rule_reason = models.TextField(_("begrundelse for senere dato end reglen"), blank=True)
    # A next date later than the rule allows is a request the team leader of the case's team
    # decides (docs/deadlines.md, "Agreed dates"); until it is approved the rule's date stands.
    later_state = models.CharField(
        _("senere dato"), max_length=20, choices=LaterDate.choices, blank=True, default="", db_default=""
    )
    later_rule_date = models.DateField(_("reglens dato"), null=True, blank=True)
    later_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("senere dato besluttet af"),
    )
    later_decided_at = models.DateTimeField(_("senere dato besluttet"), null=True, blank=True)
    # A database default too: bulk writers that name their columns (the benchmark's COPY) leave it out.
    later_decision_reason = models.TextField(
        _("begrundelse for beslutningen om senere dato"), blank=True, default="", db_default=""
    )
    statutory_cadence_months = models.PositiveSmallIntegerField(
        _("lovpligtig opfølgning hver (måneder)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Barnets Lov § 95, stk. 3: besluttes ved første opfølgning, med begrundelse."),
    )
    cadence_reason = models.TextField(_("begrundelse for kadencen"), blank=True)
    journal_note = models.ForeignKey(
        "cases.JournalNote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journalnotat"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registreret af")
    )
    recorded_at = models.DateTimeField(_("registreret"), default=timezone.now)
    objects = FollowUpQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opfølgning")
        verbose_name_plural = _("opfølgninger")
        ordering = ["measure", "-held_on", "-pk"]
        indexes = [
            models.Index(fields=["measure", "held_on"], name="followup_measure_held_idx"),
            # The later dates awaiting a team leader are a handful among a million follow-ups; the
            # team overview and the approval list look for them on every request.
            models.Index(
                fields=["measure"],
                name="followup_later_requested_idx",
                condition=models.Q(later_state=engine.LATER_REQUESTED),
            ),
        ]

    def __str__(self) -> str:
        return _("Opfølgning %(date)s") % {"date": self.held_on.strftime("%d.%m.%Y")}

    def clean(self):
        super().clean()
        errors = {}
        if self.supervisory_visit and self.form != Form.MEETING:
            # SEL § 148, stk. 3 / Barnets Lov § 156, stk. 5: a supervisory visit is a visit.
            errors["supervisory_visit"] = _(
                "Et tilsynsbesøg er et besøg på anbringelsesstedet (Barnets Lov § 156, stk. 5); "
                "en opfølgning pr. telefon eller mail kan ikke registreres som tilsynsbesøg."
            )
        if self.child_conversation_held and self.no_conversation_ground:
            errors["no_conversation_ground"] = _("Der blev holdt en børnesamtale; vælg ingen grund.")
        if errors:
            raise ValidationError(errors)

    def to_engine(self) -> engine.Held:
        return engine.Held(
            held_on=self.held_on,
            next_agreed_on=self.next_agreed_on,
            supervisory_visit=self.supervisory_visit,
            child_conversation=self.child_conversation_held,
            statutory_cadence_months=self.statutory_cadence_months,
            form=self.form,
            no_conversation_ground=self.no_conversation_ground,
            later_state=self.later_state,
            later_decided_by=(
                str(self.later_decided_by)
                if self.later_state == LaterDate.APPROVED and self.later_decided_by_id
                else ""
            ),
            later_decided_on=timezone.localdate(self.later_decided_at) if self.later_decided_at else None,
        )

    @property
    def later_pending(self) -> bool:
        return self.later_state == LaterDate.REQUESTED


class GoalReviewQuerySet(CaseDataQuerySet):
    case_path = "follow_up__measure__case"


class GoalReview(models.Model):
    """A plan goal as reviewed at a follow-up: the status it was given and why."""

    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="goal_reviews", verbose_name=_("opfølgning")
    )
    goal = models.ForeignKey("cases.Goal", on_delete=models.PROTECT, related_name="+", verbose_name=_("mål"))
    status = models.CharField(_("status"), max_length=20, choices=Goal.Status.choices)
    note = models.TextField(_("bemærkning"), blank=True)
    objects = GoalReviewQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("gennemgang af mål")
        verbose_name_plural = _("gennemgang af mål")
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "goal"], name="goal_review_once_per_followup")
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.status}"


class DeadlineKind(models.TextChoices):
    """Every kind of deadline the reminders watch. A new kind is a value here and a ``Source``
    registered by the app that owns the obligation (``cases.obligations``, docs/deadlines.md)."""

    FOLLOWUP = engine.FOLLOWUP, _("Opfølgning")
    LEGAL_FOLLOWUP = engine.LEGAL_FOLLOWUP, _("Lovpligtig opfølgning")
    SUPERVISION = engine.SUPERVISION, _("Tilsynsbesøg med børnesamtale")
    ASSESSMENT = "assessment", _("24-timers vurdering af underretning")
    RECEIPT = "receipt", _("Kvittering til fagperson, der underretter")
    SCREENING = "screening", _("Screening af underretning")
    FEEDBACK = "feedback", _("Tilbagemelding til fagperson, der underretter")
    INVESTIGATION = "investigation", _("Børnefaglig undersøgelse færdig")
    INTERIM_ASSESSMENT = "interim_assessment", _("Foreløbig vurdering af børnefaglig undersøgelse")
    PLAN = "plan", _("Barnets plan / handleplan")
    PLACEMENT_PLAN = "placement_plan", _("Barnets plan revideret ved anbringelse")
    AGREEMENT = "agreement", _("Aftale fra netværksmøde")
    HANDOVER = "handover", _("Overleveringsmøde ved flytning af sag")


# The deadlines of a notification (the 24-hour assessment, the receipt, the screening, the
# feedback): read through the notification (``source_id``).
NOTIFICATION_KINDS = (
    DeadlineKind.ASSESSMENT,
    DeadlineKind.RECEIPT,
    DeadlineKind.SCREENING,
    DeadlineKind.FEEDBACK,
)


class DeadlineQuerySet(CaseDataQuerySet):
    case_path = "case"

    def visible_to(self, user, *, teams=None):
        """The deadlines on records ``user`` may read: on a case they may read, on a notification
        they may read, and the agreements of network meetings they own.

        The readable cases and notifications are each one subquery (``cases.access.readable_ids``:
        the rule's statement, compiled once per person and process), which PostgreSQL reads once
        per statement and looks each row's record up in. With ``teams``, the deadlines of those
        teams' cases (``cases.access.related_case_filter``).
        """
        from cases.access import readable_ids
        from cases.models import Case, Notification

        if teams is not None:
            return super().visible_to(user, teams=teams)
        nothing = models.Q(pk__in=[])
        cases, notifications = readable_ids(user, Case), readable_ids(user, Notification)
        return self.filter(
            (models.Q(case_id__in=cases) if cases is not None else nothing)
            | (
                models.Q(kind__in=NOTIFICATION_KINDS, source_id__in=notifications)
                if notifications is not None
                else nothing
            )
            | models.Q(kind=DeadlineKind.AGREEMENT, responsible=user)
        )


class Deadline(models.Model):
    """One open obligation with its due date, the person responsible and why it falls due then.

    The materialised table the reminder sweep and the deadline lists read; kept in sync from the
    sources by ``followups.deadlines`` and rebuilt in full by the nightly sweep. Derived data, so
    it has no history of its own: the sources it is computed from keep theirs.
    """

    kind = models.CharField(_("type"), max_length=30, choices=DeadlineKind.choices)
    source_id = models.BigIntegerField(_("kilde-id"))
    # The municipality, team, district and person are copies of the source's own keys (the case's,
    # the notification's, the meeting's), which the database checks where they are written. Here
    # they carry no foreign-key constraint of their own: PostgreSQL checks a constraint row by row
    # at commit, 4 checks of each of the 400,000 rows a first full sweep inserts (a fifth of its
    # time). Deleting one of them still reaches these rows: Django's ``on_delete`` (cascade, set
    # null) is carried out by the ORM, not by the constraint, and each row is rewritten from its
    # source at every change and every night. ``case`` keeps its constraint: the row's owner.
    # The municipality and the district have no index of their own either: no read looks them up
    # by these columns alone (the lists go by person, team or case, and the indexes below serve
    # them), and the rare deletion of a municipality or district reads the table once. Each index
    # is written for every row the sweep inserts or moves (findings of 6 December 2026).
    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kommune"),
        db_constraint=False,
        db_index=False,
    )
    # No index of its own: ``deadline_case_idx`` (case, kind) serves every lookup by case, and each
    # index more is written for every row the sweep inserts or moves.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("sag"),
        db_index=False,
    )
    team = models.ForeignKey(
        "organisation.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        db_constraint=False,
    )
    district = models.ForeignKey(
        "organisation.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("distrikt"),
        db_constraint=False,
        db_index=False,
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("ansvarlig"),
        db_constraint=False,
    )
    due_on = models.DateField(_("frist"))
    due_at = models.DateTimeField(_("overskredet fra"))
    statutory = models.BooleanField(_("lovpligtig"), default=False)
    rule = models.CharField(_("regel"), max_length=200)
    explanation = models.TextField(_("forklaring"))
    explanation_en = models.TextField(_("forklaring (engelsk)"))
    # What else a follow-up's due date says, where it is not the default (``DeadlineValues.details``):
    # its purpose, the forms it may be held in, whether a child conversation is required, whether it
    # is a written status. The API's list of follow-ups reads it instead of computing the schedule.
    details = models.JSONField(_("detaljer"), null=True, blank=True)
    # A digest of the fields above (followups.deadlines.fingerprint): a rebuild compares it
    # instead of reading every explanation back.
    fingerprint = models.CharField(_("fingeraftryk"), max_length=24, editable=False, default="")
    is_open = models.BooleanField(_("åben"), default=True)
    # When the sweep must look at this deadline next (a reminder window opens, or it changed).
    next_check_at = models.DateTimeField(_("næste kontrol"), null=True, blank=True)
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    objects = DeadlineQuerySet.as_manager()

    # Recomputed from its sources, which keep their history: a deleted row loses nothing
    # (herning.core.privacy does not guard it).
    derived_data = True

    class Meta:
        verbose_name = _("frist")
        verbose_name_plural = _("frister")
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "source_id"], name="deadline_one_per_source")]
        indexes = [
            models.Index(
                fields=["next_check_at"], condition=models.Q(is_open=True), name="deadline_check_idx"
            ),
            models.Index(
                fields=["responsible", "due_on"],
                condition=models.Q(is_open=True),
                name="deadline_responsible_idx",
            ),
            models.Index(
                fields=["team", "due_on"], condition=models.Q(is_open=True), name="deadline_team_idx"
            ),
            models.Index(fields=["case", "kind"], name="deadline_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on:%d.%m.%Y}"


class ReminderKind:
    """``before_<n>`` (n days before, configurable), ``due`` (the day itself), ``overdue`` (to the
    person responsible) and ``escalation`` (overdue, to the team leaders)."""

    DUE = "due"
    OVERDUE = "overdue"
    ESCALATION = "escalation"

    @staticmethod
    def before(days: int) -> str:
        return f"before_{days}"


class ReminderQuerySet(CaseDataQuerySet):
    """A reminder is addressed to one person, who reads their own (the deadline it names was theirs
    when it was sent)."""

    staff_path = "recipient"


class Reminder(models.Model):
    """A reminder to one person about one deadline: shown in the app (the bell) and sent by e-mail.

    The unique constraint makes each (deadline, due date, recipient, kind) exactly one row. The row
    is written by the sweep before anything is sent (an outbox); e-mail delivery reads pending rows
    and marks them sent, so a lost task or a flushed broker loses nothing. The rows are their own
    log; they have no separate history.
    """

    class EmailState(models.TextChoices):
        PENDING = "pending", _("Afventer afsendelse")
        SENT = "sent", _("Sendt")
        NO_ADDRESS = "no_address", _("Ingen e-mailadresse")
        FAILED = "failed", _("Fejlet")
        OBSOLETE = "obsolete", _("Ikke sendt: fristen var klaret eller flyttet")
        # An escalation to a team leader who reads them once a day (``EscalationDigest``).
        DIGEST = "digest", _("Venter på den daglige samlede mail")

    # Neither key has an index of its own: the unique constraint's index begins with the deadline
    # and ``reminder_recipient_idx`` with the recipient, and serve every lookup by either; a first
    # full sweep inserts some 170,000 reminders, each written to every index.
    deadline = models.ForeignKey(
        Deadline,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("frist"),
        db_index=False,
    )
    due_on = models.DateField(_("frist"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("modtager"),
        db_index=False,
    )
    kind = models.CharField(_("type"), max_length=20)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    read_at = models.DateTimeField(_("læst"), null=True, blank=True)
    email_state = models.CharField(
        _("e-mail"), max_length=20, choices=EmailState.choices, default=EmailState.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    email_sent_at = models.DateTimeField(_("e-mail sendt"), null=True, blank=True)
    email_error = models.CharField(_("fejl"), max_length=250, blank=True)
    next_attempt_at = models.DateTimeField(_("næste forsøg"), default=timezone.now)
    digest = models.ForeignKey(
        "EscalationDigest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("samlet mail"),
    )

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("påmindelse")
        verbose_name_plural = _("påmindelser")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "due_on", "recipient", "kind"],
                name="reminder_once_per_deadline_date_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="reminder_recipient_idx"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="reminder_unread_idx"
            ),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(email_state="pending"),
                name="reminder_outbox_idx",
            ),
            models.Index(
                fields=["recipient"], condition=models.Q(email_state="digest"), name="reminder_digest_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on:%d.%m.%Y} → {self.recipient_id}"

    @property
    def days_before(self) -> int | None:
        return int(self.kind.split("_", 1)[1]) if self.kind.startswith("before_") else None


class ReminderSettings(models.Model):
    """A person's choices about the reminders they get. Without a row, the defaults hold: a team
    leader reads the escalations of missed deadlines in one daily mail per team (docs/deadlines.md,
    "Reminders")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_settings",
        verbose_name=_("medarbejder"),
    )
    escalations_immediately = models.BooleanField(
        _("en mail med det samme for hver overskredet frist i mit team"),
        default=False,
        help_text=_(
            "Ellers samles de overskredne frister i dine teams i én mail om dagen pr. team, "
            "ordnet efter rådgiver og barn med den ældste først."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indstillinger for påmindelser")
        verbose_name_plural = _("indstillinger for påmindelser")

    def __str__(self) -> str:
        return str(self.user)


class EscalationDigest(models.Model):
    """One daily mail to a team leader about the escalations of one team: the record of what was
    sent, written in the transaction that marks its reminders (``Reminder.digest``). One per
    (person, team, day), so a second run the same day sends nothing."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="escalation_digests",
        verbose_name=_("modtager"),
    )
    team = models.ForeignKey(
        "organisation.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    sent_on = models.DateField(_("dag"))
    sent_at = models.DateTimeField(_("sendt"), default=timezone.now)

    class Meta:
        verbose_name = _("samlet mail om overskredne frister")
        verbose_name_plural = _("samlede mails om overskredne frister")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "team", "sent_on"],
                condition=models.Q(team__isnull=False),
                name="escalation_digest_once_a_day",
            ),
            # A deadline whose team is gone: its escalations still go out once a day.
            models.UniqueConstraint(
                fields=["recipient", "sent_on"],
                condition=models.Q(team__isnull=True),
                name="escalation_digest_no_team_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sent_on:%d.%m.%Y} → {self.recipient_id} ({self.team_id})"


class SweepRun(models.Model):
    """One run of the reminder sweep: when, which mode, what it did. Monitoring reads the last."""

    class Mode(models.TextChoices):
        FULL = "full", _("Fuld")
        INCREMENTAL = "incremental", _("Inkrementel")

    mode = models.CharField(_("type"), max_length=20, choices=Mode.choices)
    started_at = models.DateTimeField(_("startet"), default=timezone.now)
    finished_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    deadlines_checked = models.PositiveIntegerField(_("frister kontrolleret"), default=0)
    deadlines_changed = models.PositiveIntegerField(_("frister ændret"), default=0)
    reminders_created = models.PositiveIntegerField(_("påmindelser oprettet"), default=0)
    errors = models.PositiveIntegerField(_("fejl"), default=0)
    # A full sweep is cut into batches (``SweepBatch``) that any worker may run; the run is
    # finished when the last of them is (``followups.sweep``).
    batches_total = models.PositiveIntegerField(_("portioner"), default=0)
    batch_size = models.PositiveIntegerField(_("poster pr. portion"), default=4000)
    records_skipped = models.PositiveIntegerField(_("poster uændrede"), default=0)
    # Every schedule recomputed, whatever its input fingerprint says (by hand, or to compare).
    recompute_all = models.BooleanField(_("genberegn alle"), default=False)
    # Its batches are queued for the workers (False: one process runs them itself).
    distributed = models.BooleanField(_("fordelt på arbejdere"), default=False)
    # Queue the e-mail delivery when the run is finished (not in the benchmarks, which time the sweep).
    deliver = models.BooleanField(_("send e-mails bagefter"), default=True)
    # A digest of what the reminders are computed from besides the deadlines (the days before, who
    # is active, who leads which team, who wants escalations at once): while it is the previous
    # full sweep's, only the deadlines whose check is due are read (``followups.sweep``).
    reminder_inputs = models.CharField(max_length=32, blank=True, default="")
    whole_window = models.BooleanField(_("hele påmindelsesvinduet"), default=True)

    class Meta:
        verbose_name = _("kørsel af påmindelser")
        verbose_name_plural = _("kørsler af påmindelser")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.started_at:%Y-%m-%d %H:%M}"


class SweepBatch(models.Model):
    """One batch of a full sweep: the records of one source (or the deadlines) from ``first_id``
    to ``last_id``. A worker claims it with ``SELECT ... FOR UPDATE SKIP LOCKED`` and marks it
    done in the transaction that writes its work, so a batch runs to the end once, however often
    its task is delivered; its figures are summed into the run when the last batch is done."""

    class Phase(models.TextChoices):
        REBUILD = "rebuild", _("Genberegning")
        REMIND = "remind", _("Påmindelser")

    run = models.ForeignKey(SweepRun, on_delete=models.CASCADE, related_name="batches")
    phase = models.CharField(_("fase"), max_length=10, choices=Phase.choices)
    source = models.CharField(_("kilde"), max_length=40, blank=True)
    first_id = models.BigIntegerField(_("fra id"))
    last_id = models.BigIntegerField(_("til id"))
    done_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    checked = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    reminders = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("portion af en kørsel")
        verbose_name_plural = _("portioner af kørsler")
        indexes = [models.Index(fields=["run", "phase"], name="followups_sweepbatch_run")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.phase} {self.source} {self.first_id}-{self.last_id}"


class DeadlineInput(models.Model):
    """What a record's deadlines were last computed from, as a digest (``inputs``: for a measure,
    the measure and its case, the follow-ups held, approved exceptions, investigations, the rule in
    force and the law; each source says its own, ``Source.input_digests_sql``) and what the sweep wrote
    from them (``outputs``: a digest of the record's deadline rows). The nightly sweep recomputes
    only the records whose digests differ (``followups.input_digests``). A plain id, no foreign
    key: the row says nothing about a child, and one left behind by a deleted record is never read."""

    source = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    inputs = models.CharField(max_length=32)
    outputs = models.CharField(max_length=32)
    computed_on = models.DateField()

    class Meta:
        verbose_name = _("grundlag for frister")
        verbose_name_plural = _("grundlag for frister")
        constraints = [
            models.UniqueConstraint(fields=["source", "record_id"], name="deadline_input_one_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.record_id}"


class CalendarToken(models.Model):
    """The secret in an advisor's private calendar feed address. Only its SHA-256 is stored; the
    address is shown once when it is made, and deleting the row revokes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name=_("medarbejder"),
    )
    token_hash = models.CharField(_("nøgle (hash)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    last_used_at = models.DateTimeField(_("sidst brugt"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("kalenderlink")
        verbose_name_plural = _("kalenderlinks")

    def __str__(self) -> str:
        return str(self.user)
