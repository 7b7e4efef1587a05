"""Exporting to DUBU in the import's own format: one row per measure of each case the person may
read (a case without measures gets one row without them), with the profile's columns, separator,
character set and date format. Importing an export changes nothing (tests/dubu/test_round_trip.py).

The DUBU case id is DUBU's own where the case came from DUBU, else ``H<our case number>``, which an
import reads back as our case. The service, offer and legal basis are DUBU's own words where an
import received them (``DubuMeasure``) and the code table still reads them as the measure's type;
else the most specific line of the table for the type. A legal basis left empty is written as the
measure's own (SEL / BL section). Every child in the file is written to the access log.
The file is written by ``herning.core.spreadsheets``: a text that would start a formula gets an
apostrophe in front, which the reader takes off again (``dubu.reader``), so the round trip still
changes nothing.
"""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext as _

from cases.models import Case
from cases.permissions import Action, require
from dubu.importer import CodeTable
from dubu.models import FIELDS, DubuMeasure, MappingProfile
from followups.models import FollowUp
from herning.audit.models import AccessLog
from herning.audit.services import log_children_read
from herning.core import spreadsheets
from measures.models import Measure

PURPOSE = "Udtræk til DUBU"


def export_rows(*, user, profile: MappingProfile) -> tuple[list[str], list[list]]:
    """The header (the profile's column names) and the rows, with dates as ``datetime.date``.
    Refused unless ``user`` may export (``Action.DUBU_EXPORT``)."""
    require(user, Action.DUBU_EXPORT)
    columns = profile.columns()
    header = [columns[name] for name, _label in FIELDS]
    cases = list(
        Case.objects.visible_to(user).select_related("child__district", "advisor", "dubu_link").order_by("pk")
    )
    measures: dict[int, list[Measure]] = {}
    for measure in (
        Measure.objects.for_system()
        .filter(case__in=cases)
        .select_related("measure_type", "legal_basis")
        .order_by("start_date", "pk")
    ):
        measures.setdefault(measure.case_id, []).append(measure)
    last_held = dict(
        FollowUp.objects.for_system()
        .filter(measure__case__in=cases)
        .order_by()
        .values_list("measure")
        .annotate(last=Max("held_on"))
        .values_list("measure", "last")
    )
    received = {
        d.measure_id: d.codes for d in DubuMeasure.objects.for_system().filter(measure__case__in=cases)
    }
    codes = CodeTable(profile)
    rows = []
    for case in cases:
        child = case.child
        link = getattr(case, "dubu_link", None)
        base = {
            "case_id": link.dubu_case_id if link else f"H{case.pk}",
            "cpr": child.formatted_cpr,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "advisor": case.advisor.username if case.advisor_id else "",
            "district": child.district.name,
        }
        for measure in measures.get(case.pk) or [None]:
            row = dict(base)
            if measure is not None:
                service, offer, legal_basis = codes.export_codes(
                    measure.measure_type, measure.legal_basis.citation, received.get(measure.pk)
                )
                row |= {
                    "service": service,
                    "offer": offer,
                    "legal_basis": legal_basis,
                    "start": measure.start_date,
                    "end": measure.actual_end,
                    "provider": measure.provider,
                    "last_followup": last_held.get(measure.pk),
                }
            rows.append([row.get(name) for name, _label in FIELDS])
    if cases:
        log_children_read(
            user=user,
            children={c.child_id: c.child for c in cases}.values(),
            channel=AccessLog.Channel.EXPORT,
            purpose=PURPOSE,
            what=_("DUBU-udtræk (profil %(profile)s)") % {"profile": profile.name},
        )
    return header, rows


def export_csv(*, user, profile: MappingProfile) -> bytes:
    header, rows = export_rows(user=user, profile=profile)
    delimiter = ";" if profile.delimiter == MappingProfile.Delimiter.AUTO else profile.delimiter
    encoding = (
        "utf-8-sig"
        if profile.encoding in (MappingProfile.Encoding.AUTO, MappingProfile.Encoding.UTF8)
        else profile.encoding
    )
    return spreadsheets.csv_bytes(
        [header, *rows], delimiter=delimiter, encoding=encoding, date_format=profile.date_format
    )


def export_xlsx(*, user, profile: MappingProfile) -> bytes:
    header, rows = export_rows(user=user, profile=profile)
    return spreadsheets.xlsx_bytes([header, *rows], title="DUBU")
