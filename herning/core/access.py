"""Role checks for pages. Which *records* a person may see is decided by the selectors'
``visible_to(user)``; this module only decides which *pages* a role may open."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def role_required(*roles: str):
    """Only people holding one of ``roles`` may open the page; others get 403 with a reason."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied(_("Siden er for en anden rolle end din."))
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator
