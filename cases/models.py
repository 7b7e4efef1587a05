"""The child (barnet) and the case (sagen), from the first notification to the end of the case.

Who may read a record is decided in ``cases.access``: every model here reads through
``visible_to(user)`` (or, for work done for no person, ``for_system()``), and its queryset says
only how a row reaches its case or child.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.access import CaseDataQuerySet, case_filter, child_filter, notification_filter
from herning.core import cpr as cpr_lib
from herning.core import law


class LegalBasis(models.Model):
    """A legal reference kept with both its Serviceloven and its Barnets Lov section.

    Barnets Lov replaced the child parts of Serviceloven on 1 January 2024; decisions made before
    that date cite SEL, later ones BL, and evaluation spans both (mapping: docs/domain.md §3).
    """

    code = models.SlugField(_("kode"), max_length=50, unique=True)
    title = models.CharField(_("betegnelse"), max_length=200)
    title_en = models.CharField(_("betegnelse (engelsk)"), max_length=200, blank=True)
    sel_section = models.CharField(
        _("Serviceloven"), max_length=60, blank=True, help_text=_("fx § 52, stk. 3, nr. 7")
    )
    bl_section = models.CharField(_("Barnets Lov"), max_length=60, blank=True, help_text=_("fx § 46"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lovgrundlag")
        verbose_name_plural = _("lovgrundlag")
        ordering = ["code"]

    def __str__(self) -> str:
        # Under today's law: the old and the new law side by side read as if both applied.
        return f"{self.title} ({self.citation_on(timezone.localdate())})"

    def citation_on(self, day) -> str:
        """The section under the law in force on ``day`` (``herning.core.law.regime_on``): a 2026
        decision cites Barnets Lov only. Falls back to the other section when the basis has none."""
        key = law.regime_on(day).key
        section = getattr(self, f"{key}_section", "")
        if section:
            return f"{key.upper()} {section}"
        return self.citation

    @property
    def citation(self) -> str:
        parts = []
        if self.sel_section:
            parts.append(f"SEL {self.sel_section}")
        if self.bl_section:
            parts.append(f"BL {self.bl_section}")
        return " / ".join(parts)


class ChildQuerySet(CaseDataQuerySet):
    def visible_to(self, user):
        return self.filter(child_filter(user))


class Child(models.Model):
    """A child or young person (barn/ung) known to the municipality.

    The CPR number identifies the child; birth date and legal sex follow from it. It is shown in
    full only on the child's own page, masked everywhere else, and never travels in a URL or a log.
    """

    class LegalSex(models.TextChoices):
        FEMALE = "F", _("Pige")
        MALE = "M", _("Dreng")

    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("kommune"),
    )
    cpr = models.CharField(_("CPR-nummer"), max_length=10, validators=[cpr_lib.validate_cpr])
    birth_date = models.DateField(_("fødselsdato"), editable=False)
    legal_sex = models.CharField(_("juridisk køn"), max_length=1, choices=LegalSex.choices, editable=False)
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("efternavn"), max_length=100)
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    city = models.CharField(_("by"), max_length=100, blank=True)
    school_district = models.ForeignKey(
        "organisation.SchoolDistrict",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("skoledistrikt"),
    )
    district = models.ForeignKey(
        "organisation.District",
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("distrikt"),
        help_text=_("Følger af adressens skoledistrikt, men kan vælges."),
    )
    school_or_daycare = models.CharField(_("skole eller dagtilbud"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    objects = ChildQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["cpr"])

    class Meta:
        verbose_name = _("barn")
        verbose_name_plural = _("børn")
        ordering = ["last_name", "first_name"]
        constraints = [
            # A CPR number is one child in a municipality; several municipalities on one installation
            # are separate data controllers and keep separate records.
            models.UniqueConstraint(fields=["municipality", "cpr"], name="child_unique_cpr_per_municipality"),
        ]
        indexes = [models.Index(fields=["municipality", "cpr"], name="child_cpr_idx")]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        if self.cpr and (not self.birth_date or not self.legal_sex):
            # Deriving the stored number's facts, not judging it: input is validated where it is typed.
            parsed = cpr_lib.parse(self.cpr, allow_future=True)
            self.cpr, self.birth_date, self.legal_sex = parsed.digits, parsed.birth_date, parsed.legal_sex
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def masked_cpr(self) -> str:
        return cpr_lib.mask(self.cpr)

    @property
    def formatted_cpr(self) -> str:
        return f"{self.cpr[:6]}-{self.cpr[6:]}" if self.cpr else ""

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def clean(self) -> None:
        if self.cpr:
            parsed = cpr_lib.parse(self.cpr)
            self.cpr = parsed.digits
            self.birth_date = parsed.birth_date
            self.legal_sex = parsed.legal_sex
        if self.school_district_id and not self.district_id:
            self.district_id = self.school_district.district_id


class RelationQuerySet(CaseDataQuerySet):
    child_path = "child"


class Relation(models.Model):
    """A person around the child: custody holders, parents, siblings, network persons."""

    class Kind(models.TextChoices):
        MOTHER = "mother", _("Mor")
        FATHER = "father", _("Far")
        PARENT = "parent", _("Forælder")
        STEP_PARENT = "step_parent", _("Papforælder")
        SIBLING = "sibling", _("Søskende")
        GRANDPARENT = "grandparent", _("Bedsteforælder")
        RELATIVE = "relative", _("Anden familie")
        NETWORK = "network", _("Netværksperson")
        FOSTER_PARENT = "foster_parent", _("Plejeforælder")
        OTHER = "other", _("Anden")

    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="relations", verbose_name=_("barn")
    )
    kind = models.CharField(_("relation"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("navn"), max_length=200)
    has_custody = models.BooleanField(_("har forældremyndighed"), default=False)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, validators=[EmailValidator()])
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    note = models.CharField(_("bemærkning"), max_length=250, blank=True)
    is_active = models.BooleanField(_("aktuel"), default=True)
    objects = RelationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relationer")
        ordering = ["-has_custody", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class CaseState(models.TextChoices):
    """Where a case is in its life (docs/domain.md §4)."""

    NOTIFICATION = "notification", _("Underretning modtaget")
    CLARIFICATION = "clarification", _("Afklaring")
    INVESTIGATION = "investigation", _("Børnefaglig undersøgelse")
    MEASURES = "measures", _("Indsatser")
    AFTERCARE = "aftercare", _("Efterværn")
    CLOSED = "closed", _("Lukket")


def open_case_q(prefix: str = "") -> models.Q:
    """The one definition of an open case: every state but closed (a closed case is kept,
    read-only). ``prefix`` reaches the case through a relation, e.g. ``"case__"``. The caseload,
    the dashboards, the API, the deadlines and the figures all count open cases with this (or with
    ``Case.objects.open()`` and ``Case.is_open``, which say the same)."""
    return ~models.Q(**{f"{prefix}state": CaseState.CLOSED})


class CaseQuerySet(CaseDataQuerySet):
    def visible_to(self, user, *, teams=None):
        """The cases ``user`` may read (``cases.access``); with ``teams``, those teams' only."""
        return self.filter(case_filter(user, teams=teams))

    def open(self):
        return self.filter(open_case_q())


