"""``/api/v1/webhooks/``: an integration manages its own token's webhooks (docs/api.md, "Webhooks").

Each token sees and changes only its own webhooks: another token's (and every webhook, for a
person logged in without a token) is a 404. A read-only token reads them; writing is for a
read-write token (403 otherwise, ``TokenScope``). Writes call ``herning.api.webhook_services``.
The secret is in two answers only: the one that makes the webhook and the one that replaces its
secret (``rotate-secret``). The deliveries (``webhooks/{id}/deliveries/``) show what the feed
shows of each event (resource, id, kind, time), never a record's contents.

Unlike the records of the domain apps, a webhook is configuration: ``DELETE`` removes it (an
audit event keeps that it existed, and where it sent).
"""

from __future__ import annotations

from django.db.models import F, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from herning.api import feed, webhook_services
from herning.api.conditional import etag_for
from herning.api.filters import KnownParametersFilter, UpdatedAfterFilter
from herning.api.models import ApiToken, ChangeEvent, WebhookDelivery, WebhookSubscription
from herning.api.representation import ReadModelSerializer
from herning.api.viewsets import WRITE_METHODS, ReadOnlyResource, ServiceResource, refuse


class NotDead(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy(
        "Kun en opgivet levering kan sendes igen; denne bliver stadig forsøgt eller er leveret."
    )
    default_code = "not_dead"


class LastDeliverySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=WebhookDelivery.State.choices)
    status = serializers.IntegerField(allow_null=True, help_text="The receiver's last HTTP status.")
    error = serializers.CharField()
    created_at = serializers.DateTimeField()


