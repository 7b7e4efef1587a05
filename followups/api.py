"""``GET /api/v1/schedule-preview/``: the follow-up dates of a new measure, for integrators and the
UI, by the rule set the person's municipality follows and the legal floor beside it; and
``/api/v1/followups/``: the schedules of the measures the person may read, with
``POST /api/v1/followups/{id}/complete/``."""

from __future__ import annotations

import datetime
import functools
import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.access import person_state
from cases.models import Goal, Investigation
from cases.permissions import Action, require
from followups import engine, obligation_sources, schedule_changes
from followups.models import Deadline, FollowUp, FollowUpException, Form, LaterDate, NoConversationGround
from followups.presets import legal_context, legal_context_of
from followups.rules import BrokenRule, RuleBook
from followups.services import FollowUpInput, followup_record, later_date_decide
from followups.services import GoalReviewInput as GoalReview
from followups.services import NewGoalInput as NewGoal
from herning.api import feed
from herning.api.conditional import conditional_read, with_etags
from herning.api.fields import UpdatedAtField
from herning.api.filters import (
    UPDATED_AFTER_DESCRIPTION,
    KnownParametersFilter,
    UpdatedAfterFilter,
    parse_updated_after,
    reject_unknown,
)
from herning.api.idempotency import IdempotentMixin
from herning.api.representation import PlannedRepresentation
from herning.api.viewsets import AuditedMixin
from herning.core.dates import validate_reading_date
from herning.core.statements import KeptPages, count_read, kept
from herning.organisation.models import Municipality
from measures.models import Measure, MeasureType

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
        validators=[validate_reading_date],
        error_messages={
            "required": _("Angiv startdatoen (start)."),
            "invalid": _("Datoen skal skrives ÅÅÅÅ-MM-DD."),
        },
    )
    until = serializers.DateField(
        help_text="List due dates up to and including this date, YYYY-MM-DD.",
        input_formats=["iso-8601"],
        validators=[validate_reading_date],
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
            legal=legal_context(
                legal_basis=measure_type.legal_basis.code,
                placement_category=measure_type.placement_category,
                boarding_school=measure_type.is_boarding_school,
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


# --- Follow-ups: the schedule of each visible measure, held and coming --------------------------
#
# A follow-up here is one due date of a measure's schedule as the engine computes it (the same
# schedule the measure's page shows and the deadline table is built from): municipal (the rule set
# the municipality follows) or statutory (SEL § 70 / BL § 95, and for placements the supervisory
# visits of BL § 156, stk. 5). Held ones are ``done`` with ``held_on``; the others are
# ``upcoming``, ``due`` (today) or ``overdue``. Its id names the measure, the chain and the due
# date: ``<measure>.<chain>.<YYYY-MM-DD>``; a coming follow-up keeps it until a follow-up held
# earlier or later moves its date. The list without ``measure`` or ``case`` reads each chain's next
# due date from the stored deadlines (``stored_items``): the same item, computed from the table.

STATUS = {engine.HELD: "done", engine.OVERDUE: "overdue", engine.DUE: "due", engine.UPCOMING: "upcoming"}
STATUS_CHOICES = ["upcoming", "due", "overdue", "done"]
CHAINS = [engine.FOLLOWUP, engine.LEGAL_FOLLOWUP, engine.SUPERVISION]
ID_PATTERN = r"\d+\.(?:followup|legal_followup|supervision)\.\d{4}-\d{2}-\d{2}"
# How far ahead coming follow-ups are listed unless ``until`` says otherwise.
DEFAULT_HORIZON_DAYS = 365


class FollowUpItem:
    """One due date of a measure's schedule, as the API shows it; ``later_date``: the follow-up
    record whose next date, later than the rule allows, governs this municipal date (or None)."""

    def __init__(
        self,
        measure: Measure,
        due: engine.Due,
        lang: str,
        later_date: FollowUp | None = None,
        updated_at: datetime.datetime | None = None,
    ):
        self.measure = measure
        self.due = due
        self.lang = lang
        self.later_date = later_date
        # What its dates and words are computed from, or the clock, last moved it
        # (``followups.schedule_changes``).
        self.api_updated_at = updated_at

    @property
    def id(self) -> str:
        return f"{self.measure.pk}.{self.due.obligation}.{self.due.due_date.isoformat()}"

    @property
    def status(self) -> str:
        return STATUS[self.due.status]


class LaterDateSerializer(PlannedRepresentation, serializers.Serializer):
    """A next date agreed later than the rule allows: a request the case's team leader decides;
    until it is approved the due date stays at the rule's date (docs/deadlines.md)."""

    followup_record = serializers.IntegerField(source="pk", help_text="The follow-up it was agreed at.")
    state = serializers.ChoiceField(source="later_state", choices=LaterDate.choices)
    agreed_on = serializers.DateField(source="next_agreed_on")
    rule_date = serializers.DateField(source="later_rule_date", allow_null=True)
    reason = serializers.CharField(source="later_than_rule_reason")
    decided_by = serializers.StringRelatedField(source="later_decided_by", allow_null=True)
    decided_at = serializers.DateTimeField(source="later_decided_at", allow_null=True)
    decision_reason = serializers.CharField(source="later_decision_reason")


class LaterDateDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "refuse"])
    reason = serializers.CharField(help_text="Why, kept in the follow-up's history.")


