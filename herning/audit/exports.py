"""Exports (CSV, XLSX, PDF) that are permission-checked and logged like any other read.

Another app builds a ``Table`` and calls ``export_response``::

    from herning.audit.exports import Table, export_response

    table = Table(title=_("Sager i Team Nord"), header=[_("Barn"), _("Trin")], rows=rows)
    return export_response(
        request=request, table=table, fmt=fmt, filename="sager-team-nord",
        children=children, purpose=_("Teamoverblik"),
    )

Every child in ``children`` (the children whose data is in the file) must be visible to the
person asking (``Child.objects.visible_to``), otherwise the answer is 404 and nothing is written;
one access-log entry per child is written with channel "export". An export of figures that name
no child passes ``children=()``. The CSV and XLSX are written by ``herning.core.spreadsheets``
(no cell can carry a formula; never cached). ``build_export`` makes the file without these checks, for the
access log's own citizen export, which logs itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from herning.audit.models import AccessLog
from herning.audit.services import log_children_read
from herning.core import spreadsheets
from herning.core.logging import CPR_PATTERN

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = spreadsheets.CONTENT_TYPES


@dataclass(frozen=True)
class Table:
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence]
    notes: Sequence[str] = field(default_factory=tuple)


def export_response(
    *,
    request,
    table: Table,
    fmt: str,
    filename: str,
    children: Iterable,
    purpose: str,
    what: str = "",
) -> HttpResponse:
    """The export as a download, after checking that ``request.user`` may read every child in it
    and logging one entry per child."""
    children = list(children)
    ids = {child.pk for child in children}
    # The children's own model decides who may read them (its ``visible_to``); the export helper
    # belongs to the foundation and knows no domain model by name.
    if ids and type(children[0])._default_manager.visible_to(request.user).filter(pk__in=ids).count() != len(
        ids
    ):
        raise Http404
    response = build_export(table, fmt=fmt, filename=filename)
    log_children_read(
        user=request.user,
        children=children,
        channel=AccessLog.Channel.EXPORT,
        purpose=purpose,
        what=what or f"{table.title} ({fmt.upper()})",
    )
    return response


def build_export(table: Table, *, fmt: str, filename: str) -> HttpResponse:
    """The file itself; no check and no log (see the module docstring)."""
    if fmt not in FORMATS:
        raise Http404
    if CPR_PATTERN.search(filename):
        raise ValueError("A file name must not carry a CPR number.")
    body = {"csv": _csv, "xlsx": _xlsx, "pdf": _pdf}[fmt](table)
    # Personal data: never kept by a browser or proxy cache.
    return spreadsheets.file_response(body, fmt=fmt, filename=filename)


def _csv(table: Table) -> bytes:
    # Semicolons and a byte-order mark: what Danish Excel opens without an import dialogue.
    return spreadsheets.csv_bytes([table.header, *table.rows])


def _xlsx(table: Table) -> bytes:
    return spreadsheets.xlsx_bytes([table.header, *table.rows], title=str(table.title) or "Udtræk")


def _pdf(table: Table) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "audit/export_table.html",
        {"table": table, "generated_at": timezone.localtime(), "generated_label": _("Dannet")},
    )
    return HTML(string=html).write_pdf()
