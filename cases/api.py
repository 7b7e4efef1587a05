"""``/api/v1/``: children, cases (and their assignment), notifications, investigations, plans and
goals, caseload.

Reads start from ``visible_to(user)`` (``cases.access``); writes call ``cases.services`` with the
same permission checks as the pages (``cases.permissions``). See docs/api.md.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Count, IntegerField, Min, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from cases import caseload, services
from cases.access import person_state
from cases.models import (
    AccessRequest,
    Case,
    CaseState,
    Child,
    Goal,
    Investigation,
    Notification,
    Plan,
    open_case_q,
)
from cases.permissions import (
    Action,
    can_assess_notification,
    can_record_receipt,
    require,
)
from cases.selectors import child_exists
from herning.api import feed
from herning.api.fields import CodeField, CprField, UpdatedAtField, VisibleRelatedField, date_field
from herning.api.filters import IsoDateTimeFilter, KnownParametersFilter, UpdatedAfterFilter
from herning.api.problems import answer_as_problem, field_error, problem_body
from herning.api.representation import ReadModelSerializer
from herning.api.viewsets import ReadOnlyResource, ServiceResource, refuse
from herning.audit.models import AccessLog
from herning.audit.services import log_child_read
from herning.core.dates import validate_reading_date
from herning.organisation.models import District, Role, RoleAssignment, SchoolDistrict, Team, User

PURPOSE = "Sagsbehandling (API)"


def _districts(user):
    return District.objects.filter(municipality_id=getattr(user, "municipality_id", None))


def _school_districts(user):
    return SchoolDistrict.objects.filter(district__municipality_id=getattr(user, "municipality_id", None))


def _colleagues(user):
    return User.objects.filter(municipality_id=getattr(user, "municipality_id", None), is_active=True)


def _visible_children(user):
    return Child.objects.visible_to(user)


def _visible_cases(user):
    return Case.objects.visible_to(user)


# --- Children -----------------------------------------------------------------------------------


class ChildSerializer(ReadModelSerializer):
    updated_at = UpdatedAtField()
    cpr = CprField(read_only=True)
    birth_date = date_field(read_only=True)
    open_case = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = ["id", "cpr", "birth_date", "legal_sex", *services.CHILD_FIELDS, "open_case", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_open_case(self, child) -> int | None:
        return getattr(child, "open_case_id", None)


class ChildWriteFields(serializers.Serializer):
    """The child's writable fields: ``cases.services.CHILD_FIELDS`` (a test holds them equal)."""

    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.RegexField(
        r"^\d{4}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": gettext_lazy("Et postnummer har fire cifre.")},
    )
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    district = VisibleRelatedField(visible=_districts, required=False, allow_null=True)
    school_district = VisibleRelatedField(visible=_school_districts, required=False, allow_null=True)
    school_or_daycare = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ChildCreateSerializer(ChildWriteFields):
    cpr = CprField(
        write_only=True,
        help_text="Write-only; read back masked. Birth date and legal sex follow from it.",
    )
    opened_on = date_field(required=False, help_text="The day the child's case opens (default today).")
    access_purpose = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Why you need the child, used only when the municipality already knows the child and "
        "you may not see it: the request for access goes to the responsible team leader with this purpose.",
    )


class ChildUpdateSerializer(ChildWriteFields):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)


class ChildFilter(django_filters.FilterSet):
    district = django_filters.NumberFilter()
    name = django_filters.CharFilter(method="filter_name", label="Part of the first or last name.")

    class Meta:
        model = Child
        fields = ["district"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(Q(first_name__icontains=value) | Q(last_name__icontains=value))


class ChildLookupSerializer(serializers.Serializer):
    cpr = CprField(write_only=True, help_text="The child's CPR number, in the body: never in an address.")
    purpose = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Why the child is looked up; written to the access log with the read "
        "(default: case work through the API).",
    )