class FollowUpSerializer(PlannedRepresentation, serializers.Serializer):
    id = serializers.CharField(help_text="`<measure>.<chain>.<due date>`, e.g. `42.followup.2026-01-19`.")
    measure = serializers.IntegerField(source="measure.pk")
    case = serializers.IntegerField(source="measure.case_id")
    measure_type = serializers.CharField(source="measure.measure_type.code")
    due_date = serializers.DateField(source="due.due_date")
    kind = serializers.ChoiceField(source="due.kind", choices=[engine.MUNICIPAL, engine.STATUTORY])
    chain = serializers.ChoiceField(
        source="due.obligation",
        choices=CHAINS,
        help_text="followup: the municipality's rule; legal_followup: SEL § 70 / BL § 95; "
        "supervision: the supervisory visits of a placement (BL § 156, stk. 5).",
    )
    rule = serializers.CharField(source="due.rule", help_text="The rule set, or the section of the law.")
    explanation = serializers.SerializerMethodField(help_text="Why it falls due then (Accept-Language).")
    purpose = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    held_on = serializers.DateField(source="due.held_on", allow_null=True)
    allowed_forms = serializers.ListField(source="due.allowed_forms", child=serializers.CharField())
    child_conversation_required = serializers.BooleanField(source="due.child_conversation_required")
    later_date = LaterDateSerializer(
        allow_null=True,
        read_only=True,
        help_text="A later date than the rule allows, agreed at the previous follow-up, and its state.",
    )
    written_status = serializers.BooleanField(
        source="due.written_status",
        help_text="A written status to receive from the provider (allowed form `document`), not a meeting.",
    )
    updated_at = UpdatedAtField(
        help_text="When what this follow-up is computed from last changed (the measure, the follow-ups "
        "held on it, its exceptions, the case's investigations, the measure type, the rules), or the "
        "clock moved its status (`due`, `overdue`), whichever is later."
    )

    def get_explanation(self, item: FollowUpItem) -> str:
        return item.due.explanation(item.lang)

    def get_purpose(self, item: FollowUpItem) -> str:
        return item.due.purpose_da if item.lang == "da" else item.due.purpose_en


@extend_schema_field(OpenApiTypes.DATETIME)
class UpdatedAfterField(serializers.CharField):
    """``updated_after`` read as every resource reads it (``herning.api.filters``), same answers."""

    def to_internal_value(self, data):
        try:
            return parse_updated_after(super().to_internal_value(data))
        except ValidationError as error:
            raise serializers.ValidationError(error.detail[UpdatedAfterFilter.param]) from None


