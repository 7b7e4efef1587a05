"""The DUBU exchange page: upload a file (a dry run first), see the report; download an export.
A large file is imported in the background: the page of its run follows it (a progress bar that
asks again every few seconds, with HTMX) until the report is there."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from cases.permissions import Action, require
from dubu.api import export_response
from dubu.forms import ExportForm, ImportForm
from dubu.importer import import_file
from dubu.jobs import import_in_background, runs_in_background
from dubu.models import ImportRun
from dubu.reader import max_file_bytes, too_large_message
from dubu.uploads import bound_upload, content_length
from herning.audit.looks import shows_no_child

# Seconds between two looks of the run's page at a background import.
POLL_SECONDS = 2


# CSRF is checked below (``_exchange``), once the upload is bounded: the check reads the form,
# and reading it with Django's handlers would write a large file to a disk first.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@login_required
@shows_no_child("the import form and the past imports (file, person, counts); no child's data")
def exchange(request):
    require(request.user, Action.DUBU_IMPORT)  # the page is the import form; import_file asks again
    if request.method == "POST":
        limit = bound_upload(request)
        if limit.body_too_large(content_length(request)):
            # Refused from the header, the body unread: nothing is done, so no CSRF check is owed.
            form = ImportForm.file_refused(too_large_message())
            response = _page(request, form, None, status=413)
            response["Connection"] = "close"  # the client need not send the rest
            return response
        return _exchange(request, limit)
    return _page(request, ImportForm(), None)


@csrf_protect
def _exchange(request, limit):
    form = ImportForm(request.POST, request.FILES)
    if limit.too_large:
        form.add_error("file", too_large_message())
        return _page(request, form, None, status=413)
    report = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_file_bytes():
            form.add_error("file", too_large_message())
        elif runs_in_background(upload.size):
            run = import_in_background(
                content=upload.read(),
                file_name=upload.name,
                user=request.user,
                profile=form.cleaned_data["profile"],
                dry_run=form.cleaned_data["dry_run"],
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
            )
            return redirect("dubu:run", pk=run.pk)
        else:
            report = import_file(
                content=upload.read(),
                file_name=upload.name,
                user=request.user,
                profile=form.cleaned_data["profile"],
                dry_run=form.cleaned_data["dry_run"],
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
            ).as_dict()
    return _page(
        request,
        form,
        report,
        status=400 if report and not report["dry_run"] and not report["committed"] else 200,
    )


def _page(request, form, report, *, status=200):
    runs = ImportRun.objects.visible_to(request.user).select_related("user")[:10]
    return render(
        request,
        "dubu/exchange.html",
        {"form": form, "export_form": ExportForm(), "report": report, "runs": runs},
        status=status,
    )


@require_http_methods(["GET"])
@login_required
@shows_no_child("one import's state, progress and report (counts and row errors); no child's data")
def run(request, pk):
    """One import: while it runs in the background, its progress (the HTMX poll asks for the
    fragment alone); when it is done, its report."""
    require(request.user, Action.DUBU_IMPORT)
    run = get_object_or_404(ImportRun.objects.visible_to(request.user).select_related("user"), pk=pk)
    context = {"run": run, "report": run.report if run.finished else None, "poll_seconds": POLL_SECONDS}
    template = "dubu/_run.html" if request.htmx else "dubu/run.html"
    return render(request, template, context)


@require_http_methods(["GET"])
@login_required
def export(request):
    require(request.user, Action.DUBU_EXPORT)  # before the form's errors; the exporter asks again
    form = ExportForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "dubu/exchange.html",
            {"form": ImportForm(), "export_form": form, "report": None, "runs": []},
            status=400,
        )
    return export_response(
        user=request.user, profile=form.cleaned_data["profile"], file_format=form.cleaned_data["file_format"]
    )
