"""``GET /api/v1/changes/``: the change feed (herning.api.feed; docs/api.md, "Changes").

Not written to the access log: an entry says that a record the caller may read changed (resource,
id, kind, time), never what it holds, no name, no CPR number, nothing of the child. The client reads
the record itself through its resource, and that read is logged as every read of a child's data.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from herning.api import feed
from herning.api.filters import reject_unknown
from herning.api.models import ChangeEvent

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class ChangeSerializer(serializers.Serializer):
    cursor = serializers.SerializerMethodField(help_text="The position of this change in the feed.")
    resource = serializers.CharField(help_text="The resource's path under /api/v1/, e.g. `case`.")
    id = serializers.CharField(source="object_id")
    kind = serializers.ChoiceField(choices=ChangeEvent.Kind.choices)
    occurred_at = serializers.DateTimeField()

    def get_cursor(self, event) -> str:
        return feed.encode_cursor(event.txid, event.id)


class ChangesQuery(serializers.Serializer):
    after = serializers.CharField(required=False, allow_blank=True, default="")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    resource = serializers.MultipleChoiceField(choices=(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = feed.resource_names()

    def validate_after(self, value: str) -> str:
        try:
            feed.decode_cursor(value)
        except feed.BadCursor as error:
            raise serializers.ValidationError(
                _("Ukendt markør: brug next_cursor fra et tidligere svar.")
            ) from error
        return value


class ChangesView(APIView):
    """The changes to records you may read, oldest first, from just after `after`."""

    @extend_schema(
        operation_id="v1_changes_list",
        parameters=[ChangesQuery],
        responses=inline_serializer(
            "ChangePage",
            {
                "results": ChangeSerializer(many=True),
                "next_cursor": serializers.CharField(help_text="Send as `after` to read on."),
                "has_more": serializers.BooleanField(help_text="More changes are ready: ask again at once."),
            },
        ),
    )
    def get(self, request):
        reject_unknown(request, ChangesQuery().fields)
        query = ChangesQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        page = feed.read(
            request.user,
            data["after"],
            limit=data["limit"],
            resources=set(data.get("resource") or ()) or None,
        )
        return Response(
            {
                "results": ChangeSerializer(page.events, many=True).data,
                "next_cursor": page.cursor,
                "has_more": page.has_more,
            }
        )
