"""Importing a DUBU file: children, their cases and measures, and each measure's last follow-up.

One row is one measure (or, with no service, just the child's case). Rows are matched to what we
have by the DUBU case id (``DubuCase``; ``H<number>`` is our own case number, as our exports
write it for cases DUBU does not know) and, within a case, a measure by its start date and
type; so importing the same file twice changes nothing the second time.

The import first reads and checks every row against everything it would touch (loaded in a fixed
number of queries), then writes. While any row is bad nothing is written, unless the caller asks
to skip bad rows; the whole import is one transaction, and a dry run rolls it back after
counting. New children, cases, measures and follow-ups are written in batches by the apps' bulk
services (``cases.bulk``, ``measures.bulk``, ``followups.bulk``) under the same rules as the pages;
changes to existing records go through the single-record services (``cases.services``,
``measures.services``). The report names every bad row, column and problem, never a CPR number.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from cases import bulk as case_bulk
from cases import obligations
from cases import services as case_services
from cases.models import Case, Child, Plan
from cases.permissions import Action, may, require
from dubu.models import REQUIRED_FIELDS, CodeMapping, DubuCase, DubuMeasure, ImportRun, MappingProfile
from dubu.reader import FileError, header_name, read_table
from followups import bulk as followup_bulk
from followups.models import FollowUp
from herning.core import cpr as cpr_lib
from herning.core.history import bulk_create_with_history
from herning.core.logging import mask_cpr
from herning.organisation.models import District, Role, RoleAssignment, User
from measures import bulk as measure_bulk
from measures import services as measure_services
from measures.models import Measure, MeasureType

SOURCE = "DUBU"
OUR_CASE_ID = re.compile(r"^H(\d{1,12})$")
# Every date format an import reads, with the name a person reads in the error.
DATE_FORMATS = (
    ("%d-%m-%Y", gettext_lazy("DD-MM-ÅÅÅÅ")),
    ("%d.%m.%Y", gettext_lazy("DD.MM.ÅÅÅÅ")),
    ("%d/%m/%Y", gettext_lazy("DD/MM/ÅÅÅÅ")),
    ("%Y-%m-%d", gettext_lazy("ÅÅÅÅ-MM-DD")),
)
ENDED_IN_DUBU = "Afsluttet i DUBU (import)."

logger = logging.getLogger("herning.dubu")
CONNECTION_LOST = gettext_lazy(
    "Forbindelsen til databasen blev afbrudt under importen, så importen er ikke gennemført, og intet "
    "fra filen er gemt. Kør importen igen."
)


# --- The report -----------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        # The column is the file's own header, which a person may have typed anything into.
        return {"row": self.row, "column": mask_cpr(self.column), "message": mask_cpr(self.message)}


@dataclass
class Report:
    file_name: str
    profile: str
    dry_run: bool
    skip_bad_rows: bool
    rows: int = 0
    committed: bool = False
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        kinds = ("children", "cases", "links", "measures", "followups")
        return {
            "file_name": mask_cpr(self.file_name),
            "profile": self.profile,
            "dry_run": self.dry_run,
            "skip_bad_rows": self.skip_bad_rows,
            "committed": self.committed,
            "rows": self.rows,
            "created_rows": self.outcomes["created"],
            "updated_rows": self.outcomes["updated"],
            "unchanged_rows": self.outcomes["unchanged"],
            "bad_rows": self.outcomes["error"],
            "created": {k: self.created[k] for k in kinds},
            "updated": {k: self.updated[k] for k in ("children", "cases", "measures")},
            "errors": [e.as_dict() for e in sorted(self.errors, key=lambda e: (e.row, e.column))],
            "seconds": round(self.seconds, 2),
        }


# --- Reading rows ---------------------------------------------------------------------------------


@dataclass
class Line:
    number: int
    case_id: str = ""
    cpr: str = ""
    first_name: str = ""
    last_name: str = ""
    advisor_name: str = ""
    district_name: str = ""
    service: str = ""
    offer: str = ""
    legal_basis: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    provider: str = ""
    last_followup: datetime.date | None = None
    # resolved
    advisor: User | None = None
    district: District | None = None
    measure_type: MeasureType | None = None
    errors: list[RowError] = field(default_factory=list)
    created: bool = False
    updated: bool = False

    def fail(self, column: str, message: str) -> None:
        error = RowError(self.number, column, str(message))
        if error not in self.errors:
            self.errors.append(error)

    @property
    def has_measure(self) -> bool:
        return bool(self.service)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, line: Line, column: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt, _name in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    names = [str(name) for _fmt, name in DATE_FORMATS]
    line.fail(
        column,
        _("Ugyldig dato »%(value)s«: skriv datoen som %(formats)s, eller som en datocelle i XLSX.")
        % {
            "value": text[:20],
            "formats": _("%(first)s eller %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]},
        },
    )
    return None


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_line(number: int, values: dict, columns: dict[str, str]) -> Line:
    line = Line(number=number)
    get = {name: values.get(column) for name, column in columns.items()}
    line.case_id = _text(get["case_id"])
    for name in (
        "first_name",
        "last_name",
        "advisor_name",
        "district_name",
        "service",
        "offer",
        "legal_basis",
        "provider",
    ):
        source = "advisor" if name == "advisor_name" else "district" if name == "district_name" else name
        setattr(line, name, _text(get[source]))
    raw_cpr = get["cpr"]
    if isinstance(raw_cpr, int | float):  # a spreadsheet cell that lost its leading zero
        raw_cpr = str(int(raw_cpr)).zfill(10)
    if _text(raw_cpr):
        try:
            line.cpr = cpr_lib.parse(_text(raw_cpr)).digits
        except ValidationError as error:
            line.fail(columns["cpr"], error.messages[0])
    for name in ("start", "end", "last_followup"):
        setattr(line, name, _date(get[name], line, columns[name]))
    for name in REQUIRED_FIELDS:
        if not _text(get[name]):
            line.fail(columns[name], _("Feltet skal udfyldes."))
    if line.service and line.start is None and not any(e.column == columns["start"] for e in line.errors):
        line.fail(columns["start"], _("En indsats skal have en startdato."))
    if not line.service and (line.start or line.offer):
        line.fail(columns["service"], _("Angiv ydelsen for indsatsen."))
    if line.start and line.end and line.end < line.start:
        line.fail(columns["end"], _("Slutdatoen kan ikke ligge før startdatoen."))
    return line


# --- The code table -------------------------------------------------------------------------------


class CodeTable:
    """DUBU's service (ydelse), offer (tilbud) and legal basis (lovhjemmel) → our measure type."""

    def __init__(self, profile: MappingProfile):
        self.lines = [
            (_normal(m.service), _normal(m.offer), _normal(m.legal_basis), m.measure_type)
            for m in CodeMapping.objects.filter(profile=profile).select_related(
                "measure_type__ladder_step", "measure_type__legal_basis"
            )
        ]
        self.types = {
            t.code.casefold(): t for t in MeasureType.objects.select_related("ladder_step", "legal_basis")
        }
        self.by_type: dict[int, tuple[str, str, str]] = {}
        for m in CodeMapping.objects.filter(profile=profile).order_by(
            "service", "offer", "legal_basis", "pk"
        ):
            specificity = bool(m.offer) + bool(m.legal_basis)
            current = self.by_type.get(m.measure_type_id)
            if current is None or specificity > bool(current[1]) + bool(current[2]):
                self.by_type[m.measure_type_id] = (m.service, m.offer, m.legal_basis)

    def measure_type(self, service: str, offer: str, legal_basis: str) -> tuple[MeasureType | None, str]:
        s, o, lb = _normal(service), _normal(offer), _normal(legal_basis)
        matches = [
            (bool(mo) + bool(ml), mt)
            for ms, mo, ml, mt in self.lines
            if ms == s and mo in ("", o) and ml in ("", lb)
        ]
        if matches:
            best = max(m[0] for m in matches)
            types = {mt.pk: mt for score, mt in matches if score == best}
            if len(types) > 1:
                return None, _("Kodetabellen giver flere indsatstyper for denne ydelse og dette tilbud.")
            return next(iter(types.values())), ""
        if not o and s in self.types:
            return self.types[s], ""
        shown = " / ".join(p for p in (service, offer, legal_basis) if p)
        return None, _("»%(codes)s« findes ikke i kodetabellen.") % {"codes": shown[:120]}

    def codes_for(self, measure_type: MeasureType) -> tuple[str, str, str]:
        """What an export writes for ``measure_type``: the most specific line of the table, or
        the type's own code (which an import also reads)."""
        return self.by_type.get(measure_type.pk, (measure_type.code, "", ""))

    def export_codes(
        self, measure_type: MeasureType, citation: str, received: tuple[str, str, str] | None = None
    ) -> tuple[str, str, str]:
        """What an export writes for a measure of ``measure_type`` whose legal basis is
        ``citation``: DUBU's own words (``received``) where the table still reads them as this
        type, else the table's line for the type; a legal basis left empty is the measure's own
        where the table still reads that as the type."""
        candidates = []
        if received:
            service, offer, legal_basis = received
            candidates += [(service, offer, legal_basis or citation), received]
        service, offer, legal_basis = self.codes_for(measure_type)
        table = (service, offer, legal_basis or citation)
        candidates += [table, (service, offer, legal_basis)]
        for codes in candidates:
            found, _problem = self.measure_type(*codes)
            if found is not None and found.pk == measure_type.pk:
                return codes
        return table

    def codes_to_keep(
        self, measure_type: MeasureType, citation: str, received: tuple[str, str, str]
    ) -> tuple[str, str, str] | None:
        """``received`` where keeping it changes what an export writes, else None."""
        if any(len(text) > 200 for text in received):
            return None  # longer than any line of the table can hold: the table's words are written
        kept = self.export_codes(measure_type, citation, received)
        return received if kept != self.export_codes(measure_type, citation) else None


