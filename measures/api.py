"""``/api/v1/``: the measure catalog (by ``code``), measures on a case and the ladder movements.

Measures are started, ended, changed and corrected through ``measures.services``; the case's
ladder step and movements follow from those services, never from the API.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.api import persons_list
from cases.models import Case, JournalNote, LegalBasis
from cases.permissions import Action, may
from herning.api import feed
from herning.api.fields import CodeField, UpdatedAtField, VisibleRelatedField, date_field
from herning.api.representation import ReadModelSerializer
from herning.api.viewsets import ReadOnlyResource, ServiceResource, not_editable
from herning.core.dates import validate_reading_date
from measures import services
from measures.models import LadderMovement, LadderStep, Measure, MeasureType

PURPOSE = "Sagsbehandling (API)"


def _visible_cases(user):
    return Case.objects.visible_to(user)


def _visible_notes(user):
    return JournalNote.objects.visible_to(user)


DECISION_BASIS_HELP = (
    "Required: with_consent, without_consent or not_applicable; the advisor chooses, nothing is assumed."
)


class HearingFields(serializers.Serializer):
    """The child's hearing before the measure starts (Barnets Lov § 5, stk. 3; forvaltningsloven
    § 19): ``hearing_on`` with ``hearing_note``, or ``hearing_journal_note``, or ``hearing_omitted``
    with ``hearing_omitted_note``. docs/api.md."""

    decision_basis = serializers.ChoiceField(
        choices=Measure.DecisionBasis.choices,
        help_text=DECISION_BASIS_HELP,
        error_messages={"required": _("Vælg, om afgørelsen træffes med eller uden samtykke.")},
    )
    hearing_on = date_field(required=False, allow_null=True)
    hearing_note = serializers.CharField(required=False, allow_blank=True)
    hearing_journal_note = VisibleRelatedField(
        visible=_visible_notes,
        required=False,
        allow_null=True,
        help_text="A journal note headed 'Partshøring – af barnet' (hearing_child) on the case.",
    )
    hearing_omitted = serializers.ChoiceField(
        choices=Measure.HearingOmitted.choices, required=False, allow_blank=True
    )
    hearing_omitted_note = serializers.CharField(required=False, allow_blank=True)
    plan_exception = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A placement without consent decided before the child's plan: why it could not wait.",
    )

    @staticmethod
    def hearing(data) -> services.Hearing:
        return services.Hearing(
            on=data.get("hearing_on"),
            note=data.get("hearing_note", ""),
            journal_note=data.get("hearing_journal_note"),
            omitted=data.get("hearing_omitted", ""),
            omitted_note=data.get("hearing_omitted_note", ""),
        )


def _active_types():
    return MeasureType.objects.filter(is_active=True)


# --- The catalog ------------------------------------------------------------------------------------


class MeasureTypeSerializer(ReadModelSerializer):
    ladder_step = serializers.IntegerField(source="ladder_step.number", read_only=True)
    legal_basis = CodeField(read_only=True)

    class Meta:
        model = MeasureType
        fields = [
            "code",
            "name",
            "name_en",
            "description",
            "ladder_step",
            "legal_basis",
            "placement_category",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields

    updated_at = UpdatedAtField()


class MeasureTypeFilter(django_filters.FilterSet):
    ladder_step = django_filters.NumberFilter(field_name="ladder_step__number")

    class Meta:
        model = MeasureType
        fields = ["is_active", "placement_category"]


class MeasureTypeViewSet(ReadOnlyResource):
    """The measure catalog (tilbudsvifte), each type by its stable ``code``. Edited in the admin."""

    read_serializer_class = MeasureTypeSerializer
    serializer_class = MeasureTypeSerializer
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_class = MeasureTypeFilter
    ordering_fields = ["code", "name"]
    ordering = ["-ladder_step__number", "name"]

    def get_queryset(self):
        return MeasureType.objects.select_related("ladder_step", "legal_basis").order_by(
            "-ladder_step__number", "name"
        )

    def annotate_updated_at(self, queryset):
        """A type's ``updated_at`` is its catalog entry's last change (its history): what it shows
        of its step and legal basis is their number and code, which are chosen on the type."""
        return queryset.annotate(api_updated_at=feed.latest_history_of(MeasureType))


# --- Measures -----------------------------------------------------------------------------------


class MeasureSerializer(ReadModelSerializer):
    updated_at = UpdatedAtField()
    measure_type = CodeField(read_only=True)
    ladder_step = serializers.IntegerField(source="measure_type.ladder_step.number", read_only=True)
    legal_basis = CodeField(read_only=True)
    start_date = date_field(read_only=True)
    planned_end = date_field(read_only=True, allow_null=True)
    actual_end = date_field(read_only=True, allow_null=True)
    next_followup_due = date_field(read_only=True, allow_null=True)
    ending_reason = serializers.ChoiceField(
        choices=Measure.EndingReason.choices, allow_blank=True, read_only=True
    )
    hearing_omitted = serializers.ChoiceField(
        choices=Measure.HearingOmitted.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Measure
        fields = [
            "id",
            "case",
            "measure_type",
            "ladder_step",
            "provider",
            "start_date",
            "planned_end",
            "actual_end",
            "decision_basis",
            "legal_basis",
            "hearing_on",
            "hearing_journal_note",
            "hearing_omitted",
            "plan_exception",
            "ending_reason",
            "ending_note",
            "decided_by",
            "next_followup_due",
            "updated_at",
        ]
        read_only_fields = fields


class MeasureCreateSerializer(HearingFields):
    case = VisibleRelatedField(visible=_visible_cases)
    measure_type = CodeField(queryset=MeasureType.objects.all(), help_text="The measure type's code.")
    start_date = date_field()
    provider = serializers.CharField(max_length=200, required=False, allow_blank=True)
    planned_end = date_field(required=False, allow_null=True)
    legal_basis = CodeField(
        queryset=LegalBasis.objects.all(),
        required=False,
        allow_null=True,
        help_text="Default: the measure type's legal basis.",
    )
    movement_reason = serializers.ChoiceField(choices=LadderMovement.Reason.choices, required=False)
    movement_note = serializers.CharField(required=False, allow_blank=True)


class MeasureUpdateSerializer(serializers.Serializer):
    """Correct the provider or planned end; end the measure with ``actual_end`` (its last day) and
    ``ending_reason``. ``start_date``, or ``actual_end`` of a measure that has ended, corrects the
    date back in time: the case's movements on the ladder are rebuilt from the corrected dates."""

    start_date = date_field(required=False)
    provider = serializers.CharField(max_length=200, required=False, allow_blank=True)
    planned_end = date_field(required=False, allow_null=True)
    actual_end = date_field(required=False)
    ending_reason = serializers.ChoiceField(choices=Measure.EndingReason.choices, required=False)
    ending_note = serializers.CharField(required=False, allow_blank=True)
    movement_reason = serializers.ChoiceField(choices=LadderMovement.Reason.choices, required=False)

    def validate(self, data):
        if "actual_end" in data and "ending_reason" not in data:
            raise serializers.ValidationError(
                {"ending_reason": _("Angiv årsagen til, at indsatsen ophører.")}
            )
        if "ending_reason" in data and "actual_end" not in data:
            raise serializers.ValidationError({"actual_end": _("Angiv indsatsens sidste dag.")})
        if not data:
            raise serializers.ValidationError(_("Angiv mindst ét felt, der skal ændres."))
        return data