@extend_schema_view(
    create=extend_schema(
        request=ChildCreateSerializer,
        responses={
            201: ChildSerializer,
            202: OpenApiResponse(
                description="The CPR number is known and you may not see the child: a request for access "
                "was sent to the responsible team leader (`detail`); no child is named."
            ),
            409: OpenApiResponse(
                description="The child is registered and you may see it: a problem (`child_registered`) "
                "whose `errors` name `cpr` and whose extra member `child` is its id.",
            ),
            429: OpenApiResponse(description="Too many requests for access in 24 hours (`detail`)."),
        },
    ),
    partial_update=extend_schema(request=ChildUpdateSerializer, responses={200: ChildSerializer}),
)
class ChildViewSet(ServiceResource):
    """Children (barn/ung). Registering a child opens the child's case, as the page does."""

    read_serializer_class = ChildSerializer
    create_serializer_class = ChildCreateSerializer
    update_serializer_class = ChildUpdateSerializer
    filterset_class = ChildFilter
    ordering_fields = ["last_name", "first_name", "birth_date", "id"]
    ordering = ["last_name", "first_name", "id"]
    audit_purpose = PURPOSE

    def get_queryset(self):
        open_case = Case.objects.for_system().open().filter(child=OuterRef("pk")).values("pk")[:1]
        return (
            Child.objects.visible_to(self.request.user)
            .annotate(open_case_id=Subquery(open_case))
            .order_by("last_name", "first_name", "pk")
        )

    def child_of(self, obj):
        return obj

    def check_create_permission(self):
        require(self.request.user, Action.CREATE_CHILD)

    def create(self, request, *args, **kwargs):
        """A CPR number the municipality knows is not registered again: the page's rule
        (cases.services.access_requests), answered 409 with the child when the caller may see it,
        else 202 with only the words the page shows."""
        self.check_create_permission()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        existing = services.existing_child(user=request.user, cpr=serializer.validated_data["cpr"])
        if existing is None:
            return super().create(request, *args, **kwargs)
        if existing.visible:
            message = _("Barnet er allerede registreret, og du har adgang til det.")
            body = problem_body(
                status.HTTP_409_CONFLICT,
                "child_registered",
                message,
                errors=[field_error("cpr", "child_registered", message)],
            )
            body["child"] = existing.child.pk
            answer_as_problem(request)
            return Response(body, status=status.HTTP_409_CONFLICT)
        try:
            services.access_request_create(
                child=existing.child,
                requested_by=request.user,
                purpose=serializer.validated_data.get("access_purpose", ""),
            )
        except services.TooManyAccessRequests as refused:
            # Answered, not raised: the refused attempt's audit event must survive the request's
            # transaction (an exception would roll it back).
            answer_as_problem(request)
            return Response(
                problem_body(status.HTTP_429_TOO_MANY_REQUESTS, "access_request_limit", str(refused)),
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        return Response({"detail": str(services.FORWARDED)}, status=status.HTTP_202_ACCEPTED)

    def service_create(self, data):
        user = self.request.user
        data.pop("access_purpose", None)
        child, _case = services.child_register_with_case(
            municipality=user.municipality, registered_by=user, opened_on=data.pop("opened_on", None), **data
        )
        return child

    def service_update(self, child, data):
        open_case = Case.objects.for_system().open().filter(child=child).first()
        require(self.request.user, Action.EDIT_CHILD, open_case)
        return services.child_update(child=child, updated_by=self.request.user, **data)

    @extend_schema(
        request=ChildLookupSerializer,
        responses={
            200: ChildSerializer,
            404: OpenApiResponse(description="No child with this CPR number that you may see."),
        },
    )
    @action(detail=False, methods=["post"])
    def lookup(self, request):
        """Find a child by CPR number without putting the number in an address: the number goes in
        the body. The answer is the child when the caller may see it, else 404 (the same for a
        number nobody has and a child of another team, so the endpoint tells nothing about who
        exists). The read is logged with its ``purpose``."""
        serializer = ChildLookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        child = self.get_queryset().filter(cpr=serializer.validated_data["cpr"]).first()
        if child is None:
            raise NotFound(_("Der er intet barn med dette CPR-nummer, som du har adgang til."))
        log_child_read(
            user=request.user,
            child=child,
            channel=AccessLog.Channel.API,
            purpose=serializer.validated_data.get("purpose") or self.audit_purpose,
            what=request.path,
        )
        return Response(self.get_read_serializer(child).data)


# --- Cases --------------------------------------------------------------------------------------


class CaseSerializer(ReadModelSerializer):
    updated_at = UpdatedAtField()
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    legal_basis = CodeField(read_only=True)
    current_step = serializers.IntegerField(source="current_step.number", read_only=True, allow_null=True)
    opened_on = date_field(read_only=True)
    closed_on = date_field(read_only=True, allow_null=True)
    closing_reason = serializers.ChoiceField(
        choices=Case.ClosingReason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "child",
            "child_name",
            "state",
            "advisor",
            "team",
            "district",
            "legal_basis",
            "current_step",
            "opened_on",
            "closed_on",
            "closing_reason",
            "closing_note",
            "updated_at",
        ]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer):
    child = VisibleRelatedField(visible=_visible_children)
    opened_on = date_field(required=False)


class CaseUpdateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[*services.MANUAL_STATES, CaseState.CLOSED],
        help_text="clarification, measures or aftercare; `closed` closes the case "
        "(with `closed_on` and `closing_reason`).",
    )
    closed_on = date_field(required=False)
    closing_reason = serializers.ChoiceField(choices=Case.ClosingReason.choices, required=False)
    closing_note = serializers.CharField(required=False, allow_blank=True)

    def validate(self, data):
        # PATCH makes every field optional; the state is what this update is about.
        if "state" not in data:
            raise serializers.ValidationError({"state": _("Angiv sagens nye tilstand.")})
        if data["state"] == CaseState.CLOSED:
            errors = {}
            if "closed_on" not in data:
                errors["closed_on"] = _("Angiv datoen, sagen lukkes.")
            if "closing_reason" not in data:
                errors["closing_reason"] = _("Angiv hvorfor sagen lukkes.")
            if errors:
                raise serializers.ValidationError(errors)
        return data


class AssignSerializer(serializers.Serializer):
    advisor = VisibleRelatedField(visible=_colleagues)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A team leader's written reason for assigning above the team's caseload cap.",
    )


class CaseFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=CaseState.choices)
    is_open = django_filters.BooleanFilter(method="filter_open", label="Only open (true) or closed (false).")
    opened_after = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="gte", validators=[validate_reading_date]
    )
    opened_before = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="lte", validators=[validate_reading_date]
    )
    no_advisor = django_filters.BooleanFilter(field_name="advisor", lookup_expr="isnull")

    class Meta:
        model = Case
        fields = ["child", "advisor", "team", "district", "state"]

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.exclude(open_case_q())


def persons_list(view):
    """The ``kept_list_key`` (``AuditedMixin``) of a resource whose list, asked for with no parameter
    but its page, depends on nothing but the person: not on the day, the language or anything else
    of the request. Its page and count are then compiled once per person and process, under the
    digest the access rule is kept under (``cases.access.person_state``)."""
    return person_state(view.request.user)


@extend_schema_view(
    create=extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer}),
    partial_update=extend_schema(request=CaseUpdateSerializer, responses={200: CaseSerializer}),
)
class CaseViewSet(ServiceResource):
    """A child's cases (børnesager)."""

    read_serializer_class = CaseSerializer
    create_serializer_class = CaseCreateSerializer
    update_serializer_class = CaseUpdateSerializer
    kept_list_key = persons_list
    filterset_class = CaseFilter
    ordering_fields = ["opened_on", "closed_on", "updated_at", "id"]
    ordering = ["-opened_on", "-id"]
    audit_purpose = PURPOSE

    def get_queryset(self):
        return (
            Case.objects.visible_to(self.request.user)
            .select_related("child", "legal_basis", "current_step")
            .order_by("-opened_on", "-pk")
        )

    def child_of(self, obj):
        return obj.child

    def case_of(self, obj):
        return obj

    def check_create_permission(self):
        require(self.request.user, Action.CREATE_CHILD)

    def service_create(self, data):
        user = self.request.user
        child = data["child"]
        return services.case_open(
            child=child,
            opened_by=user,
            advisor=user if user.has_role(Role.ADVISOR) else None,
            opened_on=data.get("opened_on"),
        )

    def service_update(self, case, data):
        user = self.request.user
        require(user, Action.EDIT_CASE, case)
        if data["state"] == CaseState.CLOSED:
            return services.case_close(
                case=case,
                closed_on=data["closed_on"],
                closing_reason=data["closing_reason"],
                closing_note=data.get("closing_note", ""),
                closed_by=user,
            )
        return services.case_set_state(case=case, state=data["state"], changed_by=user)

    @extend_schema(request=AssignSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give the case an advisor (the team leader of the case's team). Refused with 400 and a
        message when the advisor is not in the case's team or is at the team's caseload cap."""
        case = self.get_object()
        # Asked before the input is read: a person who may not assign gets 403, not 400.
        require(request.user, Action.ASSIGN, case)
        serializer = AssignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        kwargs = {"case": case, "advisor": data["advisor"], "assigned_by": request.user}
        # Above the cap only with the team leader's written reason (the service decides and records it).
        kwargs["override_reason"] = data.get("override_reason", "")
        case = services.case_assign(**kwargs)
        case = self.reread(case)
        self.audit_one(case)
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data)


# --- Notifications (underretninger) -------------------------------------------------------------


class NotificationSerializer(ReadModelSerializer):
    updated_at = UpdatedAtField()
    notifier_email = serializers.CharField(read_only=True, help_text="E-mail address, or empty.")
    receipt_due_on = date_field(read_only=True, allow_null=True)
    receipt_sent_on = date_field(read_only=True, allow_null=True)
    screening_due_on = date_field(read_only=True, allow_null=True)
    screened_on = date_field(read_only=True, allow_null=True)
    feedback_due_on = date_field(read_only=True, allow_null=True)
    feedback_sent_on = date_field(read_only=True, allow_null=True)
    # "" until the screening or the feedback is recorded: the schema says so (a blank choice).
    screening_outcome = serializers.ChoiceField(
        choices=Notification.ScreeningOutcome.choices, allow_blank=True, read_only=True
    )
    feedback_outcome = serializers.ChoiceField(
        choices=Notification.FeedbackOutcome.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "child",
            "case",
            "district",
            "received_at",
            "notifier_kind",
            "notifier_name",
            "notifier_organisation",
            "notifier_email",
            "notifier_phone",
            "concern",
            "registered_by",
            "registered_at",
            "duty_advisor",
            "assessment_due_at",
            "assessed_at",
            "assessed_by",
            "acute_danger",
            "assessment_action",
            "receipt_due_on",
            "receipt_sent_on",
            "screening_due_on",
            "screened_on",
            "screening_outcome",
            "feedback_due_on",
            "feedback_sent_on",
            "feedback_outcome",
            "updated_at",
        ]
        read_only_fields = fields


class NotificationCreateSerializer(serializers.Serializer):
    """As the intake page: the child by CPR number; a child the municipality does not know yet is
    registered with the name and district given."""

    cpr = CprField(write_only=True)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    district = VisibleRelatedField(visible=_districts, required=False, allow_null=True)
    school_district = VisibleRelatedField(visible=_school_districts, required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    received_at = serializers.DateTimeField()
    notifier_kind = serializers.ChoiceField(choices=Notification.NotifierKind.choices)
    notifier_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notifier_organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notifier_email = serializers.EmailField(required=False, allow_blank=True)
    notifier_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    concern = serializers.CharField()


class NotificationUpdateSerializer(serializers.Serializer):
    """One or more of the notification's steps, as the intake page records them: the 24-hour
    assessment (``acute_danger`` and ``assessment_action``), the receipt to a professional notifier
    (``receipt_sent_on``), the screening (``screening_outcome`` and ``screened_on``, Barnets Lov
    § 18) and the feedback to a professional notifier (``feedback_outcome`` and
    ``feedback_sent_on``, Barnets Lov § 136). Each is recorded once."""

    acute_danger = serializers.BooleanField(required=False)
    assessment_action = serializers.CharField(required=False, allow_blank=True)
    receipt_sent_on = date_field(required=False)
    screening_outcome = serializers.ChoiceField(choices=Notification.ScreeningOutcome.choices, required=False)
    screened_on = date_field(required=False)
    feedback_outcome = serializers.ChoiceField(choices=Notification.FeedbackOutcome.choices, required=False)
    feedback_sent_on = date_field(required=False)

    # Each step: the fields that start it and the one it cannot do without.
    STEPS = {
        "assessment": (("acute_danger", "assessment_action"), "acute_danger"),
        "receipt": (("receipt_sent_on",), "receipt_sent_on"),
        "screening": (("screening_outcome", "screened_on"), None),
        "feedback": (("feedback_outcome", "feedback_sent_on"), None),
    }

    def validate(self, data):
        steps = [step for step, (fields, _required) in self.STEPS.items() if any(f in data for f in fields)]
        if not steps:
            raise serializers.ValidationError(
                _(
                    "Angiv vurderingen (acute_danger og assessment_action), kvitteringsdatoen, "
                    "screeningen (screening_outcome og screened_on) eller tilbagemeldingen "
                    "(feedback_outcome og feedback_sent_on)."
                )
            )
        missing = {}
        for step in steps:
            fields, required = self.STEPS[step]
            for field in (required,) if required else fields:
                if field not in data:
                    missing[field] = (
                        _("Angiv om barnet er i akut fare.")
                        if field == "acute_danger"
                        else _("Angiv også dette felt.")
                    )
        if missing:
            raise serializers.ValidationError(missing)
        return data


class NotificationFilter(django_filters.FilterSet):
    assessed = django_filters.BooleanFilter(field_name="assessed_at", lookup_expr="isnull", exclude=True)
    received_after = IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = IsoDateTimeFilter(field_name="received_at", lookup_expr="lte")

    class Meta:
        model = Notification
        fields = ["child", "case", "district", "notifier_kind"]


@extend_schema_view(
    create=extend_schema(request=NotificationCreateSerializer, responses={201: NotificationSerializer}),
    partial_update=extend_schema(
        request=NotificationUpdateSerializer, responses={200: NotificationSerializer}
    ),
)
class NotificationViewSet(ServiceResource):
    """Notifications (underretninger): registered by a case administrator, assessed within 24 hours
    by the duty advisor, receipted to a professional notifier within 6 working days, screened
    (Barnets Lov § 18) and, for a professional notifier, answered with feedback (§ 136). PATCH
    records a step; docs/deadlines.md explains each deadline."""

    read_serializer_class = NotificationSerializer
    create_serializer_class = NotificationCreateSerializer
    update_serializer_class = NotificationUpdateSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["received_at", "assessment_due_at", "id"]
    ordering = ["-received_at", "-id"]
    audit_purpose = PURPOSE

    def get_queryset(self):
        return (
            Notification.objects.visible_to(self.request.user)
            .select_related("child")
            .order_by("-received_at", "-pk")
        )

    def child_of(self, obj):
        return obj.child

    def case_of(self, obj):
        return obj.case if obj.case_id else None

    def check_create_permission(self):
        require(self.request.user, Action.REGISTER_NOTIFICATION)

    def service_create(self, data):
        user = self.request.user
        with transaction.atomic():
            child = child_exists(municipality=user.municipality, cpr=data["cpr"])
            if child is None:
                missing = {
                    f: _("Barnet er ikke kendt i kommunen: angiv også dette felt.")
                    for f in ("first_name", "last_name")
                    if not data.get(f)
                }
                if missing:
                    raise serializers.ValidationError(missing)
                child = services.child_create(
                    municipality=user.municipality,
                    created_by=user,
                    cpr=data["cpr"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    district=data.get("district"),
                    school_district=data.get("school_district"),
                    address=data.get("address", ""),
                )
            return services.notification_register(
                child=child,
                registered_by=user,
                received_at=data["received_at"],
                notifier_kind=data["notifier_kind"],
                concern=data["concern"],
                **{
                    f: data.get(f, "")
                    for f in ("notifier_name", "notifier_organisation", "notifier_email", "notifier_phone")
                },
            )

    def service_update(self, notification, data):
        user = self.request.user
        with transaction.atomic():
            if "acute_danger" in data:
                if not can_assess_notification(user, notification, known_readable=True):
                    refuse(_("Du kan ikke vurdere denne underretning."))
                notification = services.notification_assess(
                    notification=notification,
                    acute_danger=data["acute_danger"],
                    action=data.get("assessment_action", ""),
                    assessed_by=user,
                )
            if "receipt_sent_on" in data:
                if not can_record_receipt(user, notification, known_readable=True):
                    refuse(_("Der skal ikke registreres en kvittering for denne underretning."))
                notification = services.notification_receipt_sent(
                    notification=notification, sent_on=data["receipt_sent_on"], sent_by=user
                )
            if "screening_outcome" in data:
                require(user, Action.SCREEN_NOTIFICATION, notification)
                notification = services.notification_screen(
                    notification=notification,
                    outcome=data["screening_outcome"],
                    screened_on=data["screened_on"],
                    screened_by=user,
                )
            if "feedback_outcome" in data:
                require(user, Action.RECORD_FEEDBACK, notification)
                notification = services.notification_feedback_sent(
                    notification=notification,
                    outcome=data["feedback_outcome"],
                    sent_on=data["feedback_sent_on"],
                    sent_by=user,
                )
        return notification


# --- Investigations (børnefaglige undersøgelser) ------------------------------------------------


class InvestigationSerializer(ReadModelSerializer):
    updated_at = UpdatedAtField()
    aware_on = date_field(
        read_only=True,
        help_text="The day the municipality became aware that the child may need special support; the "
        "four months count from it (Barnets Lov § 20, stk. 3; Serviceloven § 50, stk. 7).",
    )
    aware_on_reason = serializers.CharField(
        read_only=True, help_text="Why `aware_on` was changed from its default (empty: not changed)."
    )
    decided_on = date_field(read_only=True)
    due_on = date_field(
        source="deadline", read_only=True, help_text="The investigation is to be finished by this day."
    )
    finished_on = date_field(source="completed_on", read_only=True, allow_null=True)
    interim_assessment_due_on = serializers.SerializerMethodField(
        help_text="When the investigation is not finished within the four months, an interim assessment "
        "(foreløbig vurdering) is due on `due_on`; null for an investigation finished in time."
    )
    interim_assessed_on = date_field(read_only=True, allow_null=True)
    interim_assessment = serializers.CharField(read_only=True, help_text="The interim assessment's text.")

    class Meta:
        model = Investigation
        fields = [
            "id",
            "case",
            "aware_on",
            "aware_on_reason",
            "decided_on",
            "decided_by",
            "due_on",
            "finished_on",
            "conclusion",
            "interim_assessment_due_on",
            "interim_assessed_on",
            "interim_assessed_by",
            "interim_assessment",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_interim_assessment_due_on(self, investigation) -> str | None:
        finished = investigation.completed_on
        if finished is not None and finished <= investigation.deadline:
            return None
        return investigation.deadline.isoformat()


class InvestigationFilter(django_filters.FilterSet):
    is_open = django_filters.BooleanFilter(
        field_name="completed_on", lookup_expr="isnull", label="Only unfinished (true) or finished (false)."
    )
    due_before = django_filters.DateFilter(
        field_name="deadline", lookup_expr="lte", validators=[validate_reading_date]
    )

    class Meta:
        model = Investigation
        fields = ["case"]


class AwareOnSerializer(serializers.Serializer):
    aware_on = date_field(help_text="The corrected day the municipality became aware.")
    reason = serializers.CharField(help_text="Why the day is corrected; kept in the history.")


class InterimAssessmentSerializer(serializers.Serializer):
    assessed_on = date_field(help_text="The day of the interim assessment.")
    text = serializers.CharField(help_text="The interim assessment (foreløbig vurdering).")


class InvestigationViewSet(ReadOnlyResource):
    """Child-welfare investigations (børnefaglige undersøgelser): the four months count from the day
    the municipality became aware (``aware_on``); an investigation not finished by ``due_on`` owes
    an interim assessment (Barnets Lov § 20, stk. 3). Opened and finished on the case page; the
    actions correct ``aware_on`` and record the interim assessment, as the case page does."""

    # Read only but for the two actions (a POST to the list stays 405: there is no create).
    http_method_names = ["get", "post", "head", "options"]

    read_serializer_class = InvestigationSerializer
    serializer_class = InvestigationSerializer
    filterset_class = InvestigationFilter
    ordering_fields = ["decided_on", "aware_on", "id"]
    ordering = ["-decided_on", "-id"]
    audit_purpose = PURPOSE

    def get_queryset(self):
        return (
            Investigation.objects.visible_to(self.request.user)
            .select_related("case__child")
            .order_by("-decided_on", "-pk")
        )

    def child_of(self, obj):
        return obj.case.child

    def case_of(self, obj):
        return obj.case

    def _write(self, request, serializer_class, write):
        """One action on the investigation: who may read the case but not change it is refused
        before the input is looked at; then ``write(investigation, data, user)`` (a service) and
        the investigation as a read answers it."""
        investigation = self.get_object()
        require(request.user, Action.EDIT_CASE, investigation.case)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        investigation = write(investigation, serializer.validated_data, request.user)
        investigation = self.get_queryset().get(pk=investigation.pk)
        self.audit_one(investigation)
        return Response(self.get_read_serializer(investigation).data)

    @extend_schema(request=AwareOnSerializer, responses={200: InvestigationSerializer})
    @action(detail=True, methods=["post"], url_path="aware-on")
    def aware_on(self, request, pk=None):
        """Correct the day the municipality became aware, with a reason; ``due_on`` follows
        (``investigation_set_aware_on``). 400 with the field's message in the future or after
        ``decided_on``."""
        return self._write(
            request,
            AwareOnSerializer,
            lambda investigation, data, user: services.investigation_set_aware_on(
                investigation=investigation, aware_on=data["aware_on"], reason=data["reason"], changed_by=user
            ),
        )

    @extend_schema(request=InterimAssessmentSerializer, responses={200: InvestigationSerializer})
    @action(detail=True, methods=["post"], url_path="interim-assessment")
    def interim_assessment(self, request, pk=None):
        """Record the interim assessment of an investigation not finished within its four months
        (``investigation_record_interim``); recorded once."""
        return self._write(
            request,
            InterimAssessmentSerializer,
            lambda investigation, data, user: services.investigation_record_interim(
                investigation=investigation,
                assessed_on=data["assessed_on"],
                text=data["text"],
                assessed_by=user,
            ),
        )


# --- Plans and goals ----------------------------------------------------------------------------


class GoalSerializer(ReadModelSerializer):
    updated_at = UpdatedAtField()
    by_when = date_field(read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "plan",
            "what",
            "who",
            "how_measured",
            "by_when",
            "status",
            "status_note",
            "carried_from",
            "updated_at",
        ]
        read_only_fields = fields


class PlanSerializer(ReadModelSerializer):
    updated_at = UpdatedAtField()
    goals = GoalSerializer(many=True, read_only=True)
    due_on = date_field(read_only=True, allow_null=True)
    made_on = date_field(read_only=True, allow_null=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "case",
            "kind",
            "version",
            "purpose",
            "due_on",
            "made_on",
            "created_by",
            "goals",
            "updated_at",
        ]
        read_only_fields = fields


class GoalInputSerializer(serializers.Serializer):
    what = serializers.CharField()
    who = serializers.CharField(max_length=250)
    how_measured = serializers.CharField()
    by_when = date_field()
    status = serializers.ChoiceField(choices=Goal.Status.choices, required=False)
    status_note = serializers.CharField(required=False, allow_blank=True)
    carried_from = serializers.IntegerField(
        required=False, allow_null=True, help_text="Revisions: the goal of the previous version it continues."
    )


class PlanCreateSerializer(serializers.Serializer):
    case = VisibleRelatedField(visible=_visible_cases)
    kind = serializers.ChoiceField(choices=Plan.Kind.choices)
    made_on = date_field()
    purpose = serializers.CharField(required=False, allow_blank=True)
    goals = GoalInputSerializer(many=True)


class PlanReviseSerializer(serializers.Serializer):
    made_on = date_field()
    kind = serializers.ChoiceField(choices=Plan.Kind.choices, required=False)
    purpose = serializers.CharField(required=False, allow_blank=True)
    goals = GoalInputSerializer(many=True)


def _goal_data(goals: list[dict], case: Case) -> list[services.GoalData]:
    carried = {
        g.pk: g
        for g in Goal.objects.for_system()
        .filter(plan__case=case, pk__in=[g["carried_from"] for g in goals if g.get("carried_from")])
        .select_related("plan")
    }
    result = []
    for g in goals:
        source = g.get("carried_from")
        if source and source not in carried:
            raise serializers.ValidationError({"goals": _("Et videreført mål skal komme fra samme sag.")})
        result.append(
            services.GoalData(
                what=g["what"],
                who=g["who"],
                how_measured=g["how_measured"],
                by_when=g["by_when"],
                status=g.get("status", Goal.Status.NOT_STARTED),
                status_note=g.get("status_note", ""),
                carried_from=carried.get(source),
            )
        )
    return result


@extend_schema_view(create=extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer}))
class PlanViewSet(ServiceResource):
    """The child's plan (handleplan / barnets plan / ungeplan) and its SMART goals. A plan is not
    edited: a revision is a new version (``POST /plans/{id}/revise/``); goals change status through
    ``/goals/``."""

    read_serializer_class = PlanSerializer
    create_serializer_class = PlanCreateSerializer
    filterset_fields = ["case", "kind"]
    ordering_fields = ["version", "made_on", "id"]
    ordering = ["case", "-version"]
    audit_purpose = PURPOSE
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return (
            Plan.objects.visible_to(self.request.user)
            .select_related("case__child")
            # Each goal shows its own ``updated_at``.
            .prefetch_related(
                Prefetch("goals", queryset=feed.annotate_updated_at(Goal.objects.for_system(), "goal"))
            )
            .order_by("case", "-version")
        )

    def child_of(self, obj):
        return obj.case.child

    def case_of(self, obj):
        return obj.case

    def service_create(self, data):
        case = data["case"]
        require(self.request.user, Action.EDIT_CASE, case)
        return services.plan_create(
            case=case,
            kind=data["kind"],
            made_on=data["made_on"],
            purpose=data.get("purpose", ""),
            goals=_goal_data(data["goals"], case),
            created_by=self.request.user,
        )

    @extend_schema(request=PlanReviseSerializer, responses={201: PlanSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Make the next version of the plan; the earlier version and its goals stay as they were."""
        plan = self.get_object()
        require(request.user, Action.EDIT_CASE, plan.case)
        serializer = PlanReviseSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        new = services.plan_revise(
            plan=plan,
            made_on=data["made_on"],
            kind=data.get("kind"),
            purpose=data.get("purpose"),
            goals=_goal_data(data["goals"], plan.case),
            revised_by=request.user,
        )
        new = self.reread(new)
        self.audit_one(new)
        return Response(PlanSerializer(new, context=self.get_serializer_context()).data, status=201)


class GoalUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Goal.Status.choices)
    status_note = serializers.CharField(required=False, allow_blank=True)

    def validate(self, data):
        # PATCH makes every field optional; the status is what this update is about.
        if "status" not in data:
            raise serializers.ValidationError({"status": _("Angiv målets nye status.")})
        return data


@extend_schema_view(
    partial_update=extend_schema(request=GoalUpdateSerializer, responses={200: GoalSerializer}),
)
class GoalViewSet(ServiceResource):
    """The goals of the plans; a goal's status is set here (the history keeps every earlier one)."""

    read_serializer_class = GoalSerializer
    update_serializer_class = GoalUpdateSerializer
    filterset_fields = ["plan", "status"]
    ordering_fields = ["by_when", "id"]
    ordering = ["plan", "order", "id"]
    audit_purpose = PURPOSE
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Goal.objects.visible_to(self.request.user)
            .select_related("plan__case__child")
            .order_by("plan", "order", "pk")
        )

    def child_of(self, obj):
        return obj.plan.case.child

    def case_of(self, obj):
        return obj.plan.case

    def service_update(self, goal, data):
        require(self.request.user, Action.EDIT_CASE, goal.plan.case)
        return services.goal_update_status(
            goal=goal, status=data["status"], note=data.get("status_note", ""), updated_by=self.request.user
        )


