"""Who changed what on a case: its readable change list, from the history rows of its records.

The acting person on those rows is set by ``herning.core.history.acting_as``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import extensions
from herning.core.logging import mask_cpr

# --- The case's change list -----------------------------------------------------------------------

# Fields that say nothing to a reader of the change list (keys, bookkeeping) or must never be shown.
_HIDDEN_FIELDS = frozenset(
    {
        "id",
        "case",
        "child",
        "plan",
        "municipality",
        "cpr",
        "birth_date",
        "legal_sex",
        "created_at",
        "updated_at",
        "written_at",
        "registered_at",
        "recorded_at",
        "order",
        "next_followup_due",
        "measure",
        "carried_from",
    }
)
_TEXT_LIMIT = 300


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    who: str
    kind: str  # "created", "changed", "deleted"
    what: str
    changes: tuple[Change, ...]

    @property
    def kind_label(self) -> str:
        return {"created": _("Oprettet"), "changed": _("Ændret"), "deleted": _("Fjernet")}[self.kind]


def _sources(case) -> list[tuple[type[models.Model], models.QuerySet]]:
    from cases.models import (
        Case,
        CaseParticipant,
        Child,
        Goal,
        Investigation,
        JournalNote,
        Notification,
        Plan,
        Relation,
    )

    return [
        (Case, Case.history.filter(id=case.pk)),
        (Child, Child.history.filter(id=case.child_id)),
        (Relation, Relation.history.filter(child_id=case.child_id)),
        (CaseParticipant, CaseParticipant.history.filter(case_id=case.pk)),
        (Notification, Notification.history.filter(case_id=case.pk)),
        (Investigation, Investigation.history.filter(case_id=case.pk)),
        (Plan, Plan.history.filter(case_id=case.pk)),
        (Goal, Goal.history.filter(plan__case_id=case.pk)),
        (JournalNote, JournalNote.history.filter(case_id=case.pk)),
        *extensions.case_measures().history_sources(case),
    ]


class _Labels:
    """Turns stored values into what a reader understands, resolving foreign keys in bulk."""

    def __init__(self):
        self._wanted: dict[type[models.Model], set] = {}
        self._resolved: dict[tuple[type[models.Model], object], str] = {}

    def want(self, model: type[models.Model], pk) -> None:
        if pk is not None:
            self._wanted.setdefault(model, set()).add(pk)

    def resolve(self) -> None:
        for model, pks in self._wanted.items():
            for obj in model._default_manager.filter(pk__in=pks):
                self._resolved[(model, obj.pk)] = str(obj)

    def fk(self, model: type[models.Model], pk) -> str:
        if pk is None:
            return "–"
        return self._resolved.get((model, pk), "–")

    def value(self, field: models.Field, raw) -> str:
        if field.is_relation:
            return self.fk(field.related_model, raw)
        if raw is None or raw == "":
            return "–"
        if field.flatchoices:
            return str(dict(field.flatchoices).get(raw, raw))
        if isinstance(raw, bool):
            return str(_("Ja") if raw else _("Nej"))
        if isinstance(raw, datetime.datetime):
            return f"{timezone.localtime(raw):%d.%m.%Y %H:%M}"
        if isinstance(raw, datetime.date):
            return f"{raw:%d.%m.%Y}"
        text = mask_cpr(str(raw))
        return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"


def _shown_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model.history.model.tracked_fields if f.name not in _HIDDEN_FIELDS]


def _label_for(model, row, labels: _Labels) -> str:
    name = str(model._meta.verbose_name).capitalize()
    detail = {
        "case": lambda: _("nr. %(pk)s") % {"pk": row.id},
        "child": lambda: _("barnets oplysninger"),
        "relation": lambda: row.name,
        "caseparticipant": lambda: labels.fk(model._meta.get_field("user").related_model, row.user_id),
        "notification": lambda: (
            _("modtaget %(date)s") % {"date": f"{timezone.localtime(row.received_at):%d.%m.%Y}"}
        ),
        "investigation": lambda: _("besluttet %(date)s") % {"date": f"{row.decided_on:%d.%m.%Y}"},
        "plan": lambda: _("version %(v)s") % {"v": row.version},
        "goal": lambda: mask_cpr(row.what[:60]),
        "journalnote": lambda: f"{row.occurred_on:%d.%m.%Y}",
        "measure": lambda: labels.fk(
            model._meta.get_field("measure_type").related_model, row.measure_type_id
        ),
        "laddermovement": lambda: f"{row.date:%d.%m.%Y}",
    }[model._meta.model_name]()
    return f"{name}: {detail}"


def case_history(case, *, limit: int | None = None) -> list[HistoryEntry]:
    """Who changed what and when in the case and its records, newest first, field by field.

    One query per kind of record plus one per kind of referenced record, however long the
    history; CPR numbers are neither shown nor left in free text.
    """
    labels = _Labels()
    loaded = []
    for model, queryset in _sources(case):
        rows = list(queryset.select_related("history_user").order_by("history_date", "history_id"))
        fields = _shown_fields(model)
        for row in rows:
            for f in fields:
                if f.is_relation:
                    labels.want(f.related_model, getattr(row, f.attname))
        loaded.append((model, rows, fields))
    labels.resolve()

    entries = []
    for model, rows, fields in loaded:
        previous: dict[object, object] = {}
        for row in rows:
            before = previous.get(row.id)
            kind = {"+": "created", "~": "changed", "-": "deleted"}[row.history_type]
            changes = []
            if before is not None and kind == "changed":
                for f in fields:
                    old, new = getattr(before, f.attname), getattr(row, f.attname)
                    if old != new:
                        changes.append(
                            Change(str(f.verbose_name), labels.value(f, old), labels.value(f, new))
                        )
                if not changes:
                    previous[row.id] = row
                    continue
            previous[row.id] = row
            who = str(row.history_user) if row.history_user else str(_("Systemet"))
            entries.append(
                HistoryEntry(
                    when=row.history_date,
                    who=who,
                    kind=kind,
                    what=_label_for(model, row, labels),
                    changes=tuple(changes),
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit] if limit else entries
