"""The write rules of the DUBU exchange, registered with ``cases.permissions`` (the one place every
write rule is asked) when the app is ready. The importer and the exporter call ``require`` with
them; the page and the API only translate the refusal (docs/access.md, docs/dubu-exchange.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.permissions import Action, register
from herning.organisation.models import Role


def can_exchange_with_dubu(user) -> bool:
    """Team leaders exchange files with DUBU, any team's: a file holds the whole municipality,
    and the importer gives new cases only to teams the importer leads."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.municipality_id
        and user.has_role(Role.TEAM_LEADER)
    )


def register_rules() -> None:
    for action in (Action.DUBU_IMPORT, Action.DUBU_EXPORT):
        register(
            action,
            allows=lambda user, record: can_exchange_with_dubu(user),
            reason=lambda user, record: _("Kun teamledere udveksler data med DUBU."),
        )
