"""The team leader's requests for access: people who tried to register a child of the leader's team
that they may not see (cases.services.access_requests), to grant or refuse."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import services
from cases.models import AccessRequest
from herning.audit.looks import shows_no_child
from herning.audit.models import AccessLog
from herning.audit.services import log_reads
from herning.core.access import role_required
from herning.organisation.models import Role

PURPOSE = "Anmodning om adgang"


@require_GET
@role_required(Role.TEAM_LEADER)
def access_requests(request):
    """The pending requests routed to the teams the person leads, oldest first."""
    pending = list(
        AccessRequest.objects.visible_to(request.user)
        .for_leader(request.user)
        .pending()
        .select_related("child", "requested_by", "team")
        .order_by("created_at", "pk")[:200]
    )
    log_reads(
        user=request.user,
        shown=[r.child for r in pending],
        channel=AccessLog.Channel.PAGE,
        purpose=PURPOSE,
        what=request.path,
    )
    return render(
        request,
        "cases/access_requests.html",
        {"title": _("Anmodninger om adgang"), "pending": pending},
    )


@require_POST
@login_required
@shows_no_child("a decision: it answers with a redirect to the list, which logs what it shows")
def access_request_decide(request, pk: int, grant: bool):
    """Grant or refuse one request: 404 for a request the person cannot read (its child), 403 with
    the reason for one they read and may not decide."""
    access_request = get_object_or_404(AccessRequest.objects.visible_to(request.user), pk=pk)
    try:
        services.access_request_decide(request=access_request, decided_by=request.user, grant=grant)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Adgangen er givet: medarbejderen er tilknyttet sagen.")
            if grant
            else _("Anmodningen er afvist."),
        )
    return redirect("cases:access_requests")