# --- The import -----------------------------------------------------------------------------------


@dataclass
class Group:
    """The rows of one DUBU case."""

    case_id: str
    lines: list[Line]
    case: Case | None = None
    child: Child | None = None
    new_child: bool = False
    new_case: bool = False
    link: bool = False  # a DubuCase link to write

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def bad(self) -> bool:
        """The case itself cannot be read or written (its first row says what); other rows are
        bad one by one."""
        return bool(self.first.errors)


def _no_progress(percent: int) -> None:
    pass


class Importer:
    def __init__(
        self,
        *,
        user,
        profile: MappingProfile,
        dry_run: bool,
        skip_bad_rows: bool,
        today=None,
        progress: Callable[[int], None] = _no_progress,
    ):
        self.user = user
        self.municipality = user.municipality
        self.profile = profile
        self.columns = profile.columns()
        self.dry_run = dry_run
        self.skip_bad_rows = skip_bad_rows
        self.today = today or timezone.localdate()
        self.led_teams = user.led_team_ids()
        # Told how far the import has come, in per cent, at each stage (a background job shows it).
        self.progress = progress

    # -- lookups, each one query --

    def _load(self, lines: list[Line]) -> None:
        m = self.municipality
        self.codes = CodeTable(self.profile)
        self.districts = {_normal(d.name): d for d in District.objects.filter(municipality=m)}
        advisors = {
            u.pk: u
            for u in User.objects.filter(
                municipality=m, is_active=True, role_assignments__role=Role.ADVISOR
            ).distinct()
        }
        assignments = defaultdict(list)
        for a in RoleAssignment.objects.filter(user__in=advisors).select_related("team", "team__district"):
            assignments[a.user_id].append(a)
        for pk, user in advisors.items():
            user.__dict__["role_assignments_cached"] = assignments[pk]
        self.advisors = {u.username.casefold(): u for u in advisors.values()}
        ids = {line.case_id for line in lines if line.case_id}
        self.links = {
            link.dubu_case_id: link
            for link in DubuCase.objects.for_system()
            .filter(municipality=m, dubu_case_id__in=ids)
            .select_related("case__child", "case__team")
        }
        ours = {int(match.group(1)) for i in ids if (match := OUR_CASE_ID.match(i))}
        self.our_cases = {
            c.pk: c
            for c in Case.objects.for_system()
            .filter(municipality=m, pk__in=ours)
            .select_related("child", "team")
        }
        cprs = {line.cpr for line in lines if line.cpr}
        self.children = {c.cpr: c for c in Child.objects.for_system().filter(municipality=m, cpr__in=cprs)}
        self.open_cases = {
            c.child_id: c
            for c in Case.objects.for_system()
            .open()
            .filter(child__in=self.children.values())
            .select_related("child", "team")
        }
        candidates = (
            {link.case_id for link in self.links.values()}
            | set(self.our_cases)
            | {c.pk for c in self.open_cases.values()}
        )
        self.visible = set(
            Case.objects.visible_to(self.user).filter(pk__in=candidates).values_list("pk", flat=True)
        )
        self.measures = {
            (mm.case_id, mm.start_date, mm.measure_type_id): mm
            for mm in Measure.objects.for_system()
            .filter(case__in=candidates)
            .select_related("case", "legal_basis")
        }
        self.kept_codes = {
            d.measure_id: d for d in DubuMeasure.objects.for_system().filter(measure__case__in=candidates)
        }
        self.last_held = dict(
            FollowUp.objects.for_system()
            .filter(measure__case__in=candidates)
            .order_by()
            .values_list("measure")
            .annotate(last=Max("held_on"))
            .values_list("measure", "last")
        )

    # -- checking --

    def _resolve(self, line: Line) -> None:
        c = self.columns
        if line.district_name:
            line.district = self.districts.get(_normal(line.district_name))
            if line.district is None:
                line.fail(
                    c["district"], _("Ukendt distrikt »%(name)s«.") % {"name": line.district_name[:100]}
                )
        if line.advisor_name:
            line.advisor = self.advisors.get(line.advisor_name.casefold())
            if line.advisor is None:
                line.fail(
                    c["advisor"],
                    _("Ingen aktiv socialrådgiver i kommunen har brugernavnet »%(name)s«.")
                    % {"name": line.advisor_name[:100]},
                )
        if line.service:
            line.measure_type, problem = self.codes.measure_type(line.service, line.offer, line.legal_basis)
            if problem:
                line.fail(c["service"], problem)

    def _consistent(self, group: Group) -> None:
        first = group.first
        c = self.columns
        for line in group.lines[1:]:
            for attr, column in (
                ("cpr", "cpr"),
                ("first_name", "first_name"),
                ("last_name", "last_name"),
                ("district_name", "district"),
                ("advisor_name", "advisor"),
            ):
                if _normal(getattr(line, attr)) != _normal(getattr(first, attr)):
                    line.fail(
                        c[column],
                        _("Afviger fra række %(row)s for samme DUBU-sag.") % {"row": first.number},
                    )

    def _find_case(self, group: Group, new_children: dict[str, Child]) -> None:
        line, c = group.first, self.columns
        link = self.links.get(group.case_id)
        ours = OUR_CASE_ID.match(group.case_id)
        if link is not None or ours:
            case = link.case if link is not None else self.our_cases.get(int(ours.group(1)))
            if case is None or case.pk not in self.visible:
                line.fail(c["case_id"], _("Sagen findes ikke, eller du har ikke adgang til den."))
                return
            if case.child.cpr != line.cpr:
                line.fail(c["cpr"], _("CPR-nummeret er et andet end på sagens barn."))
                return
            group.case, group.child = case, case.child
            return
        child = self.children.get(line.cpr)
        if child is None:
            child = new_children.get(line.cpr)
            if child is None:
                child = Child(
                    municipality=self.municipality,
                    cpr=line.cpr,
                    first_name=line.first_name,
                    last_name=line.last_name,
                    district=line.district,
                )
                new_children[line.cpr] = child
                group.new_child = True
        group.child, group.link = child, True
        case = self.open_cases.get(child.pk) if child.pk else None
        if case is not None:
            if case.pk not in self.visible:
                line.fail(c["case_id"], _("Barnet har en åben sag, som du ikke har adgang til."))
                return
            group.case = case
            return
        group.new_case = True
        team = self._team_for(line)
        if team is None:
            line.fail(c["district"], _("Distriktet har intet team, der kan tage sagen."))
        elif team.pk not in self.led_teams:
            line.fail(
                c["case_id"],
                _("Du er ikke teamleder for %(team)s og kan ikke oprette sager der.") % {"team": team},
            )
        group.case = Case(
            child=child,
            municipality=self.municipality,
            team=team,
            district_id=team.district_id if team else None,
            advisor=line.advisor,
            state="clarification",
            opened_on=min((ln.start for ln in group.lines if ln.start), default=self.today),
        )

    def _team_for(self, line: Line):
        if line.district is None:
            return None
        if line.advisor is not None:
            for team in line.advisor.teams_for(Role.ADVISOR):
                if team.district_id == line.district.pk:
                    return team
        try:
            return case_services.team_for_district(line.district)
        except ValidationError:
            return None

    # -- planning what to write --

    def _plan(self, groups: list[Group]) -> dict:
        plan = {
            "children": [],  # (group, NewChild)
            "cases": [],  # (group, NewCase)
            "child_updates": [],  # (group, fields)
            "assignments": [],  # (group, advisor)
            "measure_updates": [],  # (line, measure, provider)
            "measure_ends": [],  # (line, measure, end)
            "new_measures": [],  # (line, group)
            "held": [],  # (line, measure or None (a new one), held_on)
            # Each measure as the rows so far leave it, by (case, start, type): a row repeating an
            # earlier one of the same file finds it here, as it would find it in the database on a
            # second import.
            "seen": {},
            "codes": [],  # (line, measure, DUBU's words for it), for measures we have
        }
        seen_new_children: set[int] = set()
        c = self.columns
        for group in groups:
            if group.bad:
                continue
            first, case = group.first, group.case
            editable = group.new_case or may(self.user, Action.EDIT_CASE, case)
            if group.new_child and id(group.child) not in seen_new_children:
                seen_new_children.add(id(group.child))
                plan["children"].append(
                    (group, case_bulk.NewChild(first.cpr, first.first_name, first.last_name, first.district))
                )
                first.created = True
            if group.new_case:
                plan["cases"].append(
                    (group, case_bulk.NewCase(group.child, case.team, first.advisor, case.opened_on))
                )
                first.created = True
            elif not group.new_child:
                changes = {
                    f: v
                    for f, v in (("first_name", first.first_name), ("last_name", first.last_name))
                    if getattr(group.child, f) != v
                }
                if group.child.district_id != first.district.pk:
                    changes["district"] = first.district
                if changes:
                    if not (case.is_open and editable):
                        first.fail(
                            c["first_name"],
                            _("Barnets oplysninger kan kun ændres på en åben sag, du kan ændre."),
                        )
                        continue
                    plan["child_updates"].append((group, changes))
                    first.updated = True
                if first.advisor is not None and case.advisor_id != first.advisor.pk:
                    if not may(self.user, Action.ASSIGN, case):
                        first.fail(
                            c["advisor"],
                            _("Kun teamlederen for sagens team kan give sagen en anden rådgiver."),
                        )
                        continue
                    plan["assignments"].append((group, first.advisor))
                    first.updated = True
            if group.link:
                first.updated = first.updated or not first.created
            for line in group.lines:
                if line.has_measure and not line.errors:
                    self._plan_measure(line, group, editable, plan)
        return plan

    def _plan_measure(self, line: Line, group: Group, editable: bool, plan: dict) -> None:
        key = (group.case.pk or id(group.case), line.start, line.measure_type.pk)
        earlier = plan["seen"].get(key)
        if earlier is not None:
            self._repeated_measure(line, earlier)
            return
        self._plan_measure_once(line, group, editable, plan)
        if not line.errors:
            plan["seen"][key] = line

    def _repeated_measure(self, line: Line, earlier: Line) -> None:
        """A row for a measure an earlier row of the file already gave: the same row again changes
        nothing (it is unchanged, not a second measure); a row that says something else about it
        contradicts the earlier one, and which is right is for the person to decide."""
        no_newer_followup = line.last_followup is None or (
            earlier.last_followup is not None and line.last_followup <= earlier.last_followup
        )
        if line.end == earlier.end and line.provider == earlier.provider and no_newer_followup:
            return
        line.fail(
            self.columns["start"],
            _("Samme indsats som række %(row)s, men med andre oplysninger; ret en af rækkerne.")
            % {"row": earlier.number},
        )

    def _plan_measure_once(self, line: Line, group: Group, editable: bool, plan: dict) -> None:
        c = self.columns
        existing = None
        if not group.new_case:
            existing = self.measures.get((group.case.pk, line.start, line.measure_type.pk))
        if existing is None:
            if not (editable and group.case.is_open):
                line.fail(
                    c["start"], _("Sagen er lukket, eller du kan ikke ændre den: indsatsen kan ikke startes.")
                )
                return
            plan["new_measures"].append((line, group))
            if line.last_followup:
                plan["held"].append((line, None, line.last_followup))
            line.created = True
            return
        changes = []
        if line.end != existing.actual_end:
            if existing.actual_end is not None:
                line.fail(
                    c["end"],
                    _("Indsatsen er afsluttet her %(date)s; slutdatoen kan ikke ændres ved import.")
                    % {"date": existing.actual_end.strftime("%d.%m.%Y")},
                )
                return
            changes.append(("end", line.end))
        if line.provider != existing.provider:
            changes.append(("provider", line.provider))
        last = self.last_held.get(existing.pk)
        newer_followup = line.last_followup and (last is None or line.last_followup > last)
        codes = self._codes_changed(line, existing)
        if codes is not None and editable:
            # DUBU's words for the measure are the exchange's own record, not the case's: kept
            # for any case the importer may change, open or closed.
            plan["codes"].append((line, existing, codes))
            line.updated = True
        if not changes and not newer_followup:
            return
        if not (editable and group.case.is_open):
            line.fail(c["case_id"], _("Sagen er lukket, eller du kan ikke ændre den."))
            return
        for kind, value in changes:
            plan["measure_ends" if kind == "end" else "measure_updates"].append((line, existing, value))
        if newer_followup:
            plan["held"].append((line, existing, line.last_followup))
        line.updated = True

    def _codes_changed(self, line: Line, measure: Measure) -> tuple[str, str, str] | None:
        """DUBU's words for ``measure`` from ``line``, where they are to be kept and are not yet."""
        received = (line.service, line.offer, line.legal_basis)
        kept = self.kept_codes.get(measure.pk)
        if kept is not None:
            return received if kept.codes != received else None
        return self.codes.codes_to_keep(measure.measure_type, measure.legal_basis.citation, received)

    def _plan_and_check(self, groups: list[Group], lines: list[Line]) -> dict:
        """Plan the writes and check them; skipping bad rows, plan again without the rows the
        checks refused until nothing more is refused (a refused row may have held a place under an
        advisor's cap that another row can then take)."""
        while True:
            errors = sum(len(line.errors) for line in lines)
            for line in lines:
                line.created = line.updated = False
            plan = self._plan(groups)
            self._check_new(plan)
            if not self.skip_bad_rows or sum(len(line.errors) for line in lines) == errors:
                return plan

    # -- the bulk services' own checks, attributed to rows --

    def _check_new(self, plan: dict) -> None:
        c = self.columns
        errors = case_bulk.check_children(
            municipality=self.municipality, children=[s for _g, s in plan["children"]]
        )
        for n, error in errors.items():
            plan["children"][n][0].first.fail(c["cpr"], " ".join(error.messages))
        errors = case_bulk.check_cases(cases=[s for _g, s in plan["cases"]])
        for n, error in errors.items():
            column = (
                c["advisor"]
                if hasattr(error, "error_dict") and "advisor" in error.error_dict
                else c["case_id"]
            )
            plan["cases"][n][0].first.fail(column, " ".join(error.messages))
        specs = [self._new_measure(line, group) for line, group in plan["new_measures"]]
        for n, error in measure_bulk.check_measures(specs, decided_by=self.user).items():
            line = plan["new_measures"][n][0]
            line.fail(c["start"], " ".join(error.messages))
        held = [
            followup_bulk.HeldElsewhere(measure or self._new_measure_stub(line), held_on, SOURCE)
            for line, measure, held_on in plan["held"]
        ]
        for n, error in followup_bulk.check_held(held, today=self.today).items():
            plan["held"][n][0].fail(c["last_followup"], " ".join(error.messages))

    def _new_measure(self, line: Line, group: Group) -> measure_bulk.NewMeasure:
        return measure_bulk.NewMeasure(
            case=group.case,
            measure_type=line.measure_type,
            start_date=line.start,
            end_date=line.end,
            ending_reason=Measure.EndingReason.OTHER if line.end else "",
            ending_note=ENDED_IN_DUBU if line.end else "",
            provider=line.provider,
        )

    def _new_measure_stub(self, line: Line) -> Measure:
        return Measure(start_date=line.start, actual_end=line.end)

    # -- writing --

    def _write(self, plan: dict, groups: list[Group]) -> tuple[Counter, Counter]:
        """Write ``plan``; the records created and changed, by kind."""
        user = self.user
        created, updated = Counter(), Counter()
        self._write_children_and_cases(plan, groups, created)
        self.progress(65)
        self._write_updates(plan, updated)
        self.progress(70)
        new_specs = [self._new_measure(line, group) for line, group in plan["new_measures"]]
        measures = measure_bulk.measures_start(
            measures=new_specs,
            decided_by=user,
            today=self.today,
            sync_deadlines=False,
            opened_cases={group.case.pk for group, _spec in plan["cases"]},
        )
        new_by_line = {id(line): m for (line, _g), m in zip(plan["new_measures"], measures, strict=True)}
        created["measures"] = len(measures)
        self.progress(85)
        self._write_codes(plan, new_by_line)
        held = [
            followup_bulk.HeldElsewhere(measure or new_by_line[id(line)], held_on, SOURCE)
            for line, measure, held_on in plan["held"]
        ]
        followup_bulk.followups_record_held_elsewhere(
            records=held, recorded_by=user, today=self.today, sync_deadlines=False
        )
        created["followups"] = len(held)
        self.progress(95)
        # The deadline table, once, for everything new (a first sync of a row is a plain insert).
        obligations.changed(
            "measure", {m.pk for m in measures} | {r.measure.pk for r in held}, today=self.today
        )
        obligations.changed(
            "plan",
            Plan.objects.for_system()
            .filter(case__in={m.case_id for m in measures}, made_on__isnull=True)
            .values_list("pk", flat=True),
            today=self.today,
        )
        return created, updated

    def _write_codes(self, plan: dict, new_by_line: dict) -> None:
        """DUBU's words for the measures, where an export would otherwise write others."""
        new = []
        for line, _group in plan["new_measures"]:
            measure = new_by_line[id(line)]
            codes = self.codes.codes_to_keep(
                line.measure_type,
                line.measure_type.legal_basis.citation,
                (line.service, line.offer, line.legal_basis),
            )
            if codes is not None:
                new.append(
                    DubuMeasure(measure=measure, service=codes[0], offer=codes[1], legal_basis=codes[2])
                )
        changed = []
        for _line, measure, codes in plan["codes"]:
            kept = self.kept_codes.get(measure.pk)
            if kept is None:
                new.append(
                    DubuMeasure(measure=measure, service=codes[0], offer=codes[1], legal_basis=codes[2])
                )
            else:
                kept.service, kept.offer, kept.legal_basis = codes
                changed.append(kept)
        bulk_create_with_history(new, DubuMeasure, batch_size=1000, default_user=self.user)
        if changed:
            bulk_update_with_history(
                changed,
                DubuMeasure,
                ["service", "offer", "legal_basis"],
                batch_size=1000,
                default_user=self.user,
            )

    def _write_children_and_cases(self, plan: dict, groups: list[Group], created: Counter) -> None:
        """The new children, their cases and the links to the DUBU case numbers."""
        user = self.user
        children = case_bulk.children_create(
            municipality=self.municipality, children=[s for _g, s in plan["children"]], created_by=user
        )
        by_cpr = {child.cpr: child for child in children}
        for group in groups:
            if group.child is not None and group.child.pk is None and group.child.cpr in by_cpr:
                group.child = by_cpr[group.child.cpr]
        created["children"] = len(children)
        specs = []
        for group, spec in plan["cases"]:
            spec.child = group.child
            specs.append(spec)
        cases = case_bulk.cases_open(cases=specs, opened_by=user)
        for (group, _spec), case in zip(plan["cases"], cases, strict=True):
            case.child = group.child
            group.case = case
        created["cases"] = len(cases)
        links = [
            DubuCase(municipality=self.municipality, dubu_case_id=g.case_id, case=g.case)
            for g in groups
            if g.link and not g.bad and g.case is not None and g.case.pk
        ]
        bulk_create_with_history(links, DubuCase, batch_size=1000, default_user=user)
        created["links"] = len(links)

    def _write_updates(self, plan: dict, updated: Counter) -> None:
        """Changed children, advisors, providers and ended measures, each through its service."""
        user = self.user
        for group, changes in plan["child_updates"]:
            updated["children"] += self._service(
                group.first,
                "first_name",
                case_services.child_update,
                child=group.child,
                updated_by=user,
                **changes,
            )
        for group, advisor in plan["assignments"]:
            # MERGE (issue 5): the caseload cap inside case_assign refuses an advisor at the cap;
            # the refusal is reported on the row like any other.
            updated["cases"] += self._service(
                group.first,
                "advisor",
                case_services.case_assign,
                case=group.case,
                advisor=advisor,
                assigned_by=user,
            )
        for line, measure, provider in plan["measure_updates"]:
            updated["measures"] += self._service(
                line,
                "provider",
                measure_services.measure_update,
                measure=measure,
                updated_by=user,
                provider=provider,
            )
        for line, measure, end in plan["measure_ends"]:
            updated["measures"] += self._service(
                line,
                "end",
                measure_services.measure_end,
                measure=measure,
                end_date=end,
                ending_reason=Measure.EndingReason.OTHER,
                ending_note=ENDED_IN_DUBU,
                ended_by=user,
            )

    def _service(self, line: Line, column: str, service, **kwargs) -> bool:
        """Call a single-record service for ``line``; a refusal is the row's error. Skipping bad
        rows, the row's change is undone alone (a savepoint); otherwise the whole import is."""
        try:
            with transaction.atomic():
                service(**kwargs)
        except ValidationError as error:
            line.fail(self.columns.get(column, column), " ".join(error.messages))
            line.created = line.updated = False
            if not self.skip_bad_rows:
                raise _RowFailed() from None
            return False
        return True

    def _match_columns(self, header: list[str]) -> list[RowError]:
        """Find the profile's columns in the file's header without regard to case, spaces or a
        byte-order mark (as people save files), and read and report them by the file's own names.
        A required column missing, or a column found twice, is an error on the header row."""
        in_file: dict[str, list[str]] = defaultdict(list)
        for name in header:
            if name:
                in_file[_normal(header_name(name))].append(name)
        problems, columns = [], {}
        for field_name, column in self.profile.columns().items():
            found = in_file.get(_normal(column), [])
            columns[field_name] = found[0] if found else column
            if len(found) > 1:
                problems.append(RowError(1, found[0], _("Kolonnen står mere end én gang i filen.")))
            elif not found and field_name in REQUIRED_FIELDS:
                problems.append(RowError(1, column, _("Kolonnen mangler i filen.")))
        self.columns = columns
        return problems

    # -- the whole import --

    def run(self, content: bytes, file_name: str) -> Report:
        started = time.monotonic()
        report = Report(
            file_name=file_name[:255],
            profile=self.profile.name,
            dry_run=self.dry_run,
            skip_bad_rows=self.skip_bad_rows,
        )
        try:
            table = read_table(
                content, file_name=file_name, delimiter=self.profile.delimiter, encoding=self.profile.encoding
            )
        except FileError as error:
            report.errors.append(RowError(0, "", str(error)))
            return self._finish(report, started)
        self.progress(10)
        problems = self._match_columns(table.header)
        if problems:
            report.errors += problems
            return self._finish(report, started)
        lines = [parse_line(number, values, self.columns) for number, values in table.rows]
        report.rows = len(lines)
        self.progress(20)
        self._load(lines)
        for line in lines:
            self._resolve(line)
        self.progress(30)
        groups_by_id: dict[str, Group] = {}
        for line in lines:
            if line.case_id:
                groups_by_id.setdefault(line.case_id, Group(line.case_id, [])).lines.append(line)
        groups = list(groups_by_id.values())
        new_children: dict[str, Child] = {}
        for group in groups:
            self._consistent(group)
            if not group.first.errors:
                self._find_case(group, new_children)
        plan = self._plan_and_check(groups, lines)
        self.progress(50)
        bad = [line for line in lines if line.errors]
        if not bad or self.skip_bad_rows:
            try:
                with transaction.atomic():
                    created, updated = self._write(plan, groups)
                    if self.dry_run:
                        transaction.set_rollback(True)
                report.created, report.updated = created, updated
                report.committed = not self.dry_run
            except _RowFailed:
                pass
        for line in lines:
            report.errors += line.errors
            if line.errors:
                report.outcomes["error"] += 1
            elif line.created:
                report.outcomes["created"] += 1
            elif line.updated:
                report.outcomes["updated"] += 1
            else:
                report.outcomes["unchanged"] += 1
        if not report.committed and not self.dry_run:
            report.created, report.updated = Counter(), Counter()
        return self._finish(report, started)

    def _finish(self, report: Report, started: float) -> Report:
        report.seconds = time.monotonic() - started
        return report


class _RowFailed(Exception):
    """A service refused a row while writing: the import is rolled back."""


def import_file(
    *,
    content: bytes,
    file_name: str,
    user,
    profile: MappingProfile | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    today: datetime.date | None = None,
) -> Report:
    """Import a DUBU file as ``user`` (a team leader; new cases go only to teams they lead) and
    record the run. Refused unless ``user`` may import (``Action.DUBU_IMPORT``). See
    docs/dubu-exchange.md. A large file sent through the page or the API goes to
    ``dubu.jobs.import_in_background`` instead, which ends here too (``run_import``)."""
    require(user, Action.DUBU_IMPORT)
    profile = profile or MappingProfile.default()
    report = run_import(
        content=content,
        file_name=file_name,
        user=user,
        profile=profile,
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
        today=today,
    )
    run = ImportRun.objects.create(
        user=user,
        municipality=user.municipality,
        profile=profile,
        file_name=report.as_dict()["file_name"],
        seconds=report.seconds,
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
        committed=report.committed,
        report=report.as_dict(),
        finished_at=timezone.now(),
    )
    run.teams.set(user.led_team_ids())
    return report


def run_import(
    *,
    content: bytes,
    file_name: str,
    user,
    profile: MappingProfile,
    dry_run: bool,
    skip_bad_rows: bool,
    today: datetime.date | None = None,
    progress: Callable[[int], None] = _no_progress,
) -> Report:
    """The import itself, recorded by the caller; a lost database connection is the report's
    error rather than an exception."""
    importer = Importer(
        user=user,
        profile=profile,
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
        today=today,
        progress=progress,
    )
    try:
        return importer.run(content, file_name)
    except (OperationalError, InterfaceError) as error:
        if connection.in_atomic_block:
            raise  # the caller's own transaction went with the connection; the caller must know
        # The database went away mid-import (restart, failover, a killed session). The writes are
        # one transaction, which PostgreSQL rolled back with the session: say so plainly, drop the
        # dead connection so the next query opens a new one, and record the run.
        logger.error("The database connection was lost during a DUBU import: %s", type(error).__name__)
        connection.close()
        report = Report(
            file_name=file_name[:255], profile=profile.name, dry_run=dry_run, skip_bad_rows=skip_bad_rows
        )
        report.errors.append(RowError(0, "", str(CONNECTION_LOST)))
        return report
