"""The system administrator's page for the municipality's API tokens: issue, list (with expiry and
last use), rotate and revoke. The key is shown once, in the answer to the issue or rotation, and
never again: only its hash is kept (docs/api.md, "Tokens")."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from herning.api import services
from herning.api.forms import IssueTokenForm
from herning.api.models import ApiToken
from herning.core.access import role_required
from herning.core.forms import add_service_errors
from herning.organisation.models import Role


def _tokens(user):
    return ApiToken.objects.filter(user__municipality_id=user.municipality_id).select_related(
        "user", "issued_by"
    )


def _page(request, *, form, new_key: str | None = None, new_token: ApiToken | None = None, status=200):
    context = {"form": form, "tokens": _tokens(request.user), "new_key": new_key, "new_token": new_token}
    return render(request, "api/tokens.html", context, status=status)


@never_cache
@role_required(Role.SYSTEM_ADMINISTRATOR)
def token_list(request):
    municipality_id = request.user.municipality_id
    if request.method != "POST":
        return _page(request, form=IssueTokenForm(municipality_id=municipality_id))
    form = IssueTokenForm(request.POST, municipality_id=municipality_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            token, key = services.issue_token(
                by=request.user,
                user=data["user"],
                name=data["name"],
                read_only=data["scope"] == ApiToken.Scope.READ,
                expires_at=data["expires"],
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map={"expires_at": "expires"})
        else:
            # Answered here, not redirected: the key is in this one answer and nowhere else.
            return _page(
                request, form=IssueTokenForm(municipality_id=municipality_id), new_key=key, new_token=token
            )
    return _page(request, form=form)


@never_cache
@require_POST
@role_required(Role.SYSTEM_ADMINISTRATOR)
def token_rotate(request, pk: int):
    token = get_object_or_404(_tokens(request.user), pk=pk)
    try:
        new, key = services.rotate_token(by=request.user, token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("api_tokens:list")
    return _page(
        request, form=IssueTokenForm(municipality_id=request.user.municipality_id), new_key=key, new_token=new
    )


@require_POST
@role_required(Role.SYSTEM_ADMINISTRATOR)
def token_revoke(request, pk: int):
    token = get_object_or_404(_tokens(request.user), pk=pk)
    services.revoke_token(by=request.user, token=token)
    messages.success(request, _("Tokenet %(token)s er spærret.") % {"token": token})
    return redirect("api_tokens:list")
