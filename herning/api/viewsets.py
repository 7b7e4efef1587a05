"""The shape every resource of ``/api/v1/`` shares.

* Reads start from the app's ``visible_to(user)`` queryset (``get_queryset``): a record outside it
  is a 404, never a 403.
* Writes go through the same services as the pages (``service_create`` / ``service_update``);
  a record the person may read but not change is a 403 with the reason.
* Nothing is deleted through the API (keep, don't destroy): DELETE, like PUT, answers 405.
  Updates are PATCH with ``If-Match`` (``ConditionalUpdateMixin``).
* A POST may carry ``Idempotency-Key``: a retry gets the first answer instead of a second write
  (``IdempotentMixin``, herning/api/idempotency.py).
* Every item of a list carries its ``etag``, the ``ETag`` a read of the item answers with.
* Every response that carries a child's data is written to the access log (``audit_children``),
  channel ``api``, one entry per child, in one statement for a page of a list.
"""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from herning.api import feed
from herning.api.conditional import ConditionalUpdateMixin, conditional_read, etag_for, with_etags
from herning.api.idempotency import IdempotentMixin
from herning.audit.models import AccessLog
from herning.audit.services import CaseRef, ChildRef, log_reads
from herning.core.statements import KeptPages, count_read, kept

# DELETE and PUT are not offered: records are kept, and updates are partial (PATCH).
READ_METHODS = ["get", "head", "options"]
WRITE_METHODS = ["get", "post", "patch", "head", "options"]


def refuse(message: str) -> None:
    """A 403 with the reason, for a record the person may read but not change."""
    raise PermissionDenied(message)


class AuditedMixin:
    """Logs the children whose data a response shows. ``child_of(obj)`` names the child (and
    ``case_of(obj)`` the case) of one object; ``audit_purpose`` says why it was read."""

    audit_purpose = "Sagsbehandling (API)"
    # The lookup from a row to its case (``"case"``), for a resource whose answer shows neither the
    # case's nor the child's own fields: the log's three ids are then read as columns of the
    # resource's own query (``with_audit_columns``) instead of the case and the child as two more
    # model instances per row, which were a third of the cost of reading a page of 50 measures at
    # national scale (benchmarks/RESULTS.md).
    audit_case_path: str | None = None
    # Read by the schema (``herning.api.schema.list_items_carry_etag``): ``list`` adds ``etag``.
    list_items_carry_etag = True

    def child_of(self, obj):
        return None

    def case_of(self, obj):
        return None

    def with_audit_columns(self, queryset):
        """``queryset`` with the ids the access log needs, when ``audit_case_path`` names them."""
        path = self.audit_case_path
        if path is None:
            return queryset
        return queryset.annotate(
            audit_case=F(path),
            audit_child=F(f"{path}__child"),
            audit_municipality=F(f"{path}__child__municipality"),
        )

    def shown(self, obj) -> tuple:
        """The child and the case ``obj`` shows, for the access log."""
        if self.audit_case_path is not None and hasattr(obj, "audit_child"):
            return ChildRef(obj.audit_child, obj.audit_municipality), CaseRef(obj.audit_case)
        # A record answered from what was written (``reread``) has no columns: its relations.
        return self.child_of(obj), self.case_of(obj)

    def audit_one(self, obj) -> None:
        self.audit_many([obj])

    def audit_many(self, objects) -> None:
        # The rule the pages follow too (herning.audit.looks): one entry per child shown.
        log_reads(
            user=self.request.user,
            shown=(self.shown(obj) for obj in objects),
            channel=AccessLog.Channel.API,
            purpose=self.audit_purpose,
            what=self.request.path,
        )

    # A list asked for with no parameter but its page (the most common read of the API) reads its
    # page and its count through statements compiled once per person and process
    # (``herning.core.statements``): the access rule made them 1.4-2.2 ms of CPU to compile on
    # every request (benchmarks/RESULTS.md). Only for a resource whose ``get_queryset`` and filter
    # backends, with no parameter, depend on nothing but the person: not on the day, the language
    # or anything else of the request, which the kept statement would keep.
    # The key of such a list's statements, a method a resource gives (``cases.api.persons_list``):
    # what they are written from besides the resource, the person's access rule.
    kept_list_key = None

    def list(self, request, *args, **kwargs):
        if (
            self.kept_list_key is not None
            and self.paginator is not None
            and set(request.query_params) <= _PAGE_ONLY
        ):
            queryset = KeptPages(
                functools.partial(_list_count, view=self),
                functools.partial(_list_page, view=self),
                self.paginator.get_page_size(request),
            )
        else:
            queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        self.audit_many(rows)
        data = with_etags(self.get_read_serializer(rows, many=True).data)
        return self.get_paginated_response(data) if page is not None else Response(data)

    def get_object(self):
        # One record asked for with no parameter (``/cases/<id>/``) is read, like the plain list,
        # through a statement kept per person with the id bound. Its 404 and everything else take
        # DRF's own path: a record not found, an id that is no number, a write's read.
        if self.action == "retrieve" and self.kept_list_key is not None and not self.request.query_params:
            key = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
            if self.lookup_field == "pk" and key.isascii() and key.isdigit() and len(key) < 19:
                instance = next(iter(_one_record(view=self, pk=int(key))), None)
                if instance is not None:
                    self.check_object_permissions(self.request, instance)
                    return instance
        return super().get_object()

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        # A 304 is logged too: the client goes on showing the child's data it holds.
        self.audit_one(instance)
        return conditional_read(request, self.get_read_serializer(instance).data)