class FollowUpQuery(serializers.Serializer):
    measure = serializers.IntegerField(
        required=False,
        help_text="Only this measure's follow-ups: its whole schedule, the ones held included. Without "
        "`measure` or `case`, the list holds the next due date of each chain of every measure.",
    )
    case = serializers.IntegerField(
        required=False, help_text="Only this case's follow-ups: the whole schedule of each of its measures."
    )
    status = serializers.MultipleChoiceField(
        choices=STATUS_CHOICES,
        required=False,
        help_text="`done` only with `measure` or `case` (400 otherwise).",
    )
    kind = serializers.ChoiceField(choices=[engine.MUNICIPAL, engine.STATUTORY], required=False)
    due_after = serializers.DateField(
        required=False, input_formats=["iso-8601"], validators=[validate_reading_date]
    )
    due_before = serializers.DateField(
        required=False, input_formats=["iso-8601"], validators=[validate_reading_date]
    )
    until = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        validators=[validate_reading_date],
        help_text=f"List coming follow-ups up to this date (default: {DEFAULT_HORIZON_DAYS} days ahead).",
    )
    updated_after = UpdatedAfterField(required=False, help_text=UPDATED_AFTER_DESCRIPTION)


class GoalReviewInput(serializers.Serializer):
    goal = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Goal.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True)


class NewGoalInput(serializers.Serializer):
    what = serializers.CharField()
    who = serializers.CharField(max_length=250)
    how_measured = serializers.CharField()
    by_when = serializers.DateField(input_formats=["iso-8601"])


class CompleteSerializer(serializers.Serializer):
    """What was held, as the follow-up page records it (``followups.services.followup_record``)."""

    held_on = serializers.DateField(input_formats=["iso-8601"])
    form = serializers.ChoiceField(choices=Form.choices)
    participants = serializers.CharField()
    summary = serializers.CharField()
    child_conversation_held = serializers.BooleanField()
    no_conversation_reason = serializers.CharField(required=False, allow_blank=True)
    no_conversation_ground = serializers.ChoiceField(
        choices=NoConversationGround.choices,
        required=False,
        allow_blank=True,
        help_text="The law's reason for leaving the child conversation out (the child's maturity, the "
        "nature of the case); without a conversation and without one of these the follow-up does not "
        "keep the legal follow-up.",
    )
    supervisory_visit = serializers.BooleanField(required=False)
    decision = serializers.ChoiceField(choices=FollowUp.Decision.choices)
    decision_note = serializers.CharField(required=False, allow_blank=True)
    next_agreed_on = serializers.DateField(required=False, allow_null=True, input_formats=["iso-8601"])
    later_than_rule_reason = serializers.CharField(required=False, allow_blank=True)
    statutory_cadence_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=12
    )
    cadence_reason = serializers.CharField(required=False, allow_blank=True)
    ending_reason = serializers.ChoiceField(choices=Measure.EndingReason.choices, required=False)
    end_date = serializers.DateField(required=False, allow_null=True, input_formats=["iso-8601"])
    goal_reviews = GoalReviewInput(many=True, required=False)
    new_goals = NewGoalInput(many=True, required=False)


class CompletedSerializer(serializers.Serializer):
    followup_record = serializers.IntegerField(help_text="The follow-up record written.")
    met = FollowUpSerializer(many=True, help_text="The due dates the follow-up met.")


def _language() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


@dataclass
class _Around:
    """What a list's items are filled in from besides their due dates, read once for all its
    measures: the follow-ups held (the engine's input too), the later dates agreed, and when what
    each schedule is computed from last changed."""

    held: dict[int, list[engine.Held]]
    later: dict[int, list[FollowUp]]
    changed: dict[int, datetime.datetime | None]
    lang: str
    today: datetime.date

    @classmethod
    def read(cls, measures: list[Measure], book: RuleBook, today: datetime.date) -> _Around:
        ids = [m.pk for m in measures]
        return cls(
            held=obligation_sources.held_for(ids),
            later=_later_dates(ids),
            changed=schedule_changes.inputs_changed_at(measures, book),
            lang=_language(),
            today=today,
        )

    def item(self, measure: Measure, due: engine.Due) -> FollowUpItem:
        held = self.held.get(measure.pk, ())
        return FollowUpItem(
            measure,
            due,
            self.lang,
            _governing(held, self.later.get(measure.pk, ()), due),
            schedule_changes.updated_at(self.changed[measure.pk], due, self.today),
        )


