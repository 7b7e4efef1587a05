from rest_framework import permissions

from herning.api.models import ApiToken


class TokenScope(permissions.BasePermission):
    """A read-only token reads; only a read-write token (or a logged-in person) writes."""

    message = "Tokenet må kun læse."

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ApiToken) and request.auth.read_only:
            return request.method in permissions.SAFE_METHODS
        return True
