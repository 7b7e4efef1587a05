"""Filters shared by the resources."""

from __future__ import annotations

import datetime

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError

from herning.core.dates import validate_reading_date


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment, compared in UTC. PostgreSQL refuses offsets beyond ±15:59, which ISO
    allows (``-23:16``): taken as UTC first, such a moment is a plain comparison, not a 500."""

    def filter(self, qs, value):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)


class ListsOnly:
    """A filter backend that applies to lists only. A record is read by its id: building the
    list's filter form for it cost 1.4 ms of each read (benchmarks/RESULTS.md), and the schema
    offers filters and ordering on lists only, so a detail read never applied a documented one."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "detail", False):
            return queryset
        return super().filter_queryset(request, queryset, view)


class ListFilterBackend(ListsOnly, DjangoFilterBackend):
    """django-filter's filters, on lists only. A list asked for with none of its filters is its
    queryset as it is, without a filter set: django-filter would build the set and its form and
    validate an empty form, whose every filter then leaves the rows as they are (an empty value
    filters nothing), at 1 ms of CPU for each page of a list at national scale
    (benchmarks/RESULTS.md). A parameter that begins with a filter's name (``date_after`` of a
    range) counts as one of its filters."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _asks_for_a_filter(request, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _asks_for_a_filter(request, filterset_class) -> bool:
    names = tuple(filterset_class.base_filters)
    return any(key.startswith(names) for key in request.query_params)


class OrderingFilter(ListsOnly, filters.OrderingFilter):
    """DRF's ``ordering``, on lists only, described in the schema by the values it takes: the
    view's ``ordering_fields``, each ascending or descending (``-``), several comma-separated. A
    client generated from the schema then offers an enum instead of a free string."""

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", None)
        if not isinstance(fields, list | tuple):
            return super().get_schema_operation_parameters(view)
        values = [value for field in fields for value in (field, f"-{field}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(self.ordering_description)
                + " Several fields comma-separated; `-` in front orders descending.",
                "style": "form",
                "explode": False,
                "schema": {"type": "array", "items": {"type": "string", "enum": values}},
            }
        ]


def parse_updated_after(raw: str | None) -> datetime.datetime | None:
    """``updated_after`` as a moment in UTC (None when absent or empty), or a 400 at the parameter:
    ISO 8601, within the bounds of every date a client may ask about (1900 to ten years ahead), so
    an offset cannot push year 1 out of range into a server error. Every resource with
    ``updated_at`` reads it with this, computed in SQL or, for the follow-ups, in Python."""
    if raw is None:
        return None
    field = IsoDateTimeFilter(field_name="api_updated_at", lookup_expr="gt").field
    try:
        moment = field.clean(raw)
        validate_reading_date(moment)
    except DjangoValidationError as error:
        raise ValidationError({UpdatedAfterFilter.param: error.messages}) from error
    return moment.astimezone(datetime.UTC) if moment is not None else None


UPDATED_AFTER_DESCRIPTION = (
    "Only records changed after this moment (ISO 8601 with an offset): "
    "the record itself or anything shown inside it (`updated_at`)."
)


class UpdatedAfterFilter(filters.BaseFilterBackend):
    """Every resource of the change feed (``herning.api.feed``; the router's basename names it)
    shows ``updated_at`` and is filtered by ``updated_after``: the records changed, or with
    something shown inside them changed, after that moment. A resource that is no record of the
    feed (the caseload, the DUBU runs) says what its ``updated_at`` is by an
    ``annotate_updated_at(queryset)`` method on its view, adding ``api_updated_at``."""

    param = "updated_after"

    @staticmethod
    def resource(view) -> str | None:
        from herning.api import feed

        name = getattr(view, "basename", None)
        return name if name and feed.model_of(name) is not None else None

    def annotate(self, queryset, view):
        from herning.api import feed

        own = getattr(view, "annotate_updated_at", None)
        if own is not None:
            return own(queryset)
        name = self.resource(view)
        if name is None or queryset.model is not feed.model_of(name):
            return None
        return feed.annotate_updated_at(queryset, name)

    def filter_queryset(self, request, queryset, view):
        annotated = self.annotate(queryset, view)
        if annotated is None:
            return queryset
        if getattr(view, "action", None) != "list":
            return annotated
        moment = parse_updated_after(request.query_params.get(self.param))
        return annotated if moment is None else annotated.filter(api_updated_at__gt=moment)

    def get_schema_operation_parameters(self, view):
        if self.resource(view) is None and not hasattr(view, "annotate_updated_at"):
            return []
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": UPDATED_AFTER_DESCRIPTION,
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


class KnownParametersFilter(filters.BaseFilterBackend):
    """A list answers 400 at a query parameter it does not know (a misspelt filter or ordering
    would otherwise answer everything, unfiltered). Known: what the filter backends and the
    paginator describe in the schema, and a view's ``extra_query_params``."""

    always = frozenset({"format"})

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) == "list":
            reject_unknown(request, known_parameters(view, queryset))
        return queryset


def known_parameters(view, queryset) -> set[str]:
    names = set(KnownParametersFilter.always) | set(getattr(view, "extra_query_params", ()))
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if isinstance(backend, DjangoFilterBackend):
            filterset = backend.get_filterset_class(view, queryset)
            names.update(filterset.base_filters if filterset else ())
        else:
            names.update(p["name"] for p in backend.get_schema_operation_parameters(view))
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        names.update(p["name"] for p in paginator.get_schema_operation_parameters(view))
    return names


def reject_unknown(request, known, *, named=None) -> None:
    """400 at each query parameter not in ``known``, naming the ones the endpoint takes (``named``,
    else ``known``), so a client sees its misspelling next to the right spelling. The one check for
    every list and the statistics API."""
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        names = ", ".join(sorted(set(known if named is None else named) - KnownParametersFilter.always))
        message = _("Ukendt parameter. Mulige parametre: %(names)s.") % {"names": names or "–"}
        raise ValidationError({name: [message] for name in unknown})