class MeasureChangeSerializer(HearingFields):
    change_date = date_field(help_text="The first day of the new measure; the old one ends the day before.")
    new_measure_type = CodeField(queryset=MeasureType.objects.all())
    ending_reason = serializers.ChoiceField(choices=Measure.EndingReason.choices)
    provider = serializers.CharField(max_length=200, required=False, allow_blank=True)
    planned_end = date_field(required=False, allow_null=True)
    movement_reason = serializers.ChoiceField(choices=LadderMovement.Reason.choices, required=False)
    movement_note = serializers.CharField(required=False, allow_blank=True)


class MeasureFilter(django_filters.FilterSet):
    measure_type = django_filters.CharFilter(field_name="measure_type__code")
    active = django_filters.BooleanFilter(method="filter_active", label="Active today (true) or not (false).")
    started_after = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", validators=[validate_reading_date]
    )
    started_before = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", validators=[validate_reading_date]
    )
    followup_due_before = django_filters.DateFilter(
        field_name="next_followup_due", lookup_expr="lte", validators=[validate_reading_date]
    )

    class Meta:
        model = Measure
        fields = ["case", "measure_type", "decision_basis"]

    def filter_active(self, queryset, name, value):
        today = timezone.localdate()
        active = Q(start_date__lte=today) & (Q(actual_end__isnull=True) | Q(actual_end__gte=today))
        return queryset.filter(active) if value else queryset.exclude(active)