_PAGE_ONLY = frozenset({"page", "page_size"})


def _list_key(view) -> tuple:
    return (type(view), view.kept_list_key())


@kept(bound=(), keyed={"view": _list_key})
def _list_page(*, view, offset: int, limit: int):
    return view.filter_queryset(view.get_queryset())[offset : offset + limit]


@kept(bound=(), keyed={"view": _list_key})
def _list_count(*, view):
    return count_read(view.filter_queryset(view.get_queryset()))


@kept(bound=("pk",), keyed={"view": _list_key})
def _one_record(*, view, pk: int):
    return view.filter_queryset(view.get_queryset()).filter(pk=pk)


class ReadOnlyResource(
    IdempotentMixin, AuditedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A resource that is read only: the catalog, the ladder movements, the caseload."""

    http_method_names = READ_METHODS
    read_serializer_class = None

    def get_read_serializer(self, *args, **kwargs):
        cls = self.read_serializer_class or self.get_serializer_class()
        kwargs.setdefault("context", self.get_serializer_context())
        return cls(*args, **kwargs)


class ServiceResource(ReadOnlyResource, ConditionalUpdateMixin):
    """A resource whose writes call a service.

    ``create_serializer_class`` / ``update_serializer_class`` validate the input;
    ``service_create(data)`` and ``service_update(instance, data)`` call the services and return
    the object written; ``read_serializer_class`` shapes every answer.
    """

    http_method_names = WRITE_METHODS
    create_serializer_class = None
    update_serializer_class = None

    def get_serializer_class(self):
        if self.action == "create" and self.create_serializer_class is not None:
            return self.create_serializer_class
        if self.action in ("update", "partial_update") and self.update_serializer_class is not None:
            return self.update_serializer_class
        return self.read_serializer_class or super().get_serializer_class()

    def reread(self, instance):
        """The object as a read returns it (with what the read serializer needs). A record the
        writer cannot read afterwards (a team leader registering a child whose case goes to
        another team) is answered from what was written."""
        queryset = self.get_queryset().filter(pk=instance.pk)
        if feed.model_of(self.basename) is queryset.model:
            queryset = feed.annotate_updated_at(queryset, self.basename)
        return queryset.first() or instance

    def create(self, request, *args, **kwargs):
        if self.create_serializer_class is None:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.check_create_permission()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.reread(self.service_create(serializer.validated_data))
        data = self.get_read_serializer(instance).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"ETag": etag_for(data)})

    def partial_update(self, request, *args, **kwargs):
        if self.update_serializer_class is None:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return self.update(request, *args, partial=True, **kwargs)

    def perform_update(self, serializer):
        serializer.instance = self.reread(self.service_update(serializer.instance, serializer.validated_data))

    def check_create_permission(self) -> None:
        """A role that may never create here is refused (403) before its input is looked at."""

    def service_create(self, data):
        raise NotImplementedError

    def service_update(self, instance, data):
        raise NotImplementedError


def not_editable() -> None:
    refuse(_("Du kan læse posten, men ikke ændre den."))
