"""The statistics API for BI tools: ``GET /api/v1/statistics/`` and ``/api/v1/statistics/<key>/``.

Each figure of the evaluation pages is offered as the very table the page shows and its export
writes: the figure is computed by the page's own code (``evaluation.views.figure_for``), with the
page's filters as query parameters, the page's access rule (management for the whole municipality,
a team leader for the teams they lead; the district comparison for management only) and the page's
disclosure control (a suppressed cell has no value, only its mark). Like the pages, the figures
show no person, so nothing is written to the access log (``shows_no_child``); like the pages, the
reads go to the statistics replica when one is set (``herning.core.replica``).

``period_from`` and ``period_to`` are accepted for the page's ``year_from`` and ``year_to`` (a
year, or a date whose year is taken): the figures are computed per calendar year, half-year or
rolling 12 months (``granularity``), as on the page.
"""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from evaluation.figures import FIGURES
from evaluation.scope import FIGURE_ROLES, sees_whole_municipality
from evaluation.tables import DISCLOSURE_NOTE, MIN_CHILDREN, Cell, Table
from evaluation.views import SECTIONS, figure_for, figure_parameters
from herning.api.filters import reject_unknown
from herning.audit.looks import shows_no_child
from herning.core import replica

ALIASES = {"period_from": "year_from", "period_to": "year_to"}
# Parameters every endpoint of the API understands besides its own filters.
GENERAL = frozenset({"format", "lang"})
_YEAR = re.compile(r"^(\d{4})(-\d{2}-\d{2})?$")


class CellSerializer(serializers.Serializer):
    value = serializers.JSONField(
        allow_null=True,
        help_text="The number (or text) as the export writes it; null when empty or suppressed.",
    )
    display = serializers.CharField(help_text="The cell as the page shows it, in the request's language.")
    suppressed = serializers.BooleanField(help_text="Hidden by the disclosure control.")
    mark = serializers.CharField(
        allow_blank=True, help_text=f"`<{MIN_CHILDREN}` (too few children), `..` (hidden with it) or empty."
    )


class RowSerializer(serializers.Serializer):
    label = serializers.CharField()
    level = serializers.IntegerField()
    total = serializers.BooleanField()
    cells = CellSerializer(many=True)


class ColumnGroupSerializer(serializers.Serializer):
    label = serializers.CharField(allow_blank=True)
    span = serializers.IntegerField()


class StatisticSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField(allow_blank=True)
    section = serializers.CharField()
    scope = serializers.CharField(help_text="The municipality, district or team the figure covers.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    data_from = serializers.DateField(help_text="The first day with data (snapshots) in the scope.")
    data_to = serializers.DateField(help_text="The last day with data (snapshots) in the scope.")
    row_header = serializers.CharField(allow_blank=True)
    columns = serializers.ListField(child=serializers.CharField(), help_text="As the export names them.")
    column_groups = ColumnGroupSerializer(many=True)
    rows = RowSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField(), help_text="The definitions under the table.")
    warnings = serializers.ListField(child=serializers.CharField())
    suppression_rule = serializers.CharField()
    made_at = serializers.DateTimeField()


FIGURE_LIST = inline_serializer(
    "StatisticListItem",
    {
        "key": serializers.CharField(),
        "section": serializers.CharField(),
        "section_label": serializers.CharField(),
        "parameters": serializers.ListField(child=serializers.CharField()),
        "url": serializers.URLField(),
    },
    many=True,
)


def _cell(cell: Cell) -> dict:
    return {
        "value": None if cell.hidden else cell.export() if cell.value is not None else None,
        "display": cell.display(),
        "suppressed": cell.hidden,
        "mark": cell.mark if cell.hidden else "",
    }


def _table(table: Table) -> dict:
    return {
        "row_header": str(table.row_header),
        "columns": table.flat_columns(),
        "column_groups": [{"label": str(label), "span": span} for label, span in table.column_groups],
        "rows": [
            {
                "label": str(row.label),
                "level": row.level,
                "total": row.total,
                "cells": [_cell(c) for c in row.cells],
            }
            for row in table.rows
        ],
        "notes": [str(n) for n in table.notes],
    }


