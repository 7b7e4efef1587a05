"""``/api/v1/dubu/``: imports (``POST /dubu/imports/``, multipart, with ``dry_run``), the record of
earlier runs (each also the job of an import in the background), and the export
(``GET /dubu/export/``). For team leaders, as the page."""

from __future__ import annotations

from django.db.models import F
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.permissions import Action, require
from dubu import exporter
from dubu.importer import import_file
from dubu.jobs import import_in_background, runs_in_background
from dubu.models import ImportRun, MappingProfile
from dubu.reader import max_file_bytes, too_large_message
from dubu.uploads import bound_upload
from herning.api.filters import KnownParametersFilter, UpdatedAfterFilter
from herning.api.idempotency import IdempotentMixin
from herning.api.problems import answer_as_problem, problem_body
from herning.api.representation import ReadModelSerializer
from herning.core import spreadsheets


def _require(user, action: Action) -> None:
    """Refused (403 with the rule's reason) before the request's input is read; the importer and
    the exporter ask the same rule (``Action.DUBU_IMPORT`` / ``DUBU_EXPORT``)."""
    require(user, action)


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            "The DUBU file: CSV (semicolon, comma or tab; UTF-8, UTF-16 with BOM or Windows-1252) or "
            "XLSX, at most HERNING_DUBU_MAX_FILE_MB (default 50 MB)."
        )
    )
    dry_run = serializers.BooleanField(default=False, help_text="Check and count only; write nothing.")
    skip_bad_rows = serializers.BooleanField(
        default=False, help_text="Import the good rows even when some are bad (they are reported)."
    )
    profile = serializers.PrimaryKeyRelatedField(
        queryset=MappingProfile.objects.all(),
        required=False,
        help_text="The mapping profile (default: the default profile).",
    )

    def validate_file(self, value):
        if value.size > max_file_bytes():
            raise FileTooLarge()
        return value


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="The row number as a spreadsheet shows it (the header is row 1; 0: the file)."
    )
    column = serializers.CharField()
    message = serializers.CharField()


class CountsSerializer(serializers.Serializer):
    children = serializers.IntegerField()
    cases = serializers.IntegerField()
    links = serializers.IntegerField(required=False)
    measures = serializers.IntegerField()
    followups = serializers.IntegerField(required=False)


class ImportReportSerializer(serializers.Serializer):
    file_name = serializers.CharField()
    profile = serializers.CharField()
    dry_run = serializers.BooleanField()
    skip_bad_rows = serializers.BooleanField()
    committed = serializers.BooleanField(help_text="Whether anything was written.")
    rows = serializers.IntegerField()
    created_rows = serializers.IntegerField()
    updated_rows = serializers.IntegerField()
    unchanged_rows = serializers.IntegerField()
    bad_rows = serializers.IntegerField()
    created = CountsSerializer()
    updated = CountsSerializer()
    errors = RowErrorSerializer(many=True)
    seconds = serializers.FloatField()


class ImportCountsSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created_rows = serializers.IntegerField()
    updated_rows = serializers.IntegerField()
    unchanged_rows = serializers.IntegerField()
    bad_rows = serializers.IntegerField()


COUNTS = ("rows", "created_rows", "updated_rows", "unchanged_rows", "bad_rows")


class ImportRunSerializer(ReadModelSerializer):
    """A run, which is also the job of an import in the background: ``state`` (``queued``,
    ``running``, ``done``, ``failed``) and ``progress`` (per cent) while it runs; ``counts`` and
    the ``report`` once it is finished (null before)."""

    user = serializers.CharField(source="user.username")
    counts = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        read_only=True, help_text="When the run last changed: its state, its progress or its report."
    )

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "user",
            "file_name",
            "started_at",
            "finished_at",
            "state",
            "progress",
            "dry_run",
            "skip_bad_rows",
            "committed",
            "counts",
            "report",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ImportCountsSerializer(allow_null=True))
    def get_counts(self, run: ImportRun) -> dict | None:
        if not run.finished or not run.report:
            return None
        return {name: run.report.get(name, 0) for name in COUNTS}

    @extend_schema_field(ImportReportSerializer(allow_null=True))
    def get_report(self, run: ImportRun) -> dict | None:
        return run.report if run.finished and run.report else None


class FileTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "file_too_large"

    def __init__(self):
        super().__init__(too_large_message())


