from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from herning.core.navigation import start_url_for


@login_required
def start(request):
    """Each role lands on its own page after login."""
    return redirect(start_url_for(request.user))


@login_required
def no_role(request):
    return render(request, "accounts/no_role.html", status=200)
