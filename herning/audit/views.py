"""The access log for the data-protection role: search it, and export one citizen's entries for a
request of insight. Both are reads of children's data and are logged themselves."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from herning.audit import selectors
from herning.audit.exports import Table, build_export
from herning.audit.forms import AccessLogSearchForm, CitizenExportForm
from herning.audit.models import AccessLog
from herning.audit.services import log_child_read, log_children_read
from herning.core import cpr as cpr_lib
from herning.core.access import role_required
from herning.organisation.models import Role

RESULT_LIMIT = 200


@never_cache
@sensitive_post_parameters("cpr")
@role_required(Role.DATA_PROTECTION)
def search(request):
    form = AccessLogSearchForm(request.POST if request.method == "POST" else None, user=request.user)
    entries = total = None
    if request.method == "POST" and form.is_valid():
        found = selectors.access_log_search(user=request.user, **form.cleaned_data)
        total = found.count()
        entries = list(found[:RESULT_LIMIT])
        shown = {entry.child_id: entry.child for entry in entries}
        log_children_read(
            user=request.user,
            children=shown.values(),
            channel=AccessLog.Channel.SEARCH,
            purpose=_("Søgning i adgangsloggen"),
            what=_("Adgangslog"),
        )
    context = {
        "form": form,
        "export_form": CitizenExportForm(),
        "entries": entries,
        "total": total,
        "limit": RESULT_LIMIT,
    }
    return render(request, "audit/search.html", context)


@never_cache
@sensitive_post_parameters("cpr")
@role_required(Role.DATA_PROTECTION)
def citizen_export(request):
    """For a citizen's request of insight: when, through which channel and why their data was
    looked at, with the names of staff left out (Datatilsynet 2024, after CJEU C-579/21)."""
    form = CitizenExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entries = selectors.citizen_entries(
            user=request.user, cpr=data["cpr"], start=data["start"], end=data["end"]
        )
        response = build_export(
            citizen_table(entries, cpr=data["cpr"], start=data["start"], end=data["end"]),
            fmt=data["fmt"],
            filename=f"adgangslog-{timezone.localdate():%Y-%m-%d}",
        )
        if entries:
            log_child_read(
                user=request.user,
                child=entries[0].child,
                channel=AccessLog.Channel.EXPORT,
                purpose=_("Indsigtsanmodning: udtræk af adgangsloggen"),
                what=_("Adgangslog (%(fmt)s)") % {"fmt": data["fmt"].upper()},
            )
        return response
    return render(request, "audit/citizen_export.html", {"export_form": form})


def citizen_table(entries: list[AccessLog], *, cpr: str, start, end) -> Table:
    name = entries[0].child.full_name if entries else ""
    who = f"{name} ({cpr_lib.mask(cpr)})" if name else cpr_lib.mask(cpr)
    period = _("hele den gemte periode")
    if start or end:
        first = f"{start:%d.%m.%Y}" if start else ""
        last = f"{end or timezone.localdate():%d.%m.%Y}"
        period = f"{first} – {last}"
    notes = [
        _("Opslag i oplysninger om %(who)s, %(period)s.") % {"who": who, "period": period},
        _(
            "Listen viser, hvornår oplysningerne er læst, hvordan og med hvilket formål. Medarbejdernes "
            "navne er udeladt (Datatilsynet 2024, efter EU-Domstolens dom i sag C-579/21)."
        ),
    ]
    if not entries:
        notes.append(_("Der er ikke registreret opslag i perioden."))
    rows = [
        (
            f"{timezone.localtime(e.at):%d.%m.%Y}",
            f"{timezone.localtime(e.at):%H:%M}",
            e.get_channel_display(),
            e.purpose,
            e.what,
            e.case_id or "",
        )
        for e in entries
    ]
    header = [_("Dato"), _("Klokken"), _("Kanal"), _("Formål"), _("Hvad blev læst"), _("Sag nr.")]
    return Table(title=_("Opslag i dine oplysninger"), header=header, rows=rows, notes=notes)
