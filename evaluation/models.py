"""What the evaluation figures are computed from, besides the cases and measures themselves.

* ``CaseSnapshot``: each open case's place on the ladder, day by day, so that a figure for a past
  date is what was true that day, whatever is corrected later (issue 8 point 1).
* ``PlacementTarget``: the municipality's goal for the mix of placements (Herning's Sverigesprojekt, Forebyggelsesudvalget 21.1.2013: 75/25 family care
  versus institution), drawn into the figures.
* ``Complaint``: the complaints register (klager) over case handling (KORA 2017, Tab. 3.2).
* ``SdqScore``: the Strengths and Difficulties Questionnaire's scores for a child (KORA 2017, Tab. 3.3).
  Only the scores are stored, never the questionnaire's copyrighted items or answers.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.access import CaseDataQuerySet
from cases.models import CaseState
from measures.models import PlacementCategory


class CaseSnapshotQuerySet(CaseDataQuerySet):
    """Read as anonymised figures (``for_figures``) by the evaluation; a person reads a row of a case
    they may read."""

    case_path = "case"


class CaseOnADay(models.Model):
    """What a case's snapshot says about it on a day (the columns ``CaseSnapshot`` and
    ``SnapshotRun`` share: a run is a stretch of days on which they were all the same)."""

    # Deleting a case after the legal retention period deletes what is derived from it. Only the
    # indexes the figures need: every other index would slow the nightly bulk insert.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("sag"), db_index=False
    )
    child = models.ForeignKey(
        "cases.Child", on_delete=models.CASCADE, related_name="+", verbose_name=_("barn"), db_index=False
    )
    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kommune"),
        db_index=False,
    )
    district = models.ForeignKey(
        "organisation.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("distrikt"),
        db_index=False,
    )
    team = models.ForeignKey(
        "organisation.Team",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("team"),
        db_index=False,
    )
    state = models.CharField(_("status"), max_length=20, choices=CaseState.choices)
    ladder_step = models.ForeignKey(
        "measures.LadderStep",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trin på indsatstrappen"),
        help_text=_("Tom: under afklaring (ingen aktiv indsats)."),
        db_index=False,
    )
    measure_type = models.ForeignKey(
        "measures.MeasureType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("højeste aktive indsats"),
        db_index=False,
    )
    # Copied from the measure type on the day, so that a later change of the catalog does not move
    # past child-years between categories.
    placement_category = models.CharField(
        _("anbringelsestype"), max_length=20, choices=PlacementCategory.choices, blank=True, default=""
    )

    class Meta:
        abstract = True


class CaseSnapshot(CaseOnADay):
    """One open case on one day: its state, team, district, ladder step and the placement category
    of its highest active measure.

    Written once per (date, case) by the nightly task or the back-fill and never updated, so a later
    correction of a measure or a case does not rewrite the figures of the past. It has no history
    table for the same reason: there is nothing to record but its creation, and it is derived data
    (hundreds of thousands of rows a year) that the history would only double.
    """

    date = models.DateField(_("dato"))
    objects = CaseSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("øjebliksbillede af sag")
        verbose_name_plural = _("øjebliksbilleder af sager")
        ordering = ["date", "case"]
        constraints = [
            # (case, date) rather than (date, case): the index also finds a case's row on a day.
            models.UniqueConstraint(fields=["case", "date"], name="case_snapshot_one_per_day"),
        ]
        indexes = [
            models.Index(fields=["municipality", "date"], name="snapshot_municipality_date_idx"),
            models.Index(fields=["team", "date"], name="snapshot_team_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.case_id}"


class SnapshotRunQuerySet(CaseDataQuerySet):
    case_path = "case"


class SnapshotRun(CaseOnADay):
    """The snapshots of one case, run-length encoded: consecutive days (``first_date`` to
    ``last_date``, each with a snapshot) on which the case's snapshot said the same.

    The figures read these instead of the daily rows (issue 21 point 8): a case changes team,
    state or measure a few times a year, so a run stands for weeks of snapshots, and every count
    of a period (child-days, distinct children, cases, spend per day) is the same arithmetic on
    the runs' overlap with it. They are derived data written with the snapshots they encode, in
    the same transaction (``evaluation.services.snapshots_take``), and like the snapshots never
    rewritten by a later correction, so they are never stale.
    """

    first_date = models.DateField(_("fra"))
    last_date = models.DateField(_("til og med"))

    objects = SnapshotRunQuerySet.as_manager()
    # Encoded again from the snapshots (which are kept) whenever a back-fill touches them.
    derived_data = True

    class Meta:
        verbose_name = _("periode af øjebliksbilleder")
        verbose_name_plural = _("perioder af øjebliksbilleder")
        ordering = ["case", "first_date"]
        constraints = [
            models.UniqueConstraint(fields=["case", "first_date"], name="snapshot_run_one_start_per_case"),
            models.CheckConstraint(
                condition=models.Q(last_date__gte=models.F("first_date")), name="snapshot_run_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "first_date"], name="snapshot_run_municipality_idx"),
            models.Index(fields=["team", "first_date"], name="snapshot_run_team_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.first_date:%d.%m.%Y}-{self.last_date:%d.%m.%Y}"


class FollowUpDueQuerySet(CaseDataQuerySet):
    case_path = "case"


class FollowUpDue(models.Model):
    """One follow-up due for a measure up to the day of the nightly run (``FollowUpDueDay``), as
    the follow-up engine computes it (``evaluation.selectors.due_items``): when, under which
    requirement, whether it was held on time, and the case type of the measure's type.

    The follow-up figures (KORA Fig. 2.2, "Opfølgninger holdt rettidigt") read these rather than
    run the engine over every measure of a municipality on each page (issue 21 point 8). Derived
    data, computed anew every night for the whole municipality, so a follow-up recorded back in
    time counts from the next night; the page says when they were computed.
    """

    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kommune"),
        db_index=False,
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("sag"), db_index=False
    )
    measure = models.ForeignKey(
        "measures.Measure",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("indsats"),
        db_index=False,
    )
    due_date = models.DateField(_("frist"))
    kind = models.CharField(_("krav"), max_length=10)  # "municipal" or "statutory"
    # None: the engine cannot tell yet (as it says for a follow-up not held); counts as not on time.
    on_time = models.BooleanField(_("rettidig"), null=True)
    case_type = models.CharField(_("sagstype"), max_length=20)

    objects = FollowUpDueQuerySet.as_manager()
    derived_data = True

    class Meta:
        verbose_name = _("forfalden opfølgning")
        verbose_name_plural = _("forfaldne opfølgninger")
        indexes = [models.Index(fields=["municipality", "due_date"], name="followup_due_municipality_idx")]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.due_date:%d.%m.%Y}"


class FollowUpDueDay(models.Model):
    """The day a municipality's follow-ups due (``FollowUpDue``) were computed up to, and when."""

    municipality = models.OneToOneField(
        "organisation.Municipality", on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    as_of = models.DateField(_("til og med"))
    computed_at = models.DateTimeField(_("beregnet"), default=timezone.now)

    class Meta:
        verbose_name = _("beregning af forfaldne opfølgninger")
        verbose_name_plural = _("beregninger af forfaldne opfølgninger")

    def __str__(self) -> str:
        return f"{self.as_of:%d.%m.%Y}"


class SnapshotDay(models.Model):
    """That the snapshots of a municipality's cases for ``date`` have been taken.

    The figures read their coverage (first and last day with snapshots) from here, and the nightly
    task and the back-fill skip a day that is recorded, so a past day is never written twice.
    """

    class Method(models.TextChoices):
        NIGHTLY = "nightly", _("Natlig kørsel")
        BACKFILL = "backfill", _("Genskabt bagud")

    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    date = models.DateField(_("dato"))
    method = models.CharField(_("måde"), max_length=10, choices=Method.choices)
    cases = models.PositiveIntegerField(_("åbne sager"))
    taken_at = models.DateTimeField(_("taget"), default=timezone.now)

    class Meta:
        verbose_name = _("dag med øjebliksbilleder")
        verbose_name_plural = _("dage med øjebliksbilleder")
        ordering = ["municipality", "date"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "date"], name="snapshot_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} ({self.get_method_display()})"


class PlacementTarget(models.Model):
    """A goal for the share of placed child-years in some placement categories.

    Herning's goal in the Sverigesprojekt (Forebyggelsesudvalget 21.1.2013: "Ændret fordeling af anbragte: flere i familiepleje og slægts-/
    netværkspleje og færre på institution (75/25)") ships as two shared rows (no municipality):
    family care at least 75 %, institution at most 25 %. A municipality with targets of its own uses
    those instead. The committee item does not say what the 75/25 is a share of; the default counts it of all placed
    child-years, as KORA does in Tab. 2.2-2.3 ("i % af alle anbragte"); ``base_categories`` can
    narrow the base (e.g. family care and institution only).
    """

    class Comparison(models.TextChoices):
        AT_LEAST = "at_least", _("Mindst")
        AT_MOST = "at_most", _("Højst")

    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kommune"),
        help_text=_("Tom: et fælles standardmål for kommuner, der ikke har sat deres egne."),
    )
    name = models.CharField(_("navn"), max_length=120)
    categories = models.JSONField(
        _("anbringelsestyper"), default=list, help_text=_("De anbringelsestyper, hvis andel målet gælder.")
    )
    base_categories = models.JSONField(
        _("andel af"),
        default=list,
        blank=True,
        help_text=_("Tom: andel af alle anbragte årsbørn. Ellers andel af årsbørn i de valgte typer."),
    )
    comparison = models.CharField(_("mål"), max_length=10, choices=Comparison.choices)
    share = models.DecimalField(
        _("andel i %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    valid_from = models.DateField(_("gælder fra"))
    valid_to = models.DateField(_("gælder til"), null=True, blank=True)
    source = models.CharField(_("kilde"), max_length=250, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mål for anbringelser")
        verbose_name_plural = _("mål for anbringelser")
        ordering = ["municipality", "name", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="placement_target_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_comparison_display().lower()} {self.share:g} %"

    def clean(self) -> None:
        allowed = set(PlacementCategory.values) - {PlacementCategory.NONE}
        for field in ("categories", "base_categories"):
            value = getattr(self, field)
            if not isinstance(value, list) or not set(value) <= allowed:
                raise ValidationError({field: _("Vælg blandt anbringelsestyperne.")})
        if not self.categories:
            raise ValidationError({"categories": _("Vælg mindst én anbringelsestype.")})
        if self.base_categories and not set(self.categories) <= set(self.base_categories):
            raise ValidationError(
                {"base_categories": _("Målets anbringelsestyper skal være en del af det, andelen er af.")}
            )
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Slutdatoen kan ikke ligge før startdatoen.")})

    def is_met(self, share: Decimal) -> bool:
        return share >= self.share if self.comparison == self.Comparison.AT_LEAST else share <= self.share


class ComplaintQuerySet(CaseDataQuerySet):
    case_path = "case"


class Complaint(models.Model):
    """A complaint to the municipality over the handling of a child's case (klage over
    sagsbehandlingen), counted per team as KORA does in Tab. 3.2.

    ``team`` is the case's team when the complaint was received; it stays when the case moves.
    """

    class Subject(models.TextChoices):
        DECISION = "decision", _("Afgørelse")
        CASE_HANDLING = "case_handling", _("Sagsbehandlingen")
        PROCESSING_TIME = "processing_time", _("Sagsbehandlingstid")
        INVOLVEMENT = "involvement", _("Inddragelse af barn og familie")
        CONDUCT = "conduct", _("Medarbejders optræden")
        OTHER = "other", _("Andet")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Under behandling")
        UPHELD = "upheld", _("Medhold")
        PARTLY_UPHELD = "partly_upheld", _("Delvist medhold")
        REJECTED = "rejected", _("Ikke medhold")
        FORWARDED = "forwarded", _("Sendt videre til Ankestyrelsen")
        WITHDRAWN = "withdrawn", _("Trukket tilbage")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("sag")
    )
    team = models.ForeignKey(
        "organisation.Team", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("team")
    )
    received_on = models.DateField(_("modtaget"))
    subject = models.CharField(_("emne"), max_length=20, choices=Subject.choices)
    description = models.TextField(_("kort beskrivelse"), blank=True)
    outcome = models.CharField(_("udfald"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(_("afgjort"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registreret af")
    )
    recorded_at = models.DateTimeField(_("registreret"), default=timezone.now)
    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("klage")
        verbose_name_plural = _("klager")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="pending", decided_on__isnull=True)
                | (~models.Q(outcome="pending") & models.Q(decided_on__gte=models.F("received_on"))),
                name="complaint_decided_has_date",
            ),
        ]
        indexes = [models.Index(fields=["team", "received_on"], name="complaint_team_received_idx")]

    def __str__(self) -> str:
        return _("Klage modtaget %(date)s") % {"date": self.received_on.strftime("%d.%m.%Y")}

    def clean(self) -> None:
        if self.received_on and self.received_on > timezone.localdate():
            raise ValidationError({"received_on": _("Datoen for modtagelse kan ikke ligge i fremtiden.")})
        if self.outcome == self.Outcome.PENDING:
            if self.decided_on:
                raise ValidationError(
                    {"decided_on": _("En klage under behandling har ingen afgørelsesdato.")}
                )
        else:
            if not self.decided_on:
                raise ValidationError({"decided_on": _("Angiv, hvornår klagen blev afgjort.")})
            if self.received_on and self.decided_on < self.received_on:
                raise ValidationError(
                    {"decided_on": _("Klagen kan ikke være afgjort, før den blev modtaget.")}
                )
            if self.decided_on > timezone.localdate():
                raise ValidationError({"decided_on": _("Afgørelsesdatoen kan ikke ligge i fremtiden.")})


def _subscale(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )


class SdqScoreQuerySet(CaseDataQuerySet):
    """Scores are the child's measurements, read by whoever reads the child."""

    child_path = "child"


class SdqScore(models.Model):
    """A child's SDQ scores (Strengths and Difficulties Questionnaire) from one informant on one day.

    The total difficulties score (0-40) is the sum of the four difficulty subscales (emotional,
    conduct, hyperactivity, peer problems, 0-10 each); the prosocial subscale (0-10) is a strength
    and not part of the total (sdqinfo.org, "Scoring the SDQ"). Higher totals mean more difficulties.
    KORA measured teachers' totals for 25 children in 2014 and 2016 (KORA 2017, Tab. 3.3) and recommends
    measuring all children and following their progression.
    """

    class Informant(models.TextChoices):
        TEACHER = "teacher", _("Lærer eller pædagog")
        PARENT = "parent", _("Forælder")
        CHILD = "child", _("Barnet selv")

    # Self-report versions of the SDQ are for ages 11-17 (sdqinfo.org).
    SELF_REPORT_MIN_AGE = 11
    DIFFICULTY_FIELDS = ("emotional", "conduct", "hyperactivity", "peer")
    SUBSCALE_FIELDS = (*DIFFICULTY_FIELDS, "prosocial")

    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, related_name="sdq_scores", verbose_name=_("barn")
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sdq_scores",
        verbose_name=_("sag"),
    )
    informant = models.CharField(_("besvaret af"), max_length=10, choices=Informant.choices)
    assessed_on = models.DateField(_("besvaret"))
    total = models.PositiveSmallIntegerField(
        _("samlet vanskelighedsscore (0-40)"), validators=[MinValueValidator(0), MaxValueValidator(40)]
    )
    emotional = _subscale(_("emotionelle symptomer (0-10)"))
    conduct = _subscale(_("adfærdsproblemer (0-10)"))
    hyperactivity = _subscale(_("hyperaktivitet og opmærksomhed (0-10)"))
    peer = _subscale(_("problemer med jævnaldrende (0-10)"))
    prosocial = _subscale(_("prosocial adfærd (0-10)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registreret af")
    )
    recorded_at = models.DateTimeField(_("registreret"), default=timezone.now)
    objects = SdqScoreQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SDQ-score")
        verbose_name_plural = _("SDQ-scorer")
        ordering = ["child", "assessed_on", "informant"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "informant", "assessed_on"],
                name="sdq_one_per_child_informant_day",
                violation_error_message=_("Der er allerede en SDQ-score fra samme besvarer på den dato."),
            ),
            models.CheckConstraint(condition=models.Q(total__lte=40), name="sdq_total_at_most_40"),
        ]
        indexes = [models.Index(fields=["informant", "assessed_on"], name="sdq_informant_date_idx")]

    def __str__(self) -> str:
        return f"SDQ {self.assessed_on:%d.%m.%Y} ({self.get_informant_display()}): {self.total}"

    def clean(self) -> None:
        errors = {}
        given = [f for f in self.SUBSCALE_FIELDS if getattr(self, f) is not None]
        if given and len(given) < len(self.SUBSCALE_FIELDS):
            missing = [f for f in self.SUBSCALE_FIELDS if f not in given]
            for f in missing:
                errors[f] = _("Udfyld alle fem delskalaer eller ingen af dem.")
        elif given and self.total is not None:
            problems = sum(getattr(self, f) for f in self.DIFFICULTY_FIELDS)
            if problems != self.total:
                errors["total"] = _(
                    "Den samlede score skal være summen af de fire vanskelighedsskalaer (%(sum)s); "
                    "prosocial adfærd tælles ikke med."
                ) % {"sum": problems}
        if self.assessed_on and self.assessed_on > timezone.localdate():
            errors["assessed_on"] = _("Datoen kan ikke ligge i fremtiden.")
        if (
            self.informant == self.Informant.CHILD
            and self.child_id
            and self.assessed_on
            and self.child.age_on(self.assessed_on) < self.SELF_REPORT_MIN_AGE
        ):
            errors["informant"] = _("Barnet kan selv besvare SDQ fra %(age)s år.") % {
                "age": self.SELF_REPORT_MIN_AGE
            }
        if errors:
            raise ValidationError(errors)