@extend_schema_view(
    create=extend_schema(request=MeasureCreateSerializer, responses={201: MeasureSerializer}),
    partial_update=extend_schema(request=MeasureUpdateSerializer, responses={200: MeasureSerializer}),
)
class MeasureViewSet(ServiceResource):
    """Measures (indsatser) on a case; starting and ending one moves the case on the ladder."""

    read_serializer_class = MeasureSerializer
    create_serializer_class = MeasureCreateSerializer
    update_serializer_class = MeasureUpdateSerializer
    kept_list_key = persons_list
    filterset_class = MeasureFilter
    ordering_fields = ["start_date", "actual_end", "next_followup_due", "id"]
    ordering = ["-start_date", "-id"]
    audit_purpose = PURPOSE

    audit_case_path = "case"

    def get_queryset(self):
        return self.with_audit_columns(
            Measure.objects.visible_to(self.request.user)
            .select_related("measure_type__ladder_step", "legal_basis")
            .order_by("-start_date", "-pk")
        )

    def child_of(self, obj):
        return obj.case.child

    def case_of(self, obj):
        return obj.case

    def service_create(self, data):
        case = data["case"]
        if not may(self.request.user, Action.EDIT_CASE, case):
            not_editable()
        optional = {
            k: data[k] for k in ("provider", "planned_end", "decision_basis", "movement_note") if k in data
        }
        return services.measure_start(
            case=case,
            measure_type=data["measure_type"],
            start_date=data["start_date"],
            decided_by=self.request.user,
            legal_basis=data.get("legal_basis"),
            movement_reason=data.get("movement_reason"),
            hearing=HearingFields.hearing(data),
            plan_exception=data.get("plan_exception", ""),
            **optional,
        )

    def service_update(self, measure, data):
        user = self.request.user
        if not may(user, Action.EDIT_CASE, measure.case):
            not_editable()
        with transaction.atomic():
            if "provider" in data or "planned_end" in data:
                measure = services.measure_update(
                    measure=measure,
                    updated_by=user,
                    provider=data.get("provider"),
                    planned_end=data.get("planned_end"),
                    clear_planned_end="planned_end" in data and data["planned_end"] is None,
                )
            if "start_date" in data or ("actual_end" in data and measure.actual_end is not None):
                measure = services.measure_redate(
                    measure=measure,
                    corrected_by=user,
                    start_date=data.get("start_date"),
                    actual_end=data.get("actual_end"),
                    ending_reason=data.get("ending_reason"),
                )
            elif "actual_end" in data:
                measure = services.measure_end(
                    measure=measure,
                    end_date=data["actual_end"],
                    ending_reason=data["ending_reason"],
                    ending_note=data.get("ending_note", ""),
                    movement_reason=data.get("movement_reason"),
                    ended_by=user,
                )
        return measure

    @extend_schema(request=MeasureChangeSerializer, responses={201: MeasureSerializer})
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        """Replace the measure by another from ``change_date``; the case moves once, straight from
        the old step to the new one. Answers with the new measure."""
        measure = self.get_object()
        if not may(request.user, Action.EDIT_CASE, measure.case):
            not_editable()
        serializer = MeasureChangeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        optional = {
            k: data[k] for k in ("provider", "planned_end", "decision_basis", "movement_note") if k in data
        }
        new = services.measure_change(
            measure=measure,
            change_date=data["change_date"],
            new_measure_type=data["new_measure_type"],
            ending_reason=data["ending_reason"],
            movement_reason=data.get("movement_reason"),
            decided_by=request.user,
            hearing=HearingFields.hearing(data),
            plan_exception=data.get("plan_exception", ""),
            **optional,
        )
        new = self.reread(new)
        self.audit_one(new)
        return Response(MeasureSerializer(new, context=self.get_serializer_context()).data, status=201)


# --- Ladder movements -------------------------------------------------------------------------------


class LadderMovementSerializer(ReadModelSerializer):
    updated_at = UpdatedAtField()
    date = date_field(read_only=True)
    from_step = serializers.SerializerMethodField()
    to_step = serializers.SerializerMethodField()
    direction = serializers.ChoiceField(choices=["up", "down", "same"], read_only=True)

    class Meta:
        model = LadderMovement
        fields = [
            "id",
            "case",
            "date",
            "from_step",
            "to_step",
            "direction",
            "reason",
            "note",
            "measure",
            "updated_at",
        ]
        read_only_fields = fields

    def _number(self, step: LadderStep | None) -> int | None:
        return step.number if step else None

    def get_from_step(self, movement) -> int | None:
        """The step before (empty: under clarification)."""
        return self._number(movement.from_step)

    def get_to_step(self, movement) -> int | None:
        """The step after (empty: under clarification)."""
        return self._number(movement.to_step)


class LadderMovementFilter(django_filters.FilterSet):
    date_after = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", validators=[validate_reading_date]
    )
    date_before = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", validators=[validate_reading_date]
    )

    class Meta:
        model = LadderMovement
        fields = ["case", "reason", "measure"]


class LadderMovementViewSet(ReadOnlyResource):
    """Moves between ladder steps, recorded by the measure services (KORA 2017, Fig. 4.1)."""

    read_serializer_class = LadderMovementSerializer
    serializer_class = LadderMovementSerializer
    filterset_class = LadderMovementFilter
    ordering_fields = ["date", "id"]
    ordering = ["case", "date", "id"]
    audit_purpose = PURPOSE

    audit_case_path = "case"

    def get_queryset(self):
        return self.with_audit_columns(
            LadderMovement.objects.visible_to(self.request.user)
            .select_related("from_step", "to_step")
            .order_by("case", "date", "pk")
        )

    def child_of(self, obj):
        return obj.case.child

    def case_of(self, obj):
        return obj.case
