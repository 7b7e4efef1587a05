"""The journal: a note added (also in place with HTMX) and a note corrected openly."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import services
from cases.forms import (
    JournalCorrectForm,
    JournalForm,
)
from cases.models import JournalNote
from cases.panels import journal_context
from cases.views.common import FORM_METHODS, case_url, editable_case, form_page, log_page_read, posted
from herning.core.forms import add_service_errors


@require_http_methods(FORM_METHODS)
@login_required
def journal_add(request, pk: int):
    """Add a note. With HTMX the journal section is replaced in place; without it, a page."""
    case = editable_case(request, pk)
    form = JournalForm(posted(request), initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.journal_add(case=case, written_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                log_page_read(request, child=case.child, case=case)  # the journal's notes
                data = journal_context(case.child, case, request.user)
                return render(request, "cases/panels/_journal.html", {"data": {**data, "saved": True}})
            messages.success(request, _("Notatet er gemt i journalen."))
            return redirect(case_url(case, "journal"))
    if request.htmx:
        log_page_read(request, child=case.child, case=case)  # the journal's notes
        return render(
            request,
            "cases/panels/_journal.html",
            {"data": journal_context(case.child, case, request.user, form=form)},
        )
    return form_page(
        request,
        title=_("Nyt journalnotat"),
        form=form,
        case=case,
        back_url=case_url(case, "journal"),
        submit_label=_("Gem notat"),
    )


@require_http_methods(FORM_METHODS)
@login_required
def journal_correct(request, pk: int):
    note = get_object_or_404(JournalNote, pk=pk)
    case = editable_case(request, note.case_id)
    form = JournalCorrectForm(posted(request), instance=note)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            services.journal_correct(
                note=note, corrected_by=request.user, reason=data.pop("correction_reason"), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Notatet er rettet. Den tidligere tekst er bevaret i historikken."))
            return redirect(case_url(case, "journal"))
    return form_page(
        request,
        title=_("Ret journalnotat"),
        form=form,
        case=case,
        back_url=case_url(case, "journal"),
        submit_label=_("Gem rettelse"),
        intro=_("Et journalnotat slettes aldrig. En rettelse vises ved notatet med din begrundelse."),
    )