def _require_figure_role(user) -> None:
    if not user.has_role(*FIGURE_ROLES):
        raise PermissionDenied(_("Tallene er for ledelsen og teamledere."))


def _sections_for(user):
    whole = sees_whole_municipality(user)
    return [s for s in SECTIONS if whole or not s.management_only]


class _Filters:
    """The page's query parameters for the page's form code: ``GET`` with the aliases resolved."""

    def __init__(self, request, key: str):
        takes = set(figure_parameters(key)) | set(ALIASES)
        reject_unknown(request, takes | GENERAL, named=takes)
        params = request.query_params.copy()
        for alias, name in ALIASES.items():
            if alias in params:
                match = _YEAR.match(params[alias])
                if match is None:
                    raise ValidationError({alias: [_("Skriv et år (ÅÅÅÅ) eller en dato (ÅÅÅÅ-MM-DD).")]})
                params.pop(alias)
                params.setdefault(name, match.group(1))
        self.GET = params
        self.user = request.user


@shows_no_child("anonymised figures for management and team leaders (disclosure control); never a child")
class StatisticsListView(APIView):
    """The figures this person may read, each with its own query parameters."""

    @extend_schema(
        operation_id="statistics_list", summary="The evaluation figures", responses={200: FIGURE_LIST}
    )
    def get(self, request):
        _require_figure_role(request.user)
        figures = [
            {
                "key": key,
                "section": section.key,
                "section_label": str(section.label),
                "parameters": sorted(
                    {*figure_parameters(key), *(ALIASES if "year_from" in figure_parameters(key) else ())}
                ),
                "url": reverse("statistic-detail", kwargs={"key": key}, request=request),
            }
            for section in _sections_for(request.user)
            for key in section.figures
        ]
        # A figure shown in two sections is listed once, under its first.
        seen: set[str] = set()
        return Response([f for f in figures if not (f["key"] in seen or seen.add(f["key"]))])


@shows_no_child("anonymised figures for management and team leaders (disclosure control); never a child")
class StatisticDetailView(APIView):
    """One figure as the page and its export show it, for the page's filters."""

    @extend_schema(
        operation_id="statistics_retrieve",
        summary="One evaluation figure as a table",
        parameters=[
            OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(FIGURES)),
            OpenApiParameter(
                "period_from", OpenApiTypes.STR, description="First year (YYYY or a date in it)."
            ),
            OpenApiParameter("period_to", OpenApiTypes.STR, description="Last year (YYYY or a date in it)."),
            OpenApiParameter("year_from", OpenApiTypes.INT),
            OpenApiParameter("year_to", OpenApiTypes.INT),
            OpenApiParameter(
                "granularity", OpenApiTypes.STR, description="As on the page (e.g. year, half)."
            ),
            OpenApiParameter("district", OpenApiTypes.INT, description="A district's id (management)."),
            OpenApiParameter("team", OpenApiTypes.INT, description="A team's id."),
        ],
        responses={200: StatisticSerializer},
    )
    def get(self, request, key: str):
        _require_figure_role(request.user)
        if key not in FIGURES:
            raise NotFound()
        form, ctx, figure = replica.on_statistics(figure_for, _Filters(request, key), key)
        if figure is None:
            if form is not None and form.errors:
                raise ValidationError(
                    {name: [str(e) for e in errors] for name, errors in form.errors.items()}
                )
            raise ValidationError({"non_field_errors": [_("Der er endnu ingen data at hente.")]})
        section = next(s for s in SECTIONS if key in s.figures)
        return Response(
            {
                "key": key,
                "title": str(figure.title),
                "source": str(figure.source or ""),
                "section": section.key,
                "scope": str(ctx.scope.label),
                "period_start": ctx.start,
                "period_end": ctx.end,
                "data_from": ctx.first,
                "data_to": ctx.last,
                **_table(figure.table),
                "warnings": [str(w) for w in figure.warnings],
                "suppression_rule": str(DISCLOSURE_NOTE),
                "made_at": timezone.now(),
            }
        )