# --- Caseload ------------------------------------------------------------------------------------


# The API's names of the caseload bands (``cases.caseload.level``, the bands the pages and the cap
# use); the names are the published contract of the API and stay as they are.
CASELOAD_STATUS = {
    caseload.UNDER: "ok",
    caseload.WARNING: "warning",
    caseload.AT_CAP: "at_cap",
    caseload.ABOVE: "over_cap",
}


def caseload_status(open_cases: int, *, cap: int, warning: int) -> str:
    return CASELOAD_STATUS[caseload.level(open_cases, warning=warning, cap=cap)]


class TeamCaseloadSerializer(serializers.Serializer):
    team = serializers.IntegerField(source="team.pk")
    name = serializers.CharField(source="team.name")
    cap = serializers.IntegerField(
        source="team.caseload_cap",
        help_text="The cap an assignment of a case of this team enforces.",
    )
    warning_level = serializers.IntegerField(source="team.caseload_warning")
    status = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=list(CASELOAD_STATUS.values())))
    def get_status(self, load) -> str:
        return caseload_status(load.open_cases, cap=load.cap, warning=load.warning)


class CaseloadSerializer(serializers.Serializer):
    advisor = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="get_full_name")
    open_cases = serializers.IntegerField(help_text="Open cases the advisor is responsible for.")
    cap = serializers.IntegerField(
        help_text="With `?team=`: that team's cap, the one an assignment of a case of that team enforces. "
        "Without it (deprecated): the strictest cap of the advisor's teams; read `teams` instead."
    )
    warning_level = serializers.IntegerField(
        help_text="The warning level of the same team as `cap` (with `?team=`: that team's)."
    )
    status = serializers.SerializerMethodField(
        help_text="The band of `open_cases` against `cap` and `warning_level` (with `?team=`: that team's)."
    )
    teams = serializers.SerializerMethodField(
        help_text="Per team of the advisor: the team's cap and warning level, which an assignment of a "
        "case of that team enforces, and the band of the advisor's open cases against them."
    )
    updated_at = UpdatedAtField(
        help_text="When this row last changed: the number of the advisor's open cases (a case given, "
        "taken, opened or closed), the advisor's name, their advisor roles or those teams' cap and "
        "warning level."
    )

    @extend_schema_field(serializers.ChoiceField(choices=list(CASELOAD_STATUS.values())))
    def get_status(self, user) -> str:
        return caseload_status(user.open_cases, cap=user.cap, warning=user.warning_level)

    @extend_schema_field(TeamCaseloadSerializer(many=True))
    def get_teams(self, user) -> list[dict]:
        loads = [
            caseload.Load(advisor=user, team=a.team, open_cases=user.open_cases)
            for a in sorted(user.advisor_assignments, key=lambda a: (a.team.name, a.team_id))
        ]
        return TeamCaseloadSerializer(loads, many=True).data


