"""``GET /api/v1/schedule-preview/``: the follow-up dates of a new measure, for integrators and the
UI, by the rule set the person's municipality follows and the legal floor beside it."""

from __future__ import annotations

import datetime

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from followups import engine
from followups.presets import NO_LEGAL_FLOOR
from followups.rules import RuleBook
from measures.models import MeasureType

# Enough for any measure's life, and a bound on the work one request can ask for.
MAX_YEARS = 10


class SchedulePreviewQuery(serializers.Serializer):
    measure_type = serializers.SlugField(
        help_text="The measure type's code, e.g. `institution`.",
        error_messages={
            "required": _("Angiv indsatstypens kode (measure_type)."),
            "invalid": _("Ugyldig kode."),
        },
    )
    start = serializers.DateField(
        help_text="The measure's start date, YYYY-MM-DD.",
        input_formats=["iso-8601"],
        error_messages={
            "required": _("Angiv startdatoen (start)."),
            "invalid": _("Datoen skal skrives ÅÅÅÅ-MM-DD."),
        },
    )
    until = serializers.DateField(
        help_text="List due dates up to and including this date, YYYY-MM-DD.",
        input_formats=["iso-8601"],
        error_messages={
            "required": _("Angiv slutdatoen for oversigten (until)."),
            "invalid": _("Datoen skal skrives ÅÅÅÅ-MM-DD."),
        },
    )

    def validate_measure_type(self, value: str) -> MeasureType:
        measure_type = (
            MeasureType.objects.select_related("legal_basis").filter(code=value, is_active=True).first()
        )
        if measure_type is None:
            raise serializers.ValidationError(_("Ukendt indsatstype: %(code)s.") % {"code": value})
        return measure_type

    def validate(self, data):
        if data["until"] < data["start"]:
            raise serializers.ValidationError({"until": _("Slutdatoen skal ligge efter startdatoen.")})
        if data["until"] > data["start"] + datetime.timedelta(days=366 * MAX_YEARS):
            raise serializers.ValidationError(
                {"until": _("Oversigten kan højst gå %(years)s år frem.") % {"years": MAX_YEARS}}
            )
        return data


class DueDateSerializer(serializers.Serializer):
    due_date = serializers.DateField()
    kind = serializers.ChoiceField(choices=[engine.MUNICIPAL, engine.STATUTORY])
    rule = serializers.CharField(help_text="The rule set, or the section of the law, that gives the date.")
    explanation = serializers.CharField(
        help_text="One sentence, in the language asked for (Accept-Language)."
    )
    purpose = serializers.CharField(allow_blank=True)


class SchedulePreviewSerializer(serializers.Serializer):
    measure_type = serializers.CharField()
    rule_set = serializers.CharField(allow_null=True)
    start = serializers.DateField()
    until = serializers.DateField()
    items = DueDateSerializer(many=True)


class SchedulePreviewView(APIView):
    """The due dates the engine gives a new measure, each assumed held on its due date."""

    @extend_schema(
        operation_id="schedule_preview",
        summary="Follow-up dates of a new measure",
        parameters=[SchedulePreviewQuery],
        responses={200: SchedulePreviewSerializer},
        examples=[
            OpenApiExample(
                "Institution",
                value={
                    "measure_type": "institution",
                    "rule_set": "Herningmodellen 1.0",
                    "start": "2026-01-05",
                    "until": "2026-03-31",
                    "items": [
                        {
                            "due_date": "2026-01-19",
                            "kind": "municipal",
                            "rule": "Herningmodellen 1.0",
                            "explanation": "Anbringelse på døgninstitution / opholdssted startede 5. januar 2026; "
                            "regel: første opfølgning efter 2 uger, derefter hver 6. uge (Herningmodellen 1.0); "
                            "2 uger efter start.",
                            "purpose": "",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        query = SchedulePreviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        measure_type: MeasureType = query.validated_data["measure_type"]
        start, until = query.validated_data["start"], query.validated_data["until"]
        book = RuleBook(start)
        municipality_id = request.user.municipality_id
        rule_set = book.rule_set_for(municipality_id) if municipality_id else None
        rule = book.rule_for(municipality_id, measure_type.pk) if municipality_id else None
        items = engine.preview(
            rule=rule,
            start=start,
            until=until,
            measure=(measure_type.name, measure_type.name_en or measure_type.name),
            legal=engine.LegalContext(
                applies=measure_type.legal_basis.code not in NO_LEGAL_FLOOR,
                placement=measure_type.is_placement,
            ),
        )
        lang = "en" if (get_language() or "da").startswith("en") else "da"
        payload = {
            "measure_type": measure_type.code,
            "rule_set": rule_set.name if rule_set else None,
            "start": start,
            "until": until,
            "items": [
                {
                    "due_date": i.due_date,
                    "kind": i.kind,
                    "rule": i.rule,
                    "explanation": i.explanation(lang),
                    "purpose": i.purpose_da if lang == "da" else i.purpose_en,
                }
                for i in items
            ],
        }
        return Response(SchedulePreviewSerializer(payload).data)
