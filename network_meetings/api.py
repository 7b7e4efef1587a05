"""``/api/v1/network-meetings/``: network meetings (netværksmøder) about the children the person
may read or the meetings they take part in (``NetworkMeeting.objects.visible_to``).

The consent gate holds here as on the pages: until the custody holders' consent is recorded a
meeting is anonymous, and its answer names the child by initials only (``child_label``).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.models import Child
from cases.permissions import Action, require
from herning.api.fields import UpdatedAtField, VisibleRelatedField, date_field
from herning.api.filters import IsoDateTimeFilter
from herning.api.representation import ReadModelSerializer
from herning.api.viewsets import ServiceResource
from herning.core.dates import validate_reading_date
from network_meetings import services
from network_meetings.models import NetworkMeeting


def _visible_children(user):
    return Child.objects.visible_to(user)


class NetworkMeetingSerializer(ReadModelSerializer):
    updated_at = UpdatedAtField()
    child_label = serializers.CharField(
        read_only=True, help_text="The child's name once consent is recorded, initials before."
    )
    has_consent = serializers.BooleanField(read_only=True)
    contact_email = serializers.CharField(read_only=True, help_text="E-mail address, or empty.")
    concern_noted_on = date_field(read_only=True, allow_null=True)

    class Meta:
        model = NetworkMeeting
        fields = [
            "id",
            "child",
            "child_label",
            "case",
            "team",
            "kind",
            "status",
            *services.MEETING_TIME_FIELDS,
            *services.MEETING_FIELDS[1:],
            "has_consent",
            "previous_meeting",
            "cancellation_note",
            "created_by",
            "updated_at",
        ]
        read_only_fields = fields


class MeetingFields(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NetworkMeeting.Kind.choices)
    # A moment the calendar can hold: a year 30 was taken and read back with the local mean time
    # of Copenhagen (+00:50:20), which no client parses (found by schemathesis).
    starts_at = serializers.DateTimeField(validators=[validate_reading_date])
    ends_at = serializers.DateTimeField(validators=[validate_reading_date])
    place = serializers.CharField(max_length=200)
    purpose = serializers.CharField()
    reason = serializers.CharField()
    agenda = serializers.CharField(required=False, allow_blank=True)
    agenda_made_with_parents = serializers.BooleanField(required=False)
    procedure = serializers.CharField(required=False, allow_blank=True)
    initiator_name = serializers.CharField(max_length=200)
    initiator_function = serializers.CharField(max_length=200)
    contact_name = serializers.CharField(max_length=200)
    contact_phone = serializers.CharField(max_length=30)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    concern_noted_on = date_field(required=False, allow_null=True)

    def validate(self, data):
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": _("Mødet skal slutte efter, det er begyndt.")})
        return data


class MeetingCreateSerializer(MeetingFields):
    child = VisibleRelatedField(visible=_visible_children)


class MeetingUpdateSerializer(MeetingFields):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class CancelSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=250, required=False, allow_blank=True)


class MeetingFilter(django_filters.FilterSet):
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lte")

    class Meta:
        model = NetworkMeeting
        fields = ["child", "case", "team", "kind", "status"]


@extend_schema_view(
    create=extend_schema(request=MeetingCreateSerializer, responses={201: NetworkMeetingSerializer}),
    partial_update=extend_schema(request=MeetingUpdateSerializer, responses={200: NetworkMeetingSerializer}),
)
class NetworkMeetingViewSet(ServiceResource):
    """Network meetings and involving network meetings (Herningmodellen 1.0). Participants, consent,
    minutes and agreements are kept on the meeting's pages."""

    read_serializer_class = NetworkMeetingSerializer
    create_serializer_class = MeetingCreateSerializer
    update_serializer_class = MeetingUpdateSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["starts_at", "id"]
    ordering = ["-starts_at", "-id"]
    audit_purpose = "Netværksmøde (API)"

    def get_queryset(self):
        return (
            NetworkMeeting.objects.visible_to(self.request.user)
            .select_related("child", "case", "chair", "minute_taker")
            .order_by("-starts_at", "-pk")
        )

    def child_of(self, obj):
        return obj.child

    def case_of(self, obj):
        return obj.case

    def check_create_permission(self):
        require(self.request.user, Action.PLAN_MEETING)

    def service_create(self, data):
        user = self.request.user
        return services.meeting_plan(
            planned_by=user,
            initiator_user=user,
            **{
                f: data[f]
                for f in ("child", *services.MEETING_TIME_FIELDS, *services.MEETING_FIELDS)
                if f in data
            },
        )

    def service_update(self, meeting, data):
        return services.meeting_update(meeting=meeting, by=self.request.user, **data)

    @extend_schema(request=CancelSerializer, responses={200: NetworkMeetingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the meeting; everyone who was invited is sent a cancellation."""
        meeting = self.get_object()
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting = services.meeting_cancel(
            meeting=meeting, by=request.user, note=serializer.validated_data.get("note", "")
        )
        meeting = self.reread(meeting)
        self.audit_one(meeting)
        return Response(NetworkMeetingSerializer(meeting, context=self.get_serializer_context()).data)
