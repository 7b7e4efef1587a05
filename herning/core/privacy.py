"""Which models hold a child's data ("content"), and the guards that follow from it.

A model is content when it is the child or the case, or points at a content model by a foreign
key (followed to the end: a goal points at a plan, which points at a case). History tables of
content models are content too. Computing it, instead of listing it, means a model another issue
adds later (a follow-up, a network meeting) is covered the day it is written.

What follows from it (docs/access.md):

* no content model is registered in the admin, so a system administrator configures without
  reading case contents (a system check, ``herning.E001``);
* no view or API endpoint deletes (tests/herning/test_keep.py looks at every URL);
* the records that would leave no trace are never deleted, from a page, the API, the shell or a
  cascade, except by the administrator procedure for erasure after the retention period and the
  access log's purge (``deletion_permitted``): the child, the case, every history table, and every
  content model without one (the access log). Deleting another content row (a participant taken
  off a case) leaves the whole row in its history table.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.apps import apps
from django.core import checks
from django.db import models
from django.db.models.signals import pre_delete
from django.utils.translation import gettext as _

ROOTS = ("cases.Child", "cases.Case")

_erasure_allowed = contextvars.ContextVar("herning_erasure_allowed", default=False)


@cache
def content_models() -> frozenset[type[models.Model]]:
    """Every model holding a child's data, history tables included."""
    found = {apps.get_model(label) for label in ROOTS}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in found:
                continue
            if _points_at(model, found) or _history_of(model) in found:
                found.add(model)
                changed = True
    return frozenset(found)


def is_content_model(model: type[models.Model]) -> bool:
    return model in content_models()


def _points_at(model, found) -> bool:
    return any(
        field.many_to_one or field.one_to_one
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model in found
    )


def _history_of(model):
    """The model a simple-history table records, if ``model`` is one."""
    return getattr(model, "instance_type", None) if hasattr(model, "history_id") else None


class ContentDeletionRefused(Exception):
    """Raised when content would be deleted outside the erasure procedure."""


def guarded_models() -> frozenset[type[models.Model]]:
    """The content models whose deletion would leave no trace of them (see the module docstring).

    A model that says ``derived_data = True`` is recomputed from records that are kept (the
    follow-up deadlines, say): deleting one of its rows loses nothing, so it is not guarded.
    """
    roots = {apps.get_model(label) for label in ROOTS}
    return frozenset(
        model
        for model in content_models()
        if not getattr(model, "derived_data", False)
        and (model in roots or _history_of(model) is not None or not _has_history(model))
    )


def _has_history(model) -> bool:
    return any(_history_of(m) is model for m in apps.get_models())


def _refuse_deletion(sender, instance, **kwargs):
    if not _erasure_allowed.get():
        raise ContentDeletionRefused(
            _(
                "%(model)s slettes ikke: oplysninger om børn arkiveres. Sletning efter opbevaringsperioden "
                "sker kun med administratorproceduren (docs/access.md)."
            )
            % {"model": sender._meta.verbose_name}
        )


def connect_deletion_guard() -> None:
    for model in guarded_models():
        pre_delete.connect(_refuse_deletion, sender=model, dispatch_uid=f"herning-keep-{model._meta.label}")


@contextmanager
def deletion_permitted() -> Iterator[None]:
    """Only the erasure procedure and the access log's purge (herning.audit) delete guarded
    content, inside this block."""
    token = _erasure_allowed.set(True)
    try:
        yield
    finally:
        _erasure_allowed.reset(token)


@checks.register(checks.Tags.admin, checks.Tags.security)
def check_no_content_in_admin(app_configs=None, **kwargs):
    """A system administrator configures; the admin must not show a child's data to anyone."""
    from django.contrib import admin

    return [
        checks.Error(
            f"{model._meta.label} holds a child's data and must not be registered in the admin.",
            hint="Build a page that starts from visible_to(user) and logs the read instead.",
            obj=model,
            id="herning.E001",
        )
        for model in admin.site._registry
        if is_content_model(model)
    ]
