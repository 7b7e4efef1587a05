"""The DUBU exchange: mapping profiles (which column holds what), the code table (DUBU's service,
offer and legal basis → our measure type), the link from a DUBU case id to our case, and a record
of every import run.

DUBU offers no public write API and no public export specification (docs/dubu-exchange.md): the
municipality's DUBU extract is a spreadsheet whose column names it chooses, so the columns and the
codes are data an administrator edits, with shipped defaults (docs/dubu-exchange.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.access import CaseDataQuerySet

# The fields a row carries, in the order of the default file, with the Danish column name of the
# default profile. Each is a column-name field ``<name>_column`` on ``MappingProfile``.
FIELDS = (
    ("case_id", "DUBU sags-id"),
    ("cpr", "CPR-nummer"),
    ("first_name", "Fornavn"),
    ("last_name", "Efternavn"),
    ("advisor", "Sagsbehandler"),
    ("district", "Distrikt"),
    ("service", "Ydelse"),
    ("offer", "Tilbud"),
    ("legal_basis", "Lovhjemmel"),
    ("start", "Startdato"),
    ("end", "Slutdato"),
    ("provider", "Leverandør"),
    ("last_followup", "Seneste opfølgning"),
)
REQUIRED_FIELDS = ("case_id", "cpr", "first_name", "last_name", "district")


class MappingProfile(models.Model):
    """How one municipality's DUBU files are laid out: the name of each column, the separator,
    the character set and how dates are written."""

    class Delimiter(models.TextChoices):
        AUTO = "auto", _("Find selv (semikolon eller komma)")
        SEMICOLON = ";", _("Semikolon")
        COMMA = ",", _("Komma")

    class Encoding(models.TextChoices):
        AUTO = "auto", _("Find selv (UTF-8, ellers Windows-1252)")
        UTF8 = "utf-8", _("UTF-8")
        CP1252 = "cp1252", _("Windows-1252")

    class DateFormat(models.TextChoices):
        DANISH = "%d-%m-%Y", _("DD-MM-ÅÅÅÅ")
        DOTTED = "%d.%m.%Y", _("DD.MM.ÅÅÅÅ")
        ISO = "%Y-%m-%d", _("ÅÅÅÅ-MM-DD")

    name = models.CharField(_("navn"), max_length=100, unique=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    is_default = models.BooleanField(
        _("standard"),
        default=False,
        help_text=_("Bruges, når en import eller et udtræk ikke nævner en profil."),
    )
    delimiter = models.CharField(
        _("skilletegn"), max_length=4, choices=Delimiter.choices, default=Delimiter.AUTO
    )
    encoding = models.CharField(_("tegnsæt"), max_length=10, choices=Encoding.choices, default=Encoding.AUTO)
    date_format = models.CharField(
        _("datoformat i udtræk"),
        max_length=12,
        choices=DateFormat.choices,
        default=DateFormat.DANISH,
        help_text=_("En import læser alle tre formater; et udtræk skriver dette."),
    )
    case_id_column = models.CharField(_("kolonne: DUBU sags-id"), max_length=100, default="DUBU sags-id")
    cpr_column = models.CharField(_("kolonne: CPR-nummer"), max_length=100, default="CPR-nummer")
    first_name_column = models.CharField(_("kolonne: fornavn"), max_length=100, default="Fornavn")
    last_name_column = models.CharField(_("kolonne: efternavn"), max_length=100, default="Efternavn")
    advisor_column = models.CharField(_("kolonne: sagsbehandler"), max_length=100, default="Sagsbehandler")
    district_column = models.CharField(_("kolonne: distrikt"), max_length=100, default="Distrikt")
    service_column = models.CharField(_("kolonne: ydelse"), max_length=100, default="Ydelse")
    offer_column = models.CharField(_("kolonne: tilbud"), max_length=100, default="Tilbud")
    legal_basis_column = models.CharField(_("kolonne: lovhjemmel"), max_length=100, default="Lovhjemmel")
    start_column = models.CharField(_("kolonne: startdato"), max_length=100, default="Startdato")
    end_column = models.CharField(_("kolonne: slutdato"), max_length=100, default="Slutdato")
    provider_column = models.CharField(_("kolonne: leverandør"), max_length=100, default="Leverandør")
    last_followup_column = models.CharField(
        _("kolonne: seneste opfølgning"), max_length=100, default="Seneste opfølgning"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("DUBU-profil")
        verbose_name_plural = _("DUBU-profiler")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="dubu_one_default_profile"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def columns(self) -> dict[str, str]:
        """Field → the column name of this profile."""
        return {field: getattr(self, f"{field}_column").strip() for field, _label in FIELDS}

    @classmethod
    def default(cls) -> MappingProfile | None:
        return cls.objects.filter(is_default=True).first() or cls.objects.order_by("pk").first()


class CodeMapping(models.Model):
    """One line of the code table: a DUBU service (ydelse), optionally narrowed by offer (tilbud)
    and legal basis (lovhjemmel), is our measure type. Empty offer or legal basis matches any; the
    most specific line wins. Matching ignores case and surrounding spaces."""

    profile = models.ForeignKey(
        MappingProfile, on_delete=models.CASCADE, related_name="code_mappings", verbose_name=_("profil")
    )
    service = models.CharField(_("ydelse"), max_length=200)
    offer = models.CharField(_("tilbud"), max_length=200, blank=True)
    legal_basis = models.CharField(_("lovhjemmel"), max_length=200, blank=True)
    measure_type = models.ForeignKey(
        "measures.MeasureType", on_delete=models.PROTECT, related_name="+", verbose_name=_("indsatstype")
    )
    note = models.CharField(_("bemærkning"), max_length=250, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kode i DUBU-kodetabellen")
        verbose_name_plural = _("DUBU-kodetabel")
        ordering = ["profile", "service", "offer", "legal_basis"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "service", "offer", "legal_basis"],
                name="dubu_code_mapping_unique",
                violation_error_message=_(
                    "Profilen har allerede en linje for denne ydelse, dette tilbud og denne lovhjemmel."
                ),
            )
        ]

    def __str__(self) -> str:
        parts = [p for p in (self.service, self.offer, self.legal_basis) if p]
        return f"{' / '.join(parts)} → {self.measure_type.code}"


class DubuCaseQuerySet(CaseDataQuerySet):
    case_path = "case"


class DubuCase(models.Model):
    """That DUBU's case ``dubu_case_id`` is our ``case``: imports find the case by it, exports
    write it back."""

    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    dubu_case_id = models.CharField(_("DUBU sags-id"), max_length=50)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="dubu_link", verbose_name=_("sag")
    )
    linked_at = models.DateTimeField(_("koblet"), auto_now_add=True)
    objects = DubuCaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("DUBU-sag")
        verbose_name_plural = _("DUBU-sager")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "dubu_case_id"], name="dubu_case_id_unique"),
        ]

    def __str__(self) -> str:
        return f"DUBU {self.dubu_case_id} → {self.case_id}"


class ImportRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportRunQuerySet:
        """The runs a team leader may read: their own and those of the teams they lead (a run
        carries the teams its importer led), in their municipality. The report names files and
        row errors, which say something about the teams' cases, so another team's runs stay out."""
        if not (user and user.is_authenticated and user.municipality_id):
            return self.none()
        return self.filter(
            models.Q(user=user) | models.Q(teams__in=user.led_team_ids()),
            municipality_id=user.municipality_id,
        ).distinct()


class ImportRun(models.Model):
    """One import (or dry run): who, when, which file and profile, and its report. The report
    holds counts and row errors; no CPR number or name is ever written into it.

    A large file is imported in the background (``dubu.jobs``): the run is the job, ``state`` and
    ``progress`` say how far it has come, and the report is written when it is done."""

    class State(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("I gang")
        DONE = "done", _("Færdig")
        FAILED = "failed", _("Fejlet")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("udført af")
    )
    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    teams = models.ManyToManyField(
        "organisation.Team",
        related_name="+",
        blank=True,
        verbose_name=_("teams"),
        help_text=_("De teams, den der importerede, var teamleder for; deres teamledere ser kørslen."),
    )
    profile = models.ForeignKey(
        MappingProfile, on_delete=models.PROTECT, related_name="runs", verbose_name=_("profil")
    )
    file_name = models.CharField(_("fil"), max_length=255)
    started_at = models.DateTimeField(_("startet"), auto_now_add=True)
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    state = models.CharField(_("tilstand"), max_length=10, choices=State.choices, default=State.DONE)
    progress = models.PositiveSmallIntegerField(_("fremskridt (%)"), default=100)
    seconds = models.FloatField(_("sekunder"), default=0)
    dry_run = models.BooleanField(_("prøvekørsel"), default=False)
    skip_bad_rows = models.BooleanField(_("spring fejlrækker over"), default=False)
    committed = models.BooleanField(_("gemt"), default=False)
    report = models.JSONField(_("rapport"), default=dict)
    # The run's own last change (its state, progress or report), the API's ``updated_at``: a run
    # keeps no history, and the job's writes by ``update()`` and the progress writer's SQL set it
    # themselves (``dubu.jobs``).
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)
    objects = ImportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("DUBU-import")
        verbose_name_plural = _("DUBU-importer")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class ImportUpload(models.Model):
    """The file of a background import, kept for the worker until the job has read it, then
    deleted. In the database rather than on a disk: it holds CPR numbers, so it is kept where the
    case data is (same access, same backups), it is written in the transaction that creates the
    run (a request that fails leaves no file behind), and the web server and the worker need
    share no directory."""

    run = models.OneToOneField(ImportRun, on_delete=models.CASCADE, related_name="upload", primary_key=True)
    content = models.BinaryField()

    class Meta:
        verbose_name = _("DUBU-fil til en import i baggrunden")
        verbose_name_plural = _("DUBU-filer til importer i baggrunden")

    def __str__(self) -> str:
        return f"{self.run_id}"


class DubuMeasureQuerySet(CaseDataQuerySet):
    case_path = "measure__case"


class DubuMeasure(models.Model):
    """DUBU's own words for a measure, as its file wrote them: service (ydelse), offer (tilbud)
    and legal basis (lovhjemmel). Kept only where they differ from what an export would write
    from the code table, so that an export gives DUBU back what it sent (docs/dubu-exchange.md)."""

    measure = models.OneToOneField(
        "measures.Measure", on_delete=models.PROTECT, related_name="dubu_codes", verbose_name=_("indsats")
    )
    service = models.CharField(_("ydelse"), max_length=200)
    offer = models.CharField(_("tilbud"), max_length=200, blank=True)
    legal_basis = models.CharField(_("lovhjemmel"), max_length=200, blank=True)
    objects = DubuMeasureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("DUBU-koder for en indsats")
        verbose_name_plural = _("DUBU-koder for indsatser")

    def __str__(self) -> str:
        return f"{self.service} / {self.offer} / {self.legal_basis} → {self.measure_id}"

    @property
    def codes(self) -> tuple[str, str, str]:
        return (self.service, self.offer, self.legal_basis)
