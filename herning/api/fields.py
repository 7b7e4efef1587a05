"""Serializer fields shared by the resources."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from herning.core import cpr as cpr_lib

DATE_ERRORS = {"invalid": _("Datoen skal skrives ÅÅÅÅ-MM-DD.")}


def date_field(**kwargs) -> serializers.DateField:
    """A date written and read as ``YYYY-MM-DD``."""
    kwargs.setdefault("error_messages", DATE_ERRORS)
    return serializers.DateField(input_formats=["iso-8601"], format="iso-8601", **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "description": "CPR number. Written as DDMMYY-SSSS or ten digits; read back masked (`DDMMYY-••••`).",
        "example": "010203-••••",
    }
)
class CprField(serializers.CharField):
    """Write-only in effect: the number is taken in full and only ever read back masked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 11)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return cpr_lib.parse(value).digits
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from None

    # From the value alone: a plan may serve every instance of its serializer's class.
    represents_alone = True

    def to_representation(self, value):
        return cpr_lib.mask(value)


@extend_schema_field(OpenApiTypes.INT)
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to a record the requesting person may see; anything else is answered as
    if it did not exist (the same message for "not there" and "not yours")."""

    def __init__(self, *, visible: Callable, **kwargs):
        self.visible = visible
        kwargs.setdefault(
            "error_messages",
            {
                "does_not_exist": _("Findes ikke, eller du har ikke adgang til den (id {pk_value})."),
                "incorrect_type": _("Angiv et id (et heltal)."),
            },
        )
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.visible(request.user if request else None)


@extend_schema_field(OpenApiTypes.STR)
class CodeField(serializers.SlugRelatedField):
    """A reference by stable code (measure types, legal bases)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault(
            "error_messages",
            {
                "does_not_exist": _("Ukendt kode: {value}."),
                "invalid": _("Ugyldig kode."),
            },
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # PostgreSQL cannot compare text holding a NUL byte: refuse it as a bad code, not a 500.
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class UpdatedAtField(serializers.DateTimeField):
    """``updated_at`` of a resource of the change feed: when the record, or anything shown inside
    it, last changed (``herning.api.feed.annotate_updated_at``, which the resource's queryset
    carries; a nested list prefetches its rows annotated)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "When this record, or anything shown inside it, last changed.")
        super().__init__(read_only=True, allow_null=True, **kwargs)

    # Planned with its class (``herning.api.representation``): read as ``get_attribute`` reads it.
    plain_attribute = "api_updated_at"

    def get_attribute(self, instance):
        return getattr(instance, self.plain_attribute, None)