def schedules(measures: list[Measure], *, today: datetime.date, until: datetime.date) -> list[FollowUpItem]:
    """Every due date of ``measures`` up to ``until`` (held ones whenever they were), in a fixed
    number of queries whatever the number of measures."""
    ids = [m.pk for m in measures]
    relaxations = obligation_sources.relaxations_for(ids)
    investigations = obligation_sources._investigation_ends({m.case_id for m in measures})
    book = RuleBook(today)
    around = _Around.read(measures, book, today)
    items = []
    for measure in measures:
        try:
            rule = book.rule_for(measure.case.municipality_id, measure.measure_type_id)
        except BrokenRule:
            continue  # logged by the rule book; the sweep reports it too
        legal = legal_context_of(
            measure,
            investigation_end=(
                obligation_sources._investigation_end(
                    investigations.get(measure.case_id, ()), measure.start_date
                )
            ),
        )
        schedule = engine.schedule(
            rule=rule,
            start=measure.start_date,
            held=around.held.get(measure.pk, ()),
            today=today,
            measure=(measure.measure_type.name, measure.measure_type.name_en or measure.measure_type.name),
            legal=legal,
            end=measure.actual_end,
            until=until,
            relaxations=relaxations.get(measure.pk, ()),
        )
        items += [
            around.item(measure, due)
            for due in schedule.items
            if due.status == engine.HELD or due.due_date <= until
        ]
    return items


def stored_items(
    user, rows: list[Deadline], *, today: datetime.date, book: RuleBook | None = None
) -> list[FollowUpItem]:
    """The follow-ups the stored deadline ``rows`` say, in their order, each as ``schedules`` would
    give it (the same fields, the same ``updated_at``, the same later date), in a fixed number of
    queries: the rows' measures (those ``user`` may read), the follow-ups held on them, their later
    dates and what their schedules are computed from."""
    by_pk = {m.pk: m for m in _readable_measures(user=user, ids=sorted({r.source_id for r in rows}))}
    around = _Around.read(list(by_pk.values()), book or RuleBook(today), today)
    return [
        around.item(by_pk[row.source_id], obligation_sources.due_from_row(row, today))
        for row in rows
        # A measure no longer readable since the rows were read is left out.
        if row.source_id in by_pk
    ]


def readable_measures(user):
    """The measures ``user`` may read, with what a follow-up shows of them and their
    ``api_updated_at``."""
    measures = Measure.objects.visible_to(user).select_related("case__child", "measure_type", "legal_basis")
    return feed.annotate_updated_at(measures, "measure")


@kept(bound=("ids",), keyed={"user": person_state})
def _readable_measures(*, user, ids: list[int]):
    # Compiled once per person and process (herning.core.statements): the access rule and the
    # updated_at expression made it the list's costliest statement to compile (1.9 ms).
    return readable_measures(user).filter(pk__in=ids)