class DubuImportViewSet(
    IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Imports from DUBU. ``POST`` answers 200 with the report of a dry run, 201 when the import
    was written, and 400 with the report when bad rows stopped it (nothing written). A file from
    ``HERNING_DUBU_BACKGROUND_FROM_KB`` up is imported in the background: 202 with the job (the
    run, ``Location`` its address), which ``GET`` follows until its ``state`` is ``done``."""

    serializer_class = ImportRunSerializer
    queryset = ImportRun.objects.none()  # the schema's model; reads go through get_queryset
    lookup_value_regex = r"\d+"
    parser_classes = [MultiPartParser, FormParser]
    # No filters but ``updated_after``: any other query parameter answers 400.
    filter_backends = [KnownParametersFilter, UpdatedAfterFilter]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportRun.objects.none()
        _require(self.request.user, Action.DUBU_IMPORT)
        return ImportRun.objects.visible_to(self.request.user).select_related("user")

    def annotate_updated_at(self, queryset):
        """A run's ``updated_at`` is its own last change (``ImportRun.updated_at``): it shows
        nothing that changes apart from it."""
        return queryset.annotate(api_updated_at=F("updated_at"))

    def initialize_request(self, request, *args, **kwargs):
        # Before anything reads the body (the CSRF check of a session reads the form): the file is
        # bounded as it arrives and never written to a disk (dubu.uploads).
        self.upload_limit = bound_upload(request) if request.method == "POST" else None
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: OpenApiResponse(ImportReportSerializer, description="Dry run: what would happen."),
            201: OpenApiResponse(ImportReportSerializer, description="Imported."),
            202: OpenApiResponse(
                ImportRunSerializer, description="A large file: imported in the background (the job)."
            ),
            400: OpenApiResponse(
                ImportReportSerializer, description="Bad rows or an unreadable file: nothing written."
            ),
            413: OpenApiResponse(description="The file is larger than HERNING_DUBU_MAX_FILE_MB."),
        },
    )
    def create(self, request):
        _require(request.user, Action.DUBU_IMPORT)
        data = request.data
        if self.upload_limit is not None and self.upload_limit.too_large:
            raise FileTooLarge()
        serializer = ImportRequestSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        if runs_in_background(upload.size):
            run = import_in_background(
                content=upload.read(),
                file_name=upload.name or "dubu",
                user=request.user,
                profile=data.get("profile"),
                dry_run=data["dry_run"],
                skip_bad_rows=data["skip_bad_rows"],
            )
            location = reverse("dubu-import-detail", kwargs={"pk": run.pk})
            return Response(
                ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
            )
        report = import_file(
            content=upload.read(),
            file_name=upload.name or "dubu",
            user=request.user,
            profile=data.get("profile"),
            dry_run=data["dry_run"],
            skip_bad_rows=data["skip_bad_rows"],
        )
        if report.dry_run:
            return Response(report.as_dict(), status=status.HTTP_200_OK)
        if report.committed:
            return Response(report.as_dict(), status=status.HTTP_201_CREATED)
        # Rolled back (``IdempotentMixin`` keeps no answer but a 2xx), in the one error format.
        response = Response(refused_import(report.as_dict()), status=status.HTTP_400_BAD_REQUEST)
        answer_as_problem(request)
        return response


def refused_import(report: dict) -> dict:
    """A run stopped by bad rows, in the API's one error format: each bad row an entry of
    ``errors`` (``in: file``, with its ``row``; row 0 is the file as a whole) and the whole report
    as the problem's ``report`` member."""
    errors = [
        {
            "field": error["column"] or None,
            "in": "file",
            "row": error["row"],
            "code": "bad_row",
            "message": str(error["message"]),
        }
        for error in report["errors"]
    ]
    detail = ngettext(
        "Filen blev ikke indlæst: %(count)d række er forkert. Intet er skrevet.",
        "Filen blev ikke indlæst: %(count)d rækker er forkerte. Intet er skrevet.",
        report["bad_rows"],
    ) % {"count": report["bad_rows"]}
    if not report["bad_rows"]:
        detail = _("Filen kunne ikke læses. Intet er skrevet.")
    body = problem_body(400, "dubu_import_refused", detail, errors=errors)
    body["report"] = report
    return body


class DubuExportView(APIView):
    """The export in the import's format (docs/dubu-exchange.md): the cases the person may read."""

    @extend_schema(
        operation_id="dubu_export",
        parameters=[
            OpenApiParameter("file_format", str, enum=["csv", "xlsx"], description="Default csv."),
            OpenApiParameter(
                "profile", int, description="Mapping profile id (default: the default profile)."
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request):
        _require(request.user, Action.DUBU_EXPORT)
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return export_response(
            user=request.user,
            profile=query.validated_data.get("profile") or MappingProfile.default(),
            file_format=query.validated_data["file_format"],
        )


class ExportQuery(serializers.Serializer):
    file_format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")
    profile = serializers.PrimaryKeyRelatedField(queryset=MappingProfile.objects.all(), required=False)


def export_response(*, user, profile: MappingProfile, file_format: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    make = exporter.export_xlsx if file_format == "xlsx" else exporter.export_csv
    # The CSV's character set is the profile's, so the content type names none.
    return spreadsheets.file_response(
        make(user=user, profile=profile),
        fmt=file_format,
        filename=f"dubu-udtraek-{stamp}",
        content_type="text/csv" if file_format == "csv" else None,
    )