class WebhookSerializer(ReadModelSerializer):
    last_delivery = serializers.SerializerMethodField()
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=ChangeEvent.Kind.choices))
    resources = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "resources", "kinds", "active", "created_at", "updated_at", "last_delivery"]
        read_only_fields = fields

    @extend_schema_field(LastDeliverySerializer(allow_null=True))
    def get_last_delivery(self, obj) -> dict | None:
        """The newest delivery's outcome, from the list's annotations (no query per webhook)."""
        if getattr(obj, "last_delivery_state", None) is None:
            return None
        return {
            "state": obj.last_delivery_state,
            "status": obj.last_delivery_status,
            "error": obj.last_delivery_error,
            "created_at": obj.last_delivery_at,
        }


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text="Shown in this answer only: keep it where the receiver checks it."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookWriteSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    resources = serializers.ListField(
        child=serializers.ChoiceField(choices=()), required=False, help_text="Empty: every resource."
    )
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=ChangeEvent.Kind.choices),
        required=False,
        help_text="Empty: every kind.",
    )
    active = serializers.BooleanField(required=False, default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The resources are registered by the apps when they are ready, after this module loads.
        self.fields["resources"].child.choices = feed.resource_names()


class PingSerializer(serializers.Serializer):
    delivered = serializers.BooleanField(help_text="The receiver answered 2xx.")
    status = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()


class DeliveryEventSerializer(serializers.Serializer):
    resource = serializers.CharField()
    id = serializers.CharField(source="object_id")
    kind = serializers.ChoiceField(choices=ChangeEvent.Kind.choices)
    occurred_at = serializers.DateTimeField()


class DeliverySerializer(ReadModelSerializer):
    event = DeliveryEventSerializer()
    webhook = serializers.IntegerField(source="subscription_id")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook",
            "event",
            "state",
            "attempts",
            "last_status",
            "last_error",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


def calling_token(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def webhooks_of(request):
    """The calling token's webhooks; none for a person logged in without a token."""
    token = calling_token(request)
    if token is None:
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.filter(token=token)


def _latest(field: str):
    newest = WebhookDelivery.objects.filter(subscription=OuterRef("pk")).order_by("-pk")
    return Subquery(newest.values(field)[:1])


class WebhookViewSet(ServiceResource):
    """The calling token's webhooks: list, make (the secret in the answer), read, change (``PATCH``
    with ``If-Match``), delete; ``rotate-secret`` and ``ping``."""

    read_serializer_class = WebhookSerializer
    create_serializer_class = WebhookWriteSerializer
    update_serializer_class = WebhookWriteSerializer
    queryset = WebhookSubscription.objects.none()  # the schema's model; reads go through get_queryset
    http_method_names = [*WRITE_METHODS, "delete"]
    lookup_value_regex = r"\d+"
    filter_backends = [KnownParametersFilter, UpdatedAfterFilter]
    audit_purpose = "Webhooks (API)"

    def get_queryset(self):
        return (
            webhooks_of(self.request)
            .select_related("token__user")
            .annotate(
                last_delivery_state=_latest("state"),
                last_delivery_status=_latest("last_status"),
                last_delivery_error=_latest("last_error"),
                last_delivery_at=_latest("created_at"),
            )
            .order_by("created_at", "pk")
        )

    def annotate_updated_at(self, queryset):
        """A webhook's ``updated_at`` is its own (its deliveries are a resource of their own)."""
        return queryset.annotate(api_updated_at=F("updated_at"))

    def check_create_permission(self) -> None:
        if calling_token(self.request) is None:
            refuse(_("Webhooks hører til et API-token: opret dem med tokenet, de skal følge."))

    def _with_secret(self, instance, secret: str, code: int) -> Response:
        data = self.get_read_serializer(self.reread(instance)).data
        # The ETag is the one a read answers (without the secret), so a PATCH may follow.
        return Response({**data, "secret": secret}, status=code, headers={"ETag": etag_for(data)})

    @extend_schema(request=WebhookWriteSerializer, responses={201: WebhookWithSecretSerializer})
    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription, secret = webhook_services.webhook_create(
            by=request.user, token=calling_token(request), **serializer.validated_data
        )
        return self._with_secret(subscription, secret, status.HTTP_201_CREATED)

    def service_update(self, instance, data):
        return webhook_services.webhook_update(by=self.request.user, subscription=instance, **data)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        webhook_services.webhook_delete(by=request.user, subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: WebhookWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        subscription = self.get_object()
        secret = webhook_services.webhook_rotate_secret(by=request.user, subscription=subscription)
        return self._with_secret(subscription, secret, status.HTTP_200_OK)

    @extend_schema(request=None, responses={200: PingSerializer})
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        status_code, error = webhook_services.webhook_ping(by=request.user, subscription=self.get_object())
        return Response(
            {
                "delivered": status_code is not None and 200 <= status_code < 300,
                "status": status_code,
                "error": error,
            }
        )


WEBHOOK_ID = OpenApiParameter(
    "webhook_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The webhook."
)


@extend_schema_view(
    list=extend_schema(parameters=[WEBHOOK_ID]),
    retrieve=extend_schema(parameters=[WEBHOOK_ID]),
    redeliver=extend_schema(parameters=[WEBHOOK_ID], request=None, responses={202: DeliverySerializer}),
)
class WebhookDeliveryViewSet(ReadOnlyResource):
    """A webhook's deliveries, newest first, the given-up ones (``state`` ``dead``) included;
    ``?state=dead`` lists those alone. ``redeliver`` sends a dead one again from the start."""

    serializer_class = read_serializer_class = DeliverySerializer
    queryset = WebhookDelivery.objects.none()
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d+"
    filter_backends = [KnownParametersFilter]
    extra_query_params = ("state",)
    audit_purpose = "Webhooks (API)"

    def subscription(self) -> WebhookSubscription:
        return get_object_or_404(webhooks_of(self.request), pk=self.kwargs["webhook_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        queryset = WebhookDelivery.objects.filter(subscription=self.subscription()).select_related("event")
        state = self.request.query_params.get("state")
        if state is not None and self.action == "list":
            if state not in WebhookDelivery.State.values:
                raise serializers.ValidationError({"state": [_("Ukendt tilstand.")]})
            queryset = queryset.filter(state=state)
        return queryset.order_by("-pk")

    @extend_schema(
        parameters=[
            WEBHOOK_ID,
            OpenApiParameter("state", str, enum=WebhookDelivery.State.values, description="Only these."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @action(detail=True, methods=["post"])
    def redeliver(self, request, webhook_id=None, pk=None):
        delivery = self.get_object()
        if delivery.state != WebhookDelivery.State.DEAD:
            raise NotDead()
        webhook_services.webhook_redeliver(by=request.user, delivery=delivery)
        delivery.refresh_from_db()
        return Response(self.get_read_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
