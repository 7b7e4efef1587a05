"""Municipality (kommune) → districts (distrikter) → cross-disciplinary teams (områdeteams) → staff."""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The logo printed on letters (invitations, minutes): small, and an image a PDF can carry.
LOGO_MAX_BYTES = 512 * 1024
LOGO_KINDS = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",)}


def validate_logo(upload) -> None:
    """A PNG or JPEG of at most 512 KB, judged by its first bytes as well as its name (a renamed
    file of another kind is refused); SVG is refused because it can carry scripts."""
    name = upload.name.lower()
    kind = next((k for k in LOGO_KINDS if name.endswith(k)), None)
    if kind is None:
        raise ValidationError(_("Logoet skal være en PNG- eller JPEG-fil."), code="logo_type")
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("Logoet må højst fylde 512 KB."), code="logo_size")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in LOGO_KINDS[kind]):
        raise ValidationError(_("Filen er ikke et billede af den type, navnet siger."), code="logo_content")


class Municipality(models.Model):
    """A kommune. One installation may serve several; every person and case belongs to one."""

    name = models.CharField(_("navn"), max_length=100, unique=True)
    code = models.CharField(
        _("kommunekode"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^\d{3}$", _("Kommunekoden er tre cifre, fx 657."))],
        help_text=_("Danmarks Statistiks kommunekode, fx 657 for Herning."),
    )
    screening_working_days = models.PositiveSmallIntegerField(
        _("frist for screening (hverdage)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "Kommunens egen frist for screeningen af en underretning efter barnets lov § 18, i hverdage "
            "efter modtagelsen. Loven fastsætter ingen frist."
        ),
    )
    address = models.TextField(
        _("adresse"),
        blank=True,
        help_text=_(
            "Kommunens adresse i brevhovedet på invitationer og referater, fx Torvet 5, 7400 Herning."
        ),
    )
    logo = models.FileField(
        _("logo"),
        upload_to="kommuner/logo/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG eller JPEG, højst 512 KB. Står i brevhovedet på invitationer og referater."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A distrikt: the unit the model is organised by, built on one or more school districts."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="districts", verbose_name=_("kommune")
    )
    name = models.CharField(_("navn"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("distrikt")
        verbose_name_plural = _("distrikter")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolDistrict(models.Model):
    """A skoledistrikt: a child's address lies in one, which tells the district of the case."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="school_districts", verbose_name=_("distrikt")
    )
    name = models.CharField(_("navn"), max_length=100)
    school_name = models.CharField(_("distriktsskole"), max_length=150, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("skoledistrikt")
        verbose_name_plural = _("skoledistrikter")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="school_district_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


def _default_cap() -> int:
    return settings.HERNING["DEFAULT_CASELOAD_CAP"]


def _default_warning() -> int:
    return settings.HERNING["DEFAULT_CASELOAD_WARNING"]


class Team(models.Model):
    """An områdeteam: advisors, psychologist and health visitor of a district, under a team leader.

    ``caseload_cap`` is the model's precondition ("max. 20-25 børn per socialrådgiver", docs/domain.md §5):
    assignments above it are refused unless the team leader overrides with a reason.
    """

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="teams", verbose_name=_("distrikt")
    )
    name = models.CharField(_("navn"), max_length=100)
    caseload_cap = models.PositiveSmallIntegerField(
        _("loft over sager pr. rådgiver"), default=_default_cap, validators=[MinValueValidator(1)]
    )
    caseload_warning = models.PositiveSmallIntegerField(
        _("advarsel fra antal sager"), default=_default_warning, validators=[MinValueValidator(1)]
    )
    shares_cases = models.BooleanField(
        _("rådgivere ser teamets sager"),
        default=False,
        help_text=_(
            "Slået til: teamets rådgivere kan læse hinandens sager (fx for at dække ind ved fravær)."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["district__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="team_unique_name"),
            models.CheckConstraint(
                condition=models.Q(caseload_warning__lte=models.F("caseload_cap")),
                name="team_warning_not_above_cap",
                violation_error_message=_("Advarselsniveauet må ikke ligge over loftet."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def municipality(self) -> Municipality:
        return self.district.municipality


class Role(models.TextChoices):
    """The kinds of staff (docs/domain.md §1). A person may hold several."""

    ADVISOR = "advisor", _("Socialrådgiver")
    TEAM_LEADER = "team_leader", _("Teamleder")
    DUTY_ADVISOR = "duty_advisor", _("Vagtrådgiver")
    CASE_ADMINISTRATOR = "case_administrator", _("Administrativ medarbejder")
    PSYCHOLOGIST = "psychologist", _("PPR-psykolog")
    HEALTH_VISITOR = "health_visitor", _("Sundhedsplejerske")
    MANAGEMENT = "management", _("Ledelse")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("Systemadministrator")
    # Answers citizens' requests for insight into who looked at a child's data (the access log),
    # without reading case contents (docs/access.md).
    DATA_PROTECTION = "data_protection", _("Databeskyttelse")


# Roles that belong to a team; the others are held for the whole municipality.
TEAM_ROLES = frozenset(
    {Role.ADVISOR, Role.TEAM_LEADER, Role.PSYCHOLOGIST, Role.HEALTH_VISITOR, Role.DUTY_ADVISOR}
)


class StaffManager(UserManager):
    def signed_in(self):
        """The people as each request reads the signed-in one: with the municipality the header
        shows and their roles with each role's team and district, in one query (on PostgreSQL;
        elsewhere the roles are read when first asked, ``User.role_assignments_cached``)."""
        people = self.select_related("municipality")
        if connection.vendor != "postgresql":
            return people
        return people.annotate(role_rows=role_rows())

    def with_role(self, role: str, *, team: Team | None = None):
        qs = self.filter(is_active=True, role_assignments__role=role)
        if team is not None:
            qs = qs.filter(role_assignments__team=team)
        return qs.distinct()


class User(AbstractUser):
    """A member of staff. What they may do follows from their roles (``RoleAssignment``)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        verbose_name=_("kommune"),
        help_text=_("Tom kun for driftens egne administratorer på en fælles installation."),
    )
    job_title = models.CharField(_("stillingsbetegnelse"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    # An integration's identity, not a person: only a service user may be given an API token, and a
    # service user never logs in (herning.accounts.backends). Set when the user is made and never
    # after, so a person cannot be turned into a service user to have a token read as them.
    is_service_user = models.BooleanField(
        _("servicebruger"),
        default=False,
        help_text=_(
            "En integration, ikke en person: kan få API-tokens og kan ikke logge ind. "
            "Vælges når brugeren oprettes og kan ikke ændres siden."
        ),
    )

    # The installation's national operator: changes the configuration every municipality shares
    # (the ladder, the measure catalog, the legal bases, the DUBU profiles) in the admin, and
    # nothing else; holds no municipality and no role, so reads no case contents. Set only by
    # ``manage.py grant_national_operator`` (an audit event), never in the admin (docs/access.md,
    # "The national operator").
    is_national_operator = models.BooleanField(
        _("national driftsoperatør"),
        default=False,
        editable=False,
        help_text=_(
            "Må ændre den fælles opsætning for alle kommuner (trappen, indsatskataloget, "
            "lovgrundlagene, DUBU-profilerne) og intet andet. Tildeles kun på serveren."
        ),
    )

    objects = StaffManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("medarbejder")
        verbose_name_plural = _("medarbejdere")
        ordering = ["first_name", "last_name", "username"]

    # What ``__str__`` (a person's name on every page) is made of: what a list naming people reads.
    NAME_FIELDS = ("first_name", "last_name", "username")

    def __str__(self) -> str:
        return self.name_of(self.first_name, self.last_name, self.username)

    @staticmethod
    def name_of(first_name: str, last_name: str, username: str) -> str:
        """A person's name as every page shows it (``str(user)``): the full name (Django's
        ``get_full_name``), else the username. For a list read as values, not instances."""
        return f"{first_name} {last_name}".strip() or username

    @cached_property
    def role_assignments_cached(self) -> list[RoleAssignment]:
        rows = self.__dict__.get("role_rows")
        if rows is not None:  # read with the person (``StaffManager.signed_in``)
            return [_assignment_from_row(row) for row in rows]
        return list(self.role_assignments.select_related("team", "team__district").order_by("role", "pk"))

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(a.role for a in self.role_assignments_cached)

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def teams_for(self, *roles: str) -> list[Team]:
        """The teams in which the person holds one of ``roles``."""
        seen: dict[int, Team] = {}
        for a in self.role_assignments_cached:
            if a.role in roles and a.team is not None:
                seen.setdefault(a.team_id, a.team)
        return list(seen.values())

    @property
    def team_ids(self) -> frozenset[int]:
        return frozenset(a.team_id for a in self.role_assignments_cached if a.team_id)

    # --- Named roles ------------------------------------------------------------------------------
    # The questions the rules ask about a person, answered once here from the cached assignments,
    # so "does this person lead the case's team" reads the same in every app. They cost no query
    # after the first (``role_assignments_cached``); a test that changes a person's roles reloads
    # the person from the database, as a new request does.

    def _team_ids_for(self, *roles: str) -> frozenset[int]:
        return frozenset(a.team_id for a in self.role_assignments_cached if a.role in roles and a.team_id)

    def _district_ids_for(self, *roles: str) -> frozenset[int]:
        return frozenset(
            a.team.district_id for a in self.role_assignments_cached if a.role in roles and a.team_id
        )

    def led_team_ids(self) -> frozenset[int]:
        """The teams the person is team leader (teamleder) of."""
        return self._team_ids_for(Role.TEAM_LEADER)

    def leads_team(self, team: Team | int | None) -> bool:
        """Whether the person is team leader of ``team`` (a team or its id)."""
        team_id = team.pk if isinstance(team, Team) else team
        return team_id is not None and team_id in self.led_team_ids()

    def led_district_ids(self) -> frozenset[int]:
        """The districts of the teams the person leads."""
        return self._district_ids_for(Role.TEAM_LEADER)

    def duty_district_ids(self) -> frozenset[int]:
        """The districts in which the person is duty advisor (vagtrådgiver)."""
        return self._district_ids_for(Role.DUTY_ADVISOR)

    def advised_team_ids(self) -> frozenset[int]:
        """The teams the person is an advisor (socialrådgiver) in."""
        return self._team_ids_for(Role.ADVISOR)

    def is_advisor_in(self, team: Team | int | None) -> bool:
        team_id = team.pk if isinstance(team, Team) else team
        return self.is_active and team_id is not None and team_id in self.advised_team_ids()

    def works_in(self, municipality: Municipality | int | None) -> bool:
        """Whether the person is active staff of ``municipality`` (a municipality or its id)."""
        municipality_id = municipality.pk if isinstance(municipality, Municipality) else municipality
        return bool(
            self.is_authenticated
            and self.is_active
            and self.municipality_id
            and self.municipality_id == municipality_id
        )

    @property
    def primary_team(self) -> Team | None:
        teams = self.teams_for(Role.ADVISOR, Role.TEAM_LEADER, Role.PSYCHOLOGIST, Role.HEALTH_VISITOR)
        return teams[0] if teams else None


class RoleAssignment(models.Model):
    """That a person holds a role, in a team where the role belongs to one."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("medarbejder")
    )
    role = models.CharField(_("rolle"), max_length=32, choices=Role.choices)
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("team"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rolle")
        verbose_name_plural = _("roller")
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "team"],
                condition=models.Q(team__isnull=False),
                name="role_in_team_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(team__isnull=True),
                name="role_without_team_unique",
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.team})" if self.team_id else ""
        return f"{self.get_role_display()}{where}"

    def clean(self) -> None:
        if self.role in TEAM_ROLES and self.team_id is None:
            raise ValidationError(
                {
                    "team": _("Rollen %(role)s hører til et team: vælg teamet.")
                    % {"role": self.get_role_display()}
                }
            )
        if self.role not in TEAM_ROLES and self.team_id is not None:
            raise ValidationError(
                {
                    "team": _("Rollen %(role)s gælder hele kommunen og har intet team.")
                    % {"role": self.get_role_display()}
                }
            )
        if self.team_id and self.user_id and self.user.municipality_id != self.team.district.municipality_id:
            raise ValidationError({"team": _("Teamet hører til en anden kommune end medarbejderen.")})


class DutyShift(models.Model):
    """One day of the duty roster (vagtplan): who makes the 24-hour assessments in a district."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("distrikt")
    )
    date = models.DateField(_("dato"))
    advisor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="duty_shifts", verbose_name=_("vagtrådgiver")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vagt")
        verbose_name_plural = _("vagtplan")
        ordering = ["date", "district"]
        constraints = [
            models.UniqueConstraint(fields=["district", "date"], name="duty_shift_one_per_district_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.district}: {self.advisor}"

    def clean(self) -> None:
        if self.advisor_id and not self.advisor.has_role(Role.DUTY_ADVISOR, Role.ADVISOR):
            raise ValidationError({"advisor": _("Kun socialrådgivere kan have vagt.")})


class ClosedDay(models.Model):
    """A day the municipality's offices are closed beyond Denmark's public holidays (helligdage), so
    it is not a working day ("hverdag") when a deadline counts working days (docs/deadlines.md,
    "Working days"). Without a year it recurs every year (Grundlovsdag 5 June, 24 and 31 December:
    shipped for every municipality and editable in the admin); with a year it is that one day."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="closed_days", verbose_name=_("kommune")
    )
    name = models.CharField(_("navn"), max_length=100)
    month = models.PositiveSmallIntegerField(
        _("måned"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(_("dag"), validators=[MinValueValidator(1), MaxValueValidator(31)])
    year = models.PositiveSmallIntegerField(
        _("år"), null=True, blank=True, help_text=_("Tomt: lukket hvert år på denne dato.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lukkedag")
        verbose_name_plural = _("lukkedage")
        ordering = ["municipality", "month", "day", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "month", "day"],
                condition=models.Q(year__isnull=True),
                name="closed_day_recurring_unique",
            ),
            models.UniqueConstraint(
                fields=["municipality", "month", "day", "year"], name="closed_day_dated_unique"
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.day}.{self.month}." + (f"{self.year}" if self.year else "")
        return f"{self.name} ({when})"

    def clean(self) -> None:
        try:
            datetime.date(self.year or 2024, self.month or 1, self.day or 1)  # 2024: a leap year
        except ValueError:
            raise ValidationError({"day": _("Datoen findes ikke.")}) from None


# The closed days every municipality starts with (editable in the admin): Grundlovsdag, Christmas
# Eve and New Year's Eve are not public holidays, but the offices are closed (docs/deadlines.md).
DEFAULT_CLOSED_DAYS = (
    ("Grundlovsdag", 6, 5),
    ("Juleaftensdag", 12, 24),
    ("Nytårsaftensdag", 12, 31),
)


def add_default_closed_days(municipality_id: int) -> None:
    """Give a municipality the shipped closed days it does not have yet."""
    have = set(
        ClosedDay.objects.filter(municipality_id=municipality_id, year__isnull=True).values_list(
            "month", "day"
        )
    )
    ClosedDay.objects.bulk_create(
        [
            ClosedDay(municipality_id=municipality_id, name=name, month=month, day=day)
            for name, month, day in DEFAULT_CLOSED_DAYS
            if (month, day) not in have
        ]
    )


def _give_new_municipality_closed_days(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        add_default_closed_days(instance.pk)


models.signals.post_save.connect(
    _give_new_municipality_closed_days, sender=Municipality, dispatch_uid="municipality_closed_days"
)


def _concrete(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def role_rows():
    """The roles of the person of each row (their table unaliased in the statement: the people,
    or the one person a query joins), as ``User.role_assignments_cached`` reads them from
    ``role_rows``. PostgreSQL only."""
    from django.contrib.postgres.fields import ArrayField

    rows = ArrayField(models.JSONField())
    return models.expressions.RawSQL(_role_rows_sql(), (), output_field=rows)  # noqa: S611


@functools.cache
def _role_rows_sql() -> str:
    """The person's roles, each with its team and district, as an array of JSON objects (``a_``,
    ``t_`` and ``d_`` before each column's name), for ``StaffManager.signed_in``.

    Written out once per process from the models' own columns rather than built with the ORM
    (``ArraySubquery`` of a ``JSONObject``): every request reads the signed-in person, and
    Django's building and compiling of that expression, some 30 columns, took 1.9 of the 2.5 ms
    of CPU the person's query cost (benchmarks/RESULTS.md). The statement is the same; nothing
    from a request is in it. It names the person's table unaliased, as the outermost query of the
    people does."""
    quote = connection.ops.quote_name

    def pairs(model, alias: str, prefix: str) -> list[str]:
        return [f"'{prefix}{f.attname}', {alias}.{quote(f.column)}" for f in _concrete(model)]

    built = ", ".join(pairs(RoleAssignment, "a", "a_") + pairs(Team, "t", "t_") + pairs(District, "d", "d_"))
    user = quote(User._meta.db_table)
    return (
        f"ARRAY(SELECT JSONB_BUILD_OBJECT({built}) "  # noqa: S608 - names from the models, no value
        f"FROM {quote(RoleAssignment._meta.db_table)} a "
        f"LEFT JOIN {quote(Team._meta.db_table)} t ON t.{quote('id')} = a.{quote('team_id')} "
        f"LEFT JOIN {quote(District._meta.db_table)} d ON d.{quote('id')} = t.{quote('district_id')} "
        f"WHERE a.{quote('user_id')} = {user}.{quote('id')} "
        f"ORDER BY a.{quote('role')}, a.{quote('id')})"
    )


def _instance(model: type[models.Model], row: dict, prefix: str) -> models.Model:
    """A model instance from its columns in ``row`` (JSON, so each value is turned back into the
    field's own type), as if it had been read from the database."""
    fields = _concrete(model)
    values = [
        None if row[f"{prefix}{f.attname}"] is None else f.to_python(row[f"{prefix}{f.attname}"])
        for f in fields
    ]
    return model.from_db("default", [f.attname for f in fields], values)


def _assignment_from_row(row: dict) -> RoleAssignment:
    assignment = _instance(RoleAssignment, row, "a_")
    if assignment.team_id is not None:
        team = _instance(Team, row, "t_")
        Team._meta.get_field("district").set_cached_value(team, _instance(District, row, "d_"))
        RoleAssignment._meta.get_field("team").set_cached_value(assignment, team)
    return assignment