TEAM_PARAMETER = OpenApiParameter(
    "team",
    int,
    description="A team of your municipality: only its advisors, and the top-level `cap`, "
    "`warning_level` and `status` are that team's (what assigning a case of that team enforces).",
)


@extend_schema_view(list=extend_schema(parameters=[TEAM_PARAMETER]))
class CaseloadViewSet(ReadOnlyResource):
    """Caseload per advisor: open cases against the team's cap and warning level (docs/domain.md §5:
    at most 20-25 children per advisor). An advisor sees their own; a team leader the advisors of
    the teams they lead.

    An assignment enforces the cap of the case's team (``cases.services.case_assign``), so an
    advisor in several teams has several caps: ``teams`` gives each. With ``?team=`` the rows are
    that team's advisors and the top-level ``cap``, ``warning_level`` and ``status`` are that
    team's; without it they are the strictest team's, kept for earlier integrations (deprecated)."""

    read_serializer_class = CaseloadSerializer
    serializer_class = CaseloadSerializer
    lookup_value_regex = r"\d+"
    # No filters but ``team`` and ``updated_after``: any other query parameter answers 400.
    filter_backends = [KnownParametersFilter, UpdatedAfterFilter]
    extra_query_params = ("team",)
    ordering = None

    def annotate_updated_at(self, queryset):
        return caseload.annotate_load_changed_at(queryset)

    def get_queryset(self):
        user = self.request.user
        led = [t.pk for t in user.teams_for(Role.TEAM_LEADER)] if user.is_authenticated else []
        advisors = User.objects.filter(
            municipality_id=user.municipality_id,
            is_active=True,
            role_assignments__role=Role.ADVISOR,
        )
        visible = Q(pk=user.pk)
        if led:
            visible |= Q(role_assignments__team__in=led)
        ids = advisors.filter(visible).values("pk")
        team = self._team()
        advisor_teams = Q(role_assignments__role=Role.ADVISOR)
        if team is not None:
            ids = ids.filter(role_assignments__role=Role.ADVISOR, role_assignments__team=team)
            advisor_teams &= Q(role_assignments__team=team)
        open_cases = (
            Case.objects.for_system()
            .open()
            .filter(advisor=OuterRef("pk"))
            .order_by()
            .values("advisor")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            User.objects.filter(pk__in=ids)
            .annotate(
                open_cases=Coalesce(Subquery(open_cases, output_field=IntegerField()), 0),
                cap=Min("role_assignments__team__caseload_cap", filter=advisor_teams),
                warning_level=Min("role_assignments__team__caseload_warning", filter=advisor_teams),
            )
            .prefetch_related(
                Prefetch(
                    "role_assignments",
                    queryset=RoleAssignment.objects.filter(
                        role=Role.ADVISOR, team__isnull=False
                    ).select_related("team"),
                    to_attr="advisor_assignments",
                )
            )
            .order_by("first_name", "last_name", "pk")
        )

    def _team(self) -> Team | None:
        """The team of ``?team=``: one of the person's municipality, else a 400 on the field."""
        raw = self.request.query_params.get("team", "")
        if raw == "":
            return None
        team = None
        if raw.isdigit():
            team = Team.objects.filter(
                pk=int(raw), district__municipality_id=self.request.user.municipality_id
            ).first()
        if team is None:
            raise serializers.ValidationError({"team": [_("Vælg et team i din kommune.")]})
        return team

    @extend_schema(
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="The advisor's id."),
            TEAM_PARAMETER,
        ],
        responses={200: CaseloadSerializer},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


