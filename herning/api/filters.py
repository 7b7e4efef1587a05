"""Filters shared by the resources."""

from __future__ import annotations

import datetime

import django_filters


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment, compared in UTC. PostgreSQL refuses offsets beyond ±15:59, which ISO
    allows (``-23:16``): taken as UTC first, such a moment is a plain comparison, not a 500."""

    def filter(self, qs, value):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)
