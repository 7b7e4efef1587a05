"""The measure ladder (indsatstrappe), the measure catalog (tilbudsvifte), measures on a case and
the movements between ladder steps. Steps and catalog are data with shipped defaults
(docs/domain.md §§2-3), editable in the admin."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.access import CaseDataQuerySet


class LadderStep(models.Model):
    """A step of the measure ladder. The higher the step, the further from an ordinary everyday
    life; the work aims to bring the child down (KORA 2017, ch. 5.1; the case story "Herning viser vejen
    til en bedre børn- og ungeindsats": six steps, the sixth is placement in a residential institution)."""

    number = models.PositiveSmallIntegerField(_("trin"), unique=True, validators=[MinValueValidator(1)])
    name = models.CharField(_("navn"), max_length=120)
    name_en = models.CharField(_("navn (engelsk)"), max_length=120, blank=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    is_placement = models.BooleanField(
        _("anbringelse"),
        default=False,
        help_text=_("Trinnet er en anbringelse uden for hjemmet (tæller som årsbørn)."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("trin på indsatstrappen")
        verbose_name_plural = _("indsatstrappen")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.localized_name}"

    @property
    def localized_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


class PlacementCategory(models.TextChoices):
    """KORA's grouping of placements (KORA 2017, Tab. 2.2-2.6): the evaluation counts child-years and
    spend per category."""

    NONE = "", _("Ikke en anbringelse")
    HOME_BASED = "home_based", _("Hjemmebaseret anbringelse")
    NETWORK_FOSTER = "network_foster", _("Netværkspleje")
    FOSTER_FAMILY = "foster_family", _("Almindelig plejefamilie")
    SPECIAL_FOSTER = "special_foster", _("Særlig plejefamilie")
    INSTITUTION = "institution", _("Døgninstitution / opholdssted")

    @classmethod
    def family_care(cls) -> frozenset[str]:
        """Placements in a family, as the 75/25 family/institution target counts them (Herning's Sverigesprojekt, 2013)."""
        return frozenset({cls.NETWORK_FOSTER, cls.FOSTER_FAMILY, cls.SPECIAL_FOSTER})


class MeasureType(models.Model):
    """An entry of the measure catalog, identified by a stable ``code`` used by the API, the DUBU
    import, the follow-up rules and the tests."""

    code = models.SlugField(_("kode"), max_length=50, unique=True)
    name = models.CharField(_("navn"), max_length=150)
    name_en = models.CharField(_("navn (engelsk)"), max_length=150, blank=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    ladder_step = models.ForeignKey(
        LadderStep, on_delete=models.PROTECT, related_name="measure_types", verbose_name=_("trin")
    )
    legal_basis = models.ForeignKey(
        "cases.LegalBasis",
        on_delete=models.PROTECT,
        related_name="measure_types",
        verbose_name=_("lovgrundlag"),
    )
    placement_category = models.CharField(
        _("anbringelsestype"), max_length=20, choices=PlacementCategory.choices, blank=True, default=""
    )
    # How a type behaves beyond its step and category, so that a type added in the admin behaves
    # like a shipped one of its kind (the shipped values: measures.catalog.TYPE_BEHAVIOUR).
    is_short_term = models.BooleanField(
        _("korttidsanbringelse"),
        default=False,
        help_text=_("En planlagt kort anbringelse: når den slutter, er det ikke et sammenbrud."),
    )
    is_home_treatment = models.BooleanField(
        _("behandling i hjemmet"),
        default=False,
        help_text=_(
            "Behandling af familien i hjemmet (fx familiebehandling, MST): slutter den uden en anden "
            "indsats, er barnet hjemme efter behandling."
        ),
    )
    is_boarding_school = models.BooleanField(
        _("kost- eller efterskole"),
        default=False,
        help_text=_(
            "Ophold på kost- eller efterskole: de ekstra opfølgninger kan undtagelsesvis ske pr. telefon."
        ),
    )
    is_active = models.BooleanField(_("i brug"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indsatstype")
        verbose_name_plural = _("indsatskatalog")
        ordering = ["-ladder_step__number", "name"]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name

    @property
    def is_placement(self) -> bool:
        return bool(self.placement_category)


class UnitCost(models.Model):
    """What a measure type costs per child-year, valid for a period (KORA Tab. 2.6)."""

    measure_type = models.ForeignKey(
        MeasureType, on_delete=models.CASCADE, related_name="unit_costs", verbose_name=_("indsatstype")
    )
    valid_from = models.DateField(_("gælder fra"))
    valid_to = models.DateField(_("gælder til"), null=True, blank=True)
    amount_per_year = models.DecimalField(
        _("kr. pr. årsbarn"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enhedspris")
        verbose_name_plural = _("enhedspriser")
        ordering = ["measure_type", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["measure_type", "valid_from"], name="unit_cost_unique_start"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_cost_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_type}: {self.amount_per_year} kr. fra {self.valid_from}"


class PriceIndex(models.Model):
    """A year's price level, so that spend in different years can be shown in the prices of one
    base year: an amount spent in year Y is shown in year B's prices as amount x index(B) /
    index(Y). Shared configuration with shipped defaults (migration 0007), editable in the admin."""

    year = models.PositiveSmallIntegerField(_("år"), unique=True, validators=[MinValueValidator(1900)])
    value = models.DecimalField(
        _("indeks"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    source = models.CharField(_("kilde"), max_length=250, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prisindeks")
        verbose_name_plural = _("prisindeks")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"


class MeasureQuerySet(CaseDataQuerySet):
    case_path = "case"

    def active_on(self, day: datetime.date):
        return self.filter(start_date__lte=day).filter(
            models.Q(actual_end__isnull=True) | models.Q(actual_end__gte=day)
        )


class Measure(models.Model):
    """A measure (indsats / foranstaltning) on a case. Several may run at once; the case's ladder
    step is the highest among the active ones (measures.services)."""

    class DecisionBasis(models.TextChoices):
        WITH_CONSENT = "with_consent", _("Med samtykke")
        WITHOUT_CONSENT = "without_consent", _("Uden samtykke")
        NOT_APPLICABLE = "not_applicable", _("Ikke relevant")

    class HearingOmitted(models.TextChoices):
        """Why the child was not heard before the measure started: the law's exceptions."""

        # Barnets Lov § 5, stk. 4: the conversation may be left out in quite special cases, when
        # the child's age or other circumstances weigh decisively against it.
        AGE_MATURITY = "age_maturity", _("Barnets alder eller modenhed (Barnets Lov § 5, stk. 4)")
        # Forvaltningsloven § 19, stk. 2, nr. 3: hearing would put the decision's carrying out at risk.
        URGENT = "urgent", _("Afgørelsen kunne ikke vente (forvaltningsloven § 19, stk. 2, nr. 3)")
        CHILD_DECLINED = "child_declined", _("Barnet ønskede ikke at udtale sig")
        OTHER = "other", _("Andet (begrundes)")

    class EndingReason(models.TextChoices):
        PLANNED = "planned", _("Planlagt afslutning")
        GOALS_MET = "goals_met", _("Målene er nået")
        CHANGED_MEASURE = "changed_measure", _("Skiftet til anden indsats")
        CHILDS_WISH = "childs_wish", _("Barnets eget ønske")
        PARENTS_WISH = "parents_wish", _("Forældrenes ønske")
        # Ankestyrelsen: the child leaves, or the placement gives up on the child, before planned.
        BREAKDOWN = "breakdown", _("Sammenbrud (barnet forlader stedet, eller stedet opgiver barnet)")
        TURNED_18 = "turned_18", _("Fyldt 18")
        MOVED = "moved", _("Flyttet kommune")
        OTHER = "other", _("Andet")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="measures", verbose_name=_("sag")
    )
    measure_type = models.ForeignKey(
        MeasureType, on_delete=models.PROTECT, related_name="measures", verbose_name=_("indsatstype")
    )
    provider = models.CharField(_("leverandør / anbringelsessted"), max_length=200, blank=True)
    start_date = models.DateField(_("startdato"))
    planned_end = models.DateField(_("planlagt slutdato"), null=True, blank=True)
    actual_end = models.DateField(_("faktisk slutdato"), null=True, blank=True)
    decision_basis = models.CharField(
        _("afgørelsesgrundlag"),
        max_length=20,
        choices=DecisionBasis.choices,
        default=DecisionBasis.WITH_CONSENT,
    )
    legal_basis = models.ForeignKey(
        "cases.LegalBasis", on_delete=models.PROTECT, related_name="+", verbose_name=_("lovgrundlag")
    )
    # The child is heard before a measure starts (Barnets Lov § 5, stk. 3; forvaltningsloven § 19;
    # docs/domain.md §4): the hearing's date and note, or the journal note that records it, or the
    # law's reason why not. A measure from before this was recorded (or imported) has none.
    hearing_on = models.DateField(_("barnet hørt den"), null=True, blank=True)
    hearing_note = models.TextField(_("partshøring af barnet"), blank=True, default="", db_default="")
    hearing_journal_note = models.ForeignKey(
        "cases.JournalNote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journalnotat om partshøringen"),
    )
    hearing_omitted = models.CharField(
        _("barnet ikke hørt, fordi"),
        max_length=20,
        choices=HearingOmitted.choices,
        blank=True,
        default="",
        db_default="",
    )
    hearing_omitted_note = models.TextField(
        _("begrundelse for ikke at høre barnet"), blank=True, default="", db_default=""
    )
    # A placement without consent with no plan before the decision: the reason the law allows it
    # (Barnets Lov § 91, stk. 2, 3. pkt.; docs/deadlines.md, "Barnets plan ved anbringelse").
    plan_exception = models.TextField(
        _("begrundelse for afgørelse før barnets plan"), blank=True, default="", db_default=""
    )
    ending_reason = models.CharField(
        _("årsag til ophør"), max_length=20, choices=EndingReason.choices, blank=True
    )
    ending_note = models.TextField(_("bemærkning til ophør"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("besluttet af")
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    # The next follow-up deadline (municipal or statutory, whichever binds first), stored so that
    # the reminder sweep and the dashboards read one indexed column (followups.services keep it).
    next_followup_due = models.DateField(_("næste opfølgning"), null=True, blank=True, db_index=True)

    objects = MeasureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indsats")
        verbose_name_plural = _("indsatser")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actual_end__isnull=True)
                | models.Q(actual_end__gte=models.F("start_date")),
                name="measure_end_not_before_start",
                violation_error_message=_("Slutdatoen kan ikke ligge før startdatoen."),
            ),
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_end__gte=models.F("start_date")),
                name="measure_planned_end_not_before_start",
                violation_error_message=_("Den planlagte slutdato kan ikke ligge før startdatoen."),
            ),
        ]
        indexes = [
            models.Index(fields=["case", "actual_end"], name="measure_case_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_type} ({self.start_date:%d.%m.%Y})"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.actual_end is None or self.actual_end >= day)

    @property
    def legal_basis_citation(self) -> str:
        """The legal basis under the law in force when the measure was decided to start: a 2025
        measure cites Barnets Lov only, never Serviceloven beside it."""
        return self.legal_basis.citation_on(self.start_date) if self.legal_basis_id else ""

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())

    @property
    def child_heard(self) -> bool:
        """The child was heard before the measure started (a note or a journal note)."""
        return self.hearing_on is not None or self.hearing_journal_note_id is not None

    @property
    def is_breakdown(self) -> bool:
        return self.ending_reason == self.EndingReason.BREAKDOWN

    def clean(self) -> None:
        if self.actual_end and self.start_date and self.actual_end < self.start_date:
            raise ValidationError({"actual_end": _("Slutdatoen kan ikke ligge før startdatoen.")})
        if self.actual_end and not self.ending_reason:
            raise ValidationError({"ending_reason": _("Angiv årsagen til, at indsatsen ophører.")})


class LadderMovementQuerySet(CaseDataQuerySet):
    case_path = "case"


class LadderMovement(models.Model):
    """A change of the case's step on the ladder (KORA counts them, KORA 2017, Fig. 4.1, ch. 4).

    An empty ``from_step`` or ``to_step`` means "under clarification" (no measure).
    """

    class Reason(models.TextChoices):
        # KORA 2017 ch. 4.2's reasons for moving, and the two that open and escalate a case.
        FIRST_MEASURE = "first_measure", _("Første indsats")
        GREATER_NEED = "greater_need", _("Behov for mere indgribende indsats")
        CHILDS_WISH = "childs_wish", _("Barnets eget ønske")
        PLACEMENT_FAILED = "placement_failed", _("Anbringelsen fungerede ikke / barnet stak af")
        SHORT_TERM_ENDED = "short_term_ended", _("Planlagt korttidsanbringelse afsluttet")
        TURNED_18 = "turned_18", _("Fyldt 18 med efterværn")
        HOME_AFTER_TREATMENT = "home_after_treatment", _("Hjem efter familiebehandling")
        PROGRESS = "progress", _("Barnet er i positiv udvikling")
        MEASURE_ENDED = "measure_ended", _("Indsatsen er afsluttet")
        OTHER = "other", _("Andet")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="movements", verbose_name=_("sag")
    )
    date = models.DateField(_("dato"))
    from_step = models.ForeignKey(
        LadderStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fra trin"),
    )
    to_step = models.ForeignKey(
        LadderStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("til trin"),
    )
    reason = models.CharField(_("årsag"), max_length=30, choices=Reason.choices)
    note = models.TextField(_("bemærkning"), blank=True)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("indsats"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registreret af")
    )
    recorded_at = models.DateTimeField(_("registreret"), default=timezone.now)
    objects = LadderMovementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bevægelse på indsatstrappen")
        verbose_name_plural = _("bevægelser på indsatstrappen")
        ordering = ["case", "date", "pk"]
        indexes = [models.Index(fields=["date"], name="movement_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}: {self.from_step or '–'} → {self.to_step or '–'}"

    @property
    def direction(self) -> str:
        """ "up", "down" or "same": ``None`` (under clarification) counts as step 0."""
        a = self.from_step.number if self.from_step else 0
        b = self.to_step.number if self.to_step else 0
        return "up" if b > a else "down" if b < a else "same"