# --- Requests for access ------------------------------------------------------------------------


class AccessRequestSerializer(ReadModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "child",
            "requested_by",
            "purpose",
            "created_at",
            "team",
            "state",
            "decided_by",
            "decided_at",
            "updated_at",
        ]
        read_only_fields = fields

    updated_at = UpdatedAtField()


class AccessRequestViewSet(ReadOnlyResource):
    """The requests for access a team leader decides (the page ``/adgangsanmodninger/``): the list
    is the pending ones routed to the teams the person leads, oldest first; ``grant`` adds the
    person who asked to the child's open case, ``refuse`` refuses. Both call the page's service
    (``cases.services.access_request_decide``) and its rule (``Action.DECIDE_ACCESS_REQUEST``):
    403 with the reason for a request already decided or routed to another leader's team, 400
    when the child has no open case to grant access to."""

    serializer_class = read_serializer_class = AccessRequestSerializer
    queryset = AccessRequest.objects.none()  # the schema's model; reads go through get_queryset
    lookup_value_regex = r"\d+"
    filter_backends = [KnownParametersFilter, UpdatedAfterFilter]
    http_method_names = ["get", "post", "head", "options"]
    audit_purpose = "Anmodning om adgang (API)"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AccessRequest.objects.none()
        user = self.request.user
        if not user.has_role(Role.TEAM_LEADER):
            refuse(_("Kun teamledere afgør anmodninger om adgang."))
        queryset = AccessRequest.objects.visible_to(user).select_related(
            "requested_by", "decided_by", "child"
        )
        if self.action == "list":
            queryset = queryset.for_leader(user).pending()
        return queryset.order_by("created_at", "pk")

    def annotate_updated_at(self, queryset):
        """A request changes once, when it is decided; until then it is as it was asked."""
        return queryset.annotate(api_updated_at=Coalesce("decided_at", "created_at"))

    def child_of(self, obj):
        return obj.child

    @extend_schema(request=None, responses={200: AccessRequestSerializer})
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        return self._decide(grant=True)

    @extend_schema(request=None, responses={200: AccessRequestSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._decide(grant=False)

    def _decide(self, *, grant: bool) -> Response:
        decided = services.access_request_decide(
            request=self.get_object(), decided_by=self.request.user, grant=grant
        )
        self.audit_one(decided)
        data = self.get_read_serializer(decided).data
        return Response(data, status=status.HTTP_200_OK)
