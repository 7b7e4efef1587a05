"""The DUBU exchange page: upload a file (a dry run first), see the report; download an export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cases.permissions import Action, require
from dubu.api import export_response
from dubu.forms import ExportForm, ImportForm
from dubu.importer import import_file
from dubu.models import ImportRun
from dubu.reader import max_file_bytes, too_large_message
from herning.audit.looks import shows_no_child


@require_http_methods(["GET", "POST"])
@login_required
@shows_no_child("the import form and the past imports (file, person, counts); no child's data")
def exchange(request):
    require(request.user, Action.DUBU_IMPORT)  # the page is the import form; import_file asks again
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_file_bytes():
            form.add_error("file", too_large_message())
        else:
            report = import_file(
                content=upload.read(),
                file_name=upload.name,
                user=request.user,
                profile=form.cleaned_data["profile"],
                dry_run=form.cleaned_data["dry_run"],
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
            ).as_dict()
    runs = ImportRun.objects.filter(municipality_id=request.user.municipality_id).select_related("user")[:10]
    return render(
        request,
        "dubu/exchange.html",
        {"form": form, "export_form": ExportForm(), "report": report, "runs": runs},
        status=400 if report and not report["dry_run"] and not report["committed"] else 200,
    )


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
