"""The base of every queryset over a child's data: reads say whose they are.

A model holding a child's data (``herning.core.privacy.content_models``) gets its manager from a
subclass of ``GuardedQuerySet``, so every read names its reader, in the pattern of NetBox's
``RestrictedQuerySet.restrict``:

* ``visible_to(user)``: what that person may read (a page, an API view, an export, a feed). The
  rule itself lives with the domain (``cases.access`` for case data, the access log's own model
  for the log); this foundation module only names the method.
* ``for_system()``: everything, for code that acts for no person: the reminder sweep, the nightly
  recomputations, services that already hold a record taken from ``visible_to``, management
  commands. It filters nothing; it exists so that such a read is written on purpose and a reader
  (and ``tests/herning/test_reads_go_through_visible_to.py``) can tell it from a forgotten filter.
* ``for_figures()``: anonymised aggregates (the evaluation's counts per team), which name no child
  and are limited by the figures' own scope (the municipality, the management role) instead.

Foundation code: this module imports no domain app.
"""

from __future__ import annotations

from django.db import models


class GuardedQuerySet(models.QuerySet):
    """A queryset that is read through ``visible_to(user)`` or, on purpose, ``for_system()``."""

    def visible_to(self, user):
        raise NotImplementedError(f"{type(self).__name__} must say who may read {self.model._meta.label}")

    def for_system(self):
        """Every row, for work done on no person's behalf (sweeps, tasks, commands, services
        acting on a record the caller already read through ``visible_to``)."""
        return self

    def for_figures(self):
        """Every row, for anonymised aggregate figures that name no child; the caller limits them
        to the reader's municipality and role (``evaluation.scope``)."""
        return self


def is_active_staff(user) -> bool:
    """A person who may read anything at all: logged in, active, and placed in a municipality."""
    return bool(user and user.is_authenticated and user.is_active and user.municipality_id)
