"""Filters shared by the resources."""

from __future__ import annotations

import datetime

import django_filters
from rest_framework import filters


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment, compared in UTC. PostgreSQL refuses offsets beyond ±15:59, which ISO
    allows (``-23:16``): taken as UTC first, such a moment is a plain comparison, not a 500."""

    def filter(self, qs, value):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)


class OrderingFilter(filters.OrderingFilter):
    """DRF's ``ordering``, described in the schema by the values it takes: the view's
    ``ordering_fields``, each ascending or descending (``-``), several comma-separated. A client
    generated from the schema then offers an enum instead of a free string."""

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