def _updated_after(moment: datetime.datetime, today: datetime.date, book: RuleBook) -> Q:
    """The stored rows whose ``updated_at`` (``schedule_changes``: the latest of the measure's
    inputs and the clock) is after ``moment``, as a filter: the latest of several is after
    ``moment`` when one of them is, so each input is one condition of an OR."""
    rules = book.rules_changed_at()
    if rules is not None and rules > moment:
        return Q()  # every follow-up moved with the rules
    # A rule set that took over after ``moment`` moves the follow-ups of the municipalities that follow it.
    taken_over = []
    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        rule_set = book.rule_set_for(municipality_id)
        if rule_set is not None and schedule_changes.start_of(rule_set.valid_from) > moment:
            taken_over.append(municipality_id)
    changed_types = MeasureType.history.model.objects.filter(history_date__gt=moment).values("id")
    # ``due`` moved it at the start of its day, ``overdue`` at the start of the next: after ``moment``
    # when that day is after the moment's own day.
    day = timezone.localtime(moment).date()
    clock = Q(due_on__lt=today, due_on__gte=day) | (Q(due_on=today) if today > day else Q(pk__in=[]))
    return (
        clock
        | Q(municipality_id__in=taken_over)
        | Q(measure_changed__gt=moment)
        | Q(
            Exists(
                FollowUpException.history.model.objects.filter(
                    measure_id=OuterRef("source_id"), history_date__gt=moment
                )
            )
        )
        | Q(
            Exists(
                Investigation.history.model.objects.filter(
                    case_id=OuterRef("case_id"), history_date__gt=moment
                )
            )
        )
        | Q(
            Exists(
                Measure.objects.for_system().filter(
                    pk=OuterRef("source_id"), measure_type_id__in=changed_types
                )
            )
        )
    )


def _later_dates(ids: list[int]) -> dict[int, list[FollowUp]]:
    result: dict[int, list[FollowUp]] = {}
    for record in _later_records(ids=ids):
        result.setdefault(record.measure_id, []).append(record)
    return result


@kept(bound=("ids",))
def _later_records(*, ids: list[int]):
    return (
        FollowUp.objects.for_system()  # of measures the caller read through visible_to
        .filter(measure_id__in=ids)
        .exclude(later_state="")
        .select_related("later_decided_by")
        .order_by("held_on", "pk")
    )


def _governing(held, later: list[FollowUp], due: engine.Due) -> FollowUp | None:
    """The record whose later date governs this municipal date: the last follow-up held before it
    (the engine counts from it), when a later date was agreed there."""
    if due.obligation != engine.FOLLOWUP or not later:
        return None
    day = due.held_on or due.due_date
    previous = [h for h in held if h.held_on < day]
    if not previous or not previous[-1].later_state:
        return None
    return next((r for r in reversed(later) if r.held_on == previous[-1].held_on), None)


_CHAIN_ORDER = (
    "due_on",
    "source_id",
    Case(*(When(kind=chain, then=Value(n)) for n, chain in enumerate(CHAINS))),
)
_CHAIN_COLUMNS = (
    "kind",
    "source_id",
    "due_on",
    "statutory",
    "rule",
    "explanation",
    "explanation_en",
    "details",
)
_CHAIN_FILTERS = ("until", "today", "due_after", "due_before")


def _open_chains(*, user, until, today, statuses, statutory, due_after, due_before):
    """The open stored deadline of each chain of every measure ``user`` may read, due by ``until``,
    with the list's filters (``statuses`` counted on ``today``)."""
    rows = Deadline.objects.for_system().filter(
        kind__in=CHAINS,
        is_open=True,
        # Who may read the measure may read its follow-ups: the measures' own rule decides.
        source_id__in=Measure.objects.visible_to(user).values("pk"),
        due_on__lte=until,
    )
    if statuses:
        wanted = {"overdue": Q(due_on__lt=today), "due": Q(due_on=today), "upcoming": Q(due_on__gt=today)}
        rows = rows.filter(reduce(operator.or_, (wanted[s] for s in statuses)))
    if statutory is not None:
        rows = rows.filter(statutory=statutory)
    if due_after is not None:
        rows = rows.filter(due_on__gte=due_after)
    if due_before is not None:
        rows = rows.filter(due_on__lte=due_before)
    return rows


# The list's page and its count, compiled once per person, filters and process
# (herning.core.statements): with the access rule they cost 1.5 ms to compile on every request.
@kept(bound=_CHAIN_FILTERS, keyed={"user": person_state})
def _open_chains_page(*, offset: int, limit: int, **filters):
    return _open_chains(**filters).order_by(*_CHAIN_ORDER).only(*_CHAIN_COLUMNS)[offset : offset + limit]