class Case(models.Model):
    """A child's case (børnesag). At most one is open per child; closed ones are kept, read-only.

    ``current_step`` is the highest ladder step among the active measures, or empty when the case
    is being clarified or investigated. The state moves by one rule (``cases.services.state``); the
    measures app reports its changes through ``case_transition`` and ``case_step_set``.
    """

    class ClosingReason(models.TextChoices):
        NO_NEED = "no_need", _("Intet behov for støtte")
        GOALS_MET = "goals_met", _("Målene er nået")
        MOVED = "moved", _("Flyttet til anden kommune")
        AGED_OUT = "aged_out", _("Fyldt 18 / efterværn afsluttet")
        GENERAL_SUPPORT = "general_support", _("Overgået til almenområdet")
        DECLINED = "declined", _("Familien har frabedt sig støtte")
        OTHER = "other", _("Andet")

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases", verbose_name=_("barn"))
    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.PROTECT, related_name="cases", verbose_name=_("kommune")
    )
    district = models.ForeignKey(
        "organisation.District", on_delete=models.PROTECT, related_name="cases", verbose_name=_("distrikt")
    )
    team = models.ForeignKey(
        "organisation.Team", on_delete=models.PROTECT, related_name="cases", verbose_name=_("team")
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("socialrådgiver"),
    )
    state = models.CharField(
        _("status"), max_length=20, choices=CaseState.choices, default=CaseState.NOTIFICATION
    )
    legal_basis = models.ForeignKey(
        LegalBasis,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lovgrundlag"),
    )
    current_step = models.ForeignKey(
        "measures.LadderStep",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trin på indsatstrappen"),
    )
    opened_on = models.DateField(_("oprettet"), default=timezone.localdate)
    closed_on = models.DateField(_("lukket"), null=True, blank=True)
    closing_reason = models.CharField(
        _("lukkeårsag"), max_length=20, choices=ClosingReason.choices, blank=True
    )
    closing_note = models.TextField(_("bemærkning til lukning"), blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseParticipant",
        related_name="participating_cases",
        blank=True,
        verbose_name=_("tilknyttede fagpersoner"),
    )
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sag")
        verbose_name_plural = _("sager")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=~models.Q(state="closed"),
                name="case_one_open_per_child",
                violation_error_message=_("Barnet har allerede en åben sag."),
            ),
            models.CheckConstraint(
                condition=models.Q(state="closed", closed_on__isnull=False) | ~models.Q(state="closed"),
                name="case_closed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["advisor", "state"], name="case_advisor_state_idx"),
            models.Index(fields=["team", "state"], name="case_team_state_idx"),
        ]

    def __str__(self) -> str:
        return _("Sag %(pk)s: %(child)s") % {"pk": self.pk, "child": self.child}

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    @property
    def legal_basis_citation(self) -> str:
        """The case's legal basis cited under the law in force now (on its last day if closed)."""
        if self.legal_basis is None:
            return ""
        return self.legal_basis.citation_on(self.closed_on or timezone.localdate())

    def clean(self) -> None:
        if self.team_id and self.district_id and self.team.district_id != self.district_id:
            raise ValidationError({"team": _("Teamet hører til et andet distrikt end sagen.")})


