from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render

from herning.audit.models import AuditEvent
from herning.audit.services import record_access_event
from herning.core.navigation import start_url_for


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's own, with the new password recorded as an audit event (the person set it
    themselves, through the link e-mailed to them)."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            record_access_event(
                kind=AuditEvent.Kind.PASSWORD_CHANGE,
                actor=form.user,
                subject=form.user,
                reason="Adgangskode sat med nulstillingslinket.",
            )
        return response


@login_required
def start(request):
    """Each role lands on its own page after login."""
    return redirect(start_url_for(request.user))


@login_required
def no_role(request):
    return render(request, "accounts/no_role.html", status=200)