@kept(bound=_CHAIN_FILTERS, keyed={"user": person_state})
def _open_chains_count(**filters):
    return count_read(_open_chains(**filters))


class FollowUpViewSet(IdempotentMixin, AuditedMixin, viewsets.GenericViewSet):
    """Follow-ups (opfølgninger) of the measures the person may read, municipal and statutory side
    by side: the next due date of each chain from the stored deadlines, or with ``measure`` or
    ``case`` the whole schedule computed from the rules and the follow-ups held."""

    serializer_class = FollowUpSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []
    audit_purpose = "Sagsbehandling (API)"

    def measures(self):
        return readable_measures(self.request.user)

    def child_of(self, item):
        return item.measure.case.child

    def get_read_serializer(self, *args, **kwargs):
        return FollowUpSerializer(*args, context=self.get_serializer_context(), **kwargs)

    @extend_schema(parameters=[FollowUpQuery])
    def list(self, request):
        reject_unknown(request, {*FollowUpQuery().fields, *KnownParametersFilter.always, "page", "page_size"})
        query = FollowUpQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        today = timezone.localdate()
        until = params.get("until") or today + datetime.timedelta(days=DEFAULT_HORIZON_DAYS)
        if "measure" not in params and "case" not in params:
            return self._list_stored(params, today, until)
        measures = self.measures()
        if "measure" in params:
            measures = measures.filter(pk=params["measure"])
        if "case" in params:
            measures = measures.filter(case_id=params["case"])
        items = schedules(list(measures.order_by("pk")), today=today, until=until)
        if params.get("status"):
            items = [i for i in items if i.status in params["status"]]
        if "kind" in params:
            items = [i for i in items if i.due.kind == params["kind"]]
        if "due_after" in params:
            items = [i for i in items if i.due.due_date >= params["due_after"]]
        if "due_before" in params:
            items = [i for i in items if i.due.due_date <= params["due_before"]]
        if params.get("updated_after"):
            moment = params["updated_after"]
            items = [i for i in items if i.api_updated_at and i.api_updated_at > moment]
        items.sort(key=lambda i: (i.due.due_date, i.measure.pk, CHAINS.index(i.due.obligation)))
        page = self.paginate_queryset(items)
        self.audit_many(page)
        return self.get_paginated_response(with_etags(FollowUpSerializer(page, many=True).data))

    def _list_stored(self, params: dict, today: datetime.date, until: datetime.date):
        """The next due date of each chain of every measure the person may read, from the stored
        deadlines (kept current by the write-time triggers and the nightly sweep): no schedule is
        computed, and only the page's rows are read and filled in."""
        if "done" in params.get("status", ()):
            raise ValidationError(
                {
                    "status": [
                        _(
                            "Holdte opfølgninger vises for én indsats eller én sag ad gangen: "
                            "angiv measure eller case."
                        )
                    ]
                }
            )
        # One rule book for the filter and the items (each reads the stamps).
        book = RuleBook(today)
        if params.get("updated_after"):
            rows = _open_chains(**self._chain_filters(params, today, until)).alias(
                measure_changed=feed.updated_at_of("measure", Measure, "source_id")
            )
            rows = rows.filter(_updated_after(params["updated_after"], today, book))
            rows = rows.order_by(*_CHAIN_ORDER).only(*_CHAIN_COLUMNS)
        else:
            filters = self._chain_filters(params, today, until)
            rows = KeptPages(
                functools.partial(_open_chains_count, **filters),
                functools.partial(_open_chains_page, **filters),
                self.paginator.get_page_size(self.request),
            )
        page = list(self.paginate_queryset(rows))
        items = stored_items(self.request.user, page, today=today, book=book)
        self.audit_many(items)
        return self.get_paginated_response(with_etags(FollowUpSerializer(items, many=True).data))

    def _chain_filters(self, params: dict, today: datetime.date, until: datetime.date) -> dict:
        statuses = tuple(sorted(params.get("status") or ()))
        return {
            "user": self.request.user,
            "until": until,
            # The day counts only in a filter on the status (None: in none of the statement).
            "today": today if statuses else None,
            "statuses": statuses,
            "statutory": (params["kind"] == engine.STATUTORY) if "kind" in params else None,
            "due_after": params.get("due_after"),
            "due_before": params.get("due_before"),
        }

    def get_object(self) -> FollowUpItem:
        measure_id, _chain, day = self.kwargs["pk"].split(".")
        measure = self.measures().filter(pk=int(measure_id)).first()
        if measure is None:
            raise NotFound()
        today = timezone.localdate()
        try:
            due = datetime.date.fromisoformat(day)
        except ValueError:
            raise NotFound() from None
        until = max(due, today) + datetime.timedelta(days=1)
        for item in schedules([measure], today=today, until=until):
            if item.id == self.kwargs["pk"]:
                return item
        raise NotFound()

    @extend_schema(responses={200: FollowUpSerializer})
    def retrieve(self, request, pk=None):
        item = self.get_object()
        self.audit_one(item)
        return conditional_read(request, FollowUpSerializer(item).data)

    @extend_schema(request=CompleteSerializer, responses={201: CompletedSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Record the follow-up as held (``followup_record``: the journal note, the goals reviewed,
        the measure ended if so decided, the deadlines recomputed)."""
        item = self.get_object()
        # Who may read the follow-up but not write its case (a sharing colleague, a professional
        # added to it) is refused before the input is looked at: 403, not the input's errors.
        require(request.user, Action.RECORD_FOLLOWUP, item.measure.case)
        if item.status == "done":
            raise ValidationError({"non_field_errors": [_("Opfølgningen er allerede holdt.")]})
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        measure = item.measure
        goals = {g.pk: g for g in Goal.objects.for_system().filter(plan__case_id=measure.case_id)}
        reviews = []
        for review in data.pop("goal_reviews", []):
            if review["goal"] not in goals:
                raise ValidationError({"goal_reviews": [_("Et af målene hører ikke til sagens plan.")]})
            reviews.append(
                GoalReview(goal=goals[review["goal"]], status=review["status"], note=review.get("note", ""))
            )
        new_goals = [NewGoal(**g) for g in data.pop("new_goals", [])]
        record = followup_record(
            measure=measure,
            recorded_by=request.user,
            data=FollowUpInput(goal_reviews=reviews, new_goals=new_goals, **data),
        )
        met = [
            i
            for i in schedules(
                [self.measures().get(pk=measure.pk)], today=timezone.localdate(), until=record.held_on
            )
            if i.due.held_on == record.held_on
        ]
        self.audit_one(item)
        return Response(
            {"followup_record": record.pk, "met": FollowUpSerializer(met, many=True).data}, status=201
        )

    @extend_schema(request=LaterDateDecisionSerializer, responses={200: LaterDateSerializer})
    @action(detail=True, methods=["post"], url_path="later-date")
    def later_date(self, request, pk=None):
        """The team leader of the case's team approves or refuses the later date agreed for this
        follow-up (``later_date_decide``); approved, the due date moves to it."""
        item = self.get_object()
        # Who may read the case but not decide is refused before the input is looked at.
        require(request.user, Action.APPROVE_EXCEPTION, item.measure.case)
        if item.later_date is None or item.later_date.later_state != LaterDate.REQUESTED:
            raise ValidationError(
                {"non_field_errors": [_("Der er ingen senere dato, der venter på godkendelse.")]}
            )
        serializer = LaterDateDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = later_date_decide(
            followup=item.later_date,
            approve=serializer.validated_data["decision"] == "approve",
            decided_by=request.user,
            reason=serializer.validated_data["reason"],
        )
        self.audit_one(item)
        return Response(LaterDateSerializer(record).data)