class CaseParticipantQuerySet(CaseDataQuerySet):
    case_path = "case"


class CaseParticipant(models.Model):
    """A professional added to a case beyond its advisor: PPR psychologist, health visitor, a
    second advisor. Being added is what lets them read the case (cases.access)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_participations"
    )
    added_on = models.DateField(_("tilføjet"), default=timezone.localdate)
    note = models.CharField(_("rolle i sagen"), max_length=200, blank=True)
    objects = CaseParticipantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tilknyttet fagperson")
        verbose_name_plural = _("tilknyttede fagpersoner")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_participant_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.note})" if self.note else str(self.user)


class NotificationQuerySet(CaseDataQuerySet):
    def visible_to(self, user):
        return self.filter(notification_filter(user))


class Notification(models.Model):
    """An underretning: a concern for a child received by the municipality.

    Registered by a case administrator, sent to the duty advisor of the child's district, assessed
    within 24 hours (SEL § 155 / BL § 136); a professional notifier gets a receipt within six
    working days (SEL § 155 b / BL § 136). Herning's intake practice: Herningmodellen 1.0
    "Håndtering af nye underretninger".
    """

    class NotifierKind(models.TextChoices):
        PROFESSIONAL = "professional", _("Fagperson (skærpet underretningspligt)")
        PRIVATE = "private", _("Privatperson")
        ANONYMOUS = "anonymous", _("Anonym")

    class ScreeningOutcome(models.TextChoices):
        """Barnets Lov § 18, stk. 1, nr. 1-3."""

        NO_FURTHER = "no_further", _("Kræver ikke yderligere afdækning")
        CLARIFICATION = "clarification", _("Afdækning af et eller flere forhold (§ 19)")
        INVESTIGATION = "investigation", _("Børnefaglig undersøgelse (§§ 20-22)")

    class FeedbackOutcome(models.TextChoices):
        """What the professional notifier is told (SEL § 155 b, stk. 2 / Barnets Lov § 136)."""

        INVESTIGATION = "investigation", _("Der er iværksat en afdækning eller en børnefaglig undersøgelse")
        MEASURE = "measure", _("Der er iværksat en indsats")
        NOTHING = "nothing", _("Der er ikke iværksat en undersøgelse eller en indsats")

    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("kommune"),
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("barn")
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("sag"),
    )
    district = models.ForeignKey(
        "organisation.District",
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("distrikt"),
    )
    received_at = models.DateTimeField(_("modtaget"))
    notifier_kind = models.CharField(_("underretter"), max_length=20, choices=NotifierKind.choices)
    notifier_name = models.CharField(_("underretters navn"), max_length=200, blank=True)
    notifier_organisation = models.CharField(_("underretters arbejdssted"), max_length=200, blank=True)
    notifier_email = models.EmailField(_("underretters e-mail"), blank=True)
    notifier_phone = models.CharField(_("underretters telefon"), max_length=30, blank=True)
    concern = models.TextField(_("bekymring"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registreret af")
    )
    registered_at = models.DateTimeField(_("registreret"), default=timezone.now)
    duty_advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_notifications",
        verbose_name=_("vagtrådgiver"),
    )
    assessment_due_at = models.DateTimeField(_("frist for 24-timers vurdering"))
    assessed_at = models.DateTimeField(_("vurderet"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vurderet af"),
    )
    acute_danger = models.BooleanField(_("akut fare"), null=True, blank=True)
    assessment_action = models.TextField(_("hvad blev gjort"), blank=True)
    receipt_due_on = models.DateField(_("frist for kvittering"), null=True, blank=True)
    receipt_sent_on = models.DateField(_("kvittering sendt"), null=True, blank=True)
    # The screening of the child's need for help (Barnets Lov § 18; from 1 January 2024).
    screening_due_on = models.DateField(_("frist for screening"), null=True, blank=True)
    screened_on = models.DateField(_("screenet"), null=True, blank=True)
    screening_outcome = models.CharField(
        _("screeningens resultat"),
        max_length=20,
        choices=ScreeningOutcome.choices,
        blank=True,
        default="",
        db_default="",
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("screenet af"),
    )
    # The feedback to a professional notifier (SEL § 155 b, stk. 2 / Barnets Lov § 136).
    feedback_due_on = models.DateField(_("frist for tilbagemelding"), null=True, blank=True)
    feedback_sent_on = models.DateField(_("tilbagemelding sendt"), null=True, blank=True)
    feedback_outcome = models.CharField(
        _("tilbagemeldingens indhold"),
        max_length=20,
        choices=FeedbackOutcome.choices,
        blank=True,
        default="",
        db_default="",
    )
    advisor_informed_at = models.DateTimeField(_("sagens rådgiver orienteret"), null=True, blank=True)
    history = HistoricalRecords()

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("underretning")
        verbose_name_plural = _("underretninger")
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["district", "assessment_due_at"],
                condition=models.Q(assessed_at__isnull=True),
                name="notification_awaiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return _("Underretning %(date)s om %(child)s") % {
            "date": timezone.localtime(self.received_at).strftime("%d.%m.%Y"),
            "child": self.child,
        }

    @property
    def is_assessed(self) -> bool:
        return self.assessed_at is not None

    @property
    def regime(self) -> law.Regime:
        """The law the notification is judged by: the one in force on its day of receipt."""
        return law.regime_on(timezone.localdate(self.received_at))


class InvestigationQuerySet(CaseDataQuerySet):
    case_path = "case"


class Investigation(models.Model):
    """A børnefaglig undersøgelse (SEL § 50 / BL § 20).

    It is to be finished within four months of the day the municipality became aware that the
    child may need special support (``aware_on``), not of the decision to investigate (Barnets Lov
    § 20, stk. 3; Serviceloven § 50, stk. 7 until 2023). If it exceptionally cannot be finished by
    then, the municipality writes an interim assessment (foreløbig vurdering) and finishes the
    investigation as soon as possible after (same provisions); ``interim_assessed_on`` records it.
    ``aware_on`` defaults to the receipt of the notification that led to the investigation
    (``cases.services.investigations.default_aware_on``); a change is made with a reason, kept in
    the history.

    From 2016 every new investigation in Herning includes a network map made with the parents and
    the child (Herningmodellen 1.0 "Bedre afklaring af netværk"); the map lives in network_meetings and
    points here, and the case page warns while none is attached.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="investigations", verbose_name=_("sag")
    )
    decided_on = models.DateField(_("besluttet"))
    aware_on = models.DateField(
        _("kommunen blev opmærksom"),
        help_text=_("Dagen kommunen blev opmærksom på, at barnet kan have behov for særlig støtte."),
    )
    aware_on_reason = models.CharField(
        _("begrundelse for ændret opmærksomhedsdato"), max_length=250, blank=True, default="", db_default=""
    )
    deadline = models.DateField(_("frist"))
    completed_on = models.DateField(_("afsluttet"), null=True, blank=True)
    conclusion = models.TextField(_("konklusion"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("besluttet af")
    )
    interim_assessed_on = models.DateField(_("foreløbig vurdering udarbejdet"), null=True, blank=True)
    interim_assessment = models.TextField(_("foreløbig vurdering"), blank=True, default="", db_default="")
    interim_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("foreløbig vurdering af"),
    )
    objects = InvestigationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("børnefaglig undersøgelse")
        verbose_name_plural = _("børnefaglige undersøgelser")
        ordering = ["-decided_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(aware_on__lte=models.F("decided_on")),
                name="investigation_aware_before_decision",
                violation_error_message=_("Kommunen kan ikke være blevet opmærksom efter beslutningen."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=models.Q(completed_on__isnull=True),
                name="investigation_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return _("Undersøgelse besluttet %(date)s") % {"date": self.decided_on.strftime("%d.%m.%Y")}

    @property
    def is_open(self) -> bool:
        return self.completed_on is None

    @property
    def interim_assessed(self) -> bool:
        return self.interim_assessed_on is not None

    def interim_assessment_due(self, today) -> bool:
        """Whether the interim assessment is owed on ``today``: the four months have run out (their
        last day has come) with the investigation unfinished and no interim assessment written."""
        return self.is_open and not self.interim_assessed and today >= self.deadline

    @property
    def has_network_map(self) -> bool:
        """Whether a network map is attached; answered by whichever app owns network maps
        (``cases.extensions.register_network_map_check``), False until one is wired."""
        from cases.extensions import investigation_has_network_map

        return investigation_has_network_map(self)


class PlanQuerySet(CaseDataQuerySet):
    case_path = "case"


class Plan(models.Model):
    """The child's plan: handleplan (SEL § 140), from 2024 barnets plan (BL §§ 91-92) or ungeplan
    (BL § 108). Each revision is a new version; earlier versions are kept unchanged."""

    class Kind(models.TextChoices):
        ACTION_PLAN = "handleplan", _("Handleplan (SEL § 140)")
        CHILD_PLAN = "barnets_plan", _("Barnets plan (BL § 91)")
        YOUTH_PLAN = "ungeplan", _("Ungeplan (BL § 108)")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans", verbose_name=_("sag"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    purpose = models.TextField(_("formål"), blank=True)
    due_on = models.DateField(_("frist"), null=True, blank=True)
    made_on = models.DateField(_("udarbejdet"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("udarbejdet af")
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("planer")
        ordering = ["case", "-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="plan_unique_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def is_made(self) -> bool:
        """A plan whose ``made_on`` is empty is required but not made yet (its deadline runs)."""
        return self.made_on is not None


class GoalQuerySet(CaseDataQuerySet):
    case_path = "plan__case"


class Goal(models.Model):
    """A SMART goal of a plan: what, who works on it, how progress is seen, by when."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Ikke påbegyndt")
        IN_PROGRESS = "in_progress", _("I gang")
        PARTLY_MET = "partly_met", _("Delvist nået")
        MET = "met", _("Nået")
        NOT_MET = "not_met", _("Ikke nået")
        DROPPED = "dropped", _("Opgivet")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="goals", verbose_name=_("plan"))
    what = models.TextField(_("mål (hvad)"))
    who = models.CharField(_("hvem arbejder med det"), max_length=250)
    how_measured = models.TextField(_("hvordan ses fremskridt"))
    by_when = models.DateField(_("hvornår"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    status_note = models.TextField(_("bemærkning til status"), blank=True)
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    # The same goal in the previous version of the plan, so its status can be followed over time.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("videreført fra"),
    )
    objects = GoalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.what[:80]


class JournalNoteQuerySet(CaseDataQuerySet):
    case_path = "case"


class JournalNote(models.Model):
    """A note in the case's journal. Never edited in place without history, never deleted by an
    advisor (offentlighedsloven § 15, notatpligt)."""

    class Heading(models.TextChoices):
        CHILD_CONVERSATION = "child_conversation", _("Børnesamtale")
        HEARING_CHILD = "hearing_child", _("Partshøring – af barnet")
        HEARING_PARENTS = "hearing_parents", _("Partshøring – af forældre")
        NETWORK_MEETING = "network_meeting", _("Netværksmøde")
        PHONE_CALL = "phone_call", _("Telefonsamtale")
        MEETING = "meeting", _("Møde")
        HOME_VISIT = "home_visit", _("Hjemmebesøg")
        FOLLOW_UP = "follow_up", _("Opfølgning")
        SUPERVISORY_VISIT = "supervisory_visit", _("Tilsynsbesøg")
        NOTIFICATION = "notification", _("Underretning")
        DECISION = "decision", _("Afgørelse")
        CORRESPONDENCE = "correspondence", _("Korrespondance")
        NOTE = "note", _("Notat")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="journal_notes", verbose_name=_("sag")
    )
    heading = models.CharField(_("overskrift"), max_length=30, choices=Heading.choices)
    occurred_on = models.DateField(_("dato"), default=timezone.localdate)
    text = models.TextField(_("tekst"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("skrevet af")
    )
    written_at = models.DateTimeField(_("skrevet"), default=timezone.now)
    # A correction is made openly: who, when and why show on the note; the earlier text stays in
    # the history.
    corrected_at = models.DateTimeField(_("rettet"), null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rettet af"),
    )
    correction_reason = models.CharField(_("begrundelse for rettelse"), max_length=250, blank=True)
    objects = JournalNoteQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("journalnotat")
        verbose_name_plural = _("journalnotater")
        ordering = ["-occurred_on", "-written_at"]
        indexes = [models.Index(fields=["case", "-occurred_on"], name="journal_case_date_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_on:%d.%m.%Y} {self.get_heading_display()}"


class CaseloadOverrideQuerySet(CaseDataQuerySet):
    case_path = "case"


class CaseloadOverride(models.Model):
    """A team leader gave an advisor a case above the team's caseload cap, with a written reason.

    The cap is the model's precondition: "Nærværende opfølgningspraksis kan overholdes med
    maksimalt 20-25 børnesager per rådgiver" (Herningmodellen 1.0, "Forudsætninger"; docs/domain.md §5), so
    going above it is an exception that is recorded and shown on the team leader's dashboard.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="caseload_overrides", verbose_name=_("sag")
    )
    team = models.ForeignKey(
        "organisation.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("socialrådgiver")
    )
    load = models.PositiveSmallIntegerField(_("åbne sager før fordelingen"))
    cap = models.PositiveSmallIntegerField(_("teamets loft"))
    reason = models.TextField(_("begrundelse"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("besluttet af")
    )
    decided_at = models.DateTimeField(_("besluttet"), default=timezone.now)
    objects = CaseloadOverrideQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tilsidesættelse af sagsloftet")
        verbose_name_plural = _("tilsidesættelser af sagsloftet")
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["team", "decided_at"], name="caseload_override_team_idx")]

    def __str__(self) -> str:
        return _("%(advisor)s: sag %(case)s over loftet (%(load)s af %(cap)s)") % {
            "advisor": self.advisor,
            "case": self.case_id,
            "load": self.load,
            "cap": self.cap,
        }


class CaseTransferQuerySet(CaseDataQuerySet):
    case_path = "case"


class CaseTransfer(models.Model):
    """A case moved to another district's team because the family moved.

    Herning's practice (Herningmodellen 1.0, "Praksis ved flytning af socialrådgivernes sager mellem
    distrikter"): cases move with the citizen, placement and aftercare cases excepted; the team
    leader of the receiving team gives the case an advisor; the advisor who gives the case away
    calls a handover meeting (overleveringsmøde) with the new advisor. ``handover_due_on`` is the
    deadline for that meeting, a deadline of the advisor who gave the case away.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("sag"))
    from_team = models.ForeignKey(
        "organisation.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("fra team")
    )
    to_team = models.ForeignKey(
        "organisation.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("til team")
    )
    from_advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("afgivende rådgiver"),
    )
    transferred_on = models.DateField(_("flyttet"))
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("flyttet af")
    )
    note = models.TextField(_("bemærkning"), blank=True)
    handover_due_on = models.DateField(_("frist for overleveringsmøde"), null=True, blank=True)
    handover_held_on = models.DateField(_("overleveringsmøde holdt"), null=True, blank=True)
    handover_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overlevering registreret af"),
    )
    objects = CaseTransferQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("flytning af sag")
        verbose_name_plural = _("flytninger af sager")
        ordering = ["-transferred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(handover_due_on__isnull=True) | models.Q(from_advisor__isnull=False),
                name="case_transfer_handover_has_advisor",
            ),
        ]

    def __str__(self) -> str:
        return _("Sag %(case)s flyttet %(date)s") % {
            "case": self.case_id,
            "date": self.transferred_on.strftime("%d.%m.%Y"),
        }

    @property
    def handover_open(self) -> bool:
        return self.handover_due_on is not None and self.handover_held_on is None


class AccessRequestQuerySet(CaseDataQuerySet):
    """Read by whoever reads the child (the team leader who decides it); the person who asked does
    not read the child, so the request tells them nothing back (docs/access.md)."""

    child_path = "child"

    def pending(self):
        return self.filter(state=AccessRequest.State.PENDING)

    def for_leader(self, user):
        """The requests routed to a team ``user`` leads (the team of the child's case, or, for a
        child with no case, any team of the child's district)."""
        return self.filter(
            models.Q(team__in=sorted(user.led_team_ids()))
            | models.Q(team__isnull=True, district__in=sorted(user.led_district_ids()))
        )


class AccessRequest(models.Model):
    """A person asked for access to a child they may not see, by registering a CPR number the
    municipality already knows. The team leader responsible for the child grants it (the person is
    added to the case) or refuses it. The person is never told who the child is."""

    class State(models.TextChoices):
        PENDING = "pending", _("Afventer")
        GRANTED = "granted", _("Imødekommet")
        REFUSED = "refused", _("Afvist")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="access_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_requests",
        verbose_name=_("anmodet af"),
    )
    purpose = models.CharField(_("formål"), max_length=500)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now, db_index=True)
    # Who decides: the team of the child's case (open, else the last), or with no case the
    # child's district, whose team leaders all see it.
    team = models.ForeignKey(
        "organisation.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey("organisation.District", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("afgjort af"),
    )
    decided_at = models.DateTimeField(_("afgjort"), null=True, blank=True)

    objects = AccessRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anmodning om adgang")
        verbose_name_plural = _("anmodninger om adgang")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="accessrequest_user_idx")]

    def __str__(self) -> str:
        return f"{self.requested_by} → {self.child_id} ({self.state})"
