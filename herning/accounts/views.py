from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from herning.core.access import role_required
from herning.core.navigation import start_url_for
from herning.organisation.models import Role


@login_required
def start(request):
    """Each role lands on its own page after login."""
    return redirect(start_url_for(request.user))


@login_required
def no_role(request):
    return render(request, "accounts/no_role.html", status=200)


def placeholder(title, description, roles):
    """A start page whose content arrives with a later issue; it says so to the user."""

    @role_required(*roles)
    def view(request):
        return render(request, "accounts/placeholder.html", {"title": title, "description": description})

    return view


my_day = placeholder(
    _("Min dag"),
    _("Her samles dine opfølgninger, underretninger til vurdering og frister. Siden er under udvikling."),
    [Role.ADVISOR],
)
team = placeholder(
    _("Teamoverblik"),
    _(
        "Her ser du teamets sagstal mod loftet, overskredne frister og indsatstrappen. Siden er under udvikling."
    ),
    [Role.TEAM_LEADER],
)
