"""What each role sees in the main menu and where each role lands after login.

One table, so the menu, the start page and the tests agree. Items point at URL names; an item
whose page is not installed is left out rather than shown broken.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from herning.organisation.admin_scope import is_national_operator
from herning.organisation.models import Role


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    roles: frozenset[str]


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("my_day", _("Min dag"), "start:my_day", frozenset({Role.ADVISOR})),
    NavItem("team", _("Teamoverblik"), "start:team", frozenset({Role.TEAM_LEADER})),
    NavItem("duty", _("Vagt"), "start:duty", frozenset({Role.DUTY_ADVISOR})),
    NavItem("distribution", _("Til fordeling"), "cases:distribution", frozenset({Role.TEAM_LEADER})),
    NavItem(
        "cases",
        _("Sager"),
        "cases:case_list",
        frozenset({Role.ADVISOR, Role.TEAM_LEADER, Role.DUTY_ADVISOR}),
    ),
    NavItem(
        "find_child",
        _("Find barn"),
        "cases:find_child",
        frozenset({Role.ADVISOR, Role.TEAM_LEADER, Role.DUTY_ADVISOR}),
    ),
    NavItem(
        "deadlines",
        _("Frister"),
        "followups:deadlines",
        frozenset({Role.ADVISOR, Role.TEAM_LEADER, Role.DUTY_ADVISOR}),
    ),
    NavItem("exceptions", _("Undtagelser"), "followups:exceptions", frozenset({Role.TEAM_LEADER})),
    NavItem(
        "access_requests", _("Adgangsanmodninger"), "cases:access_requests", frozenset({Role.TEAM_LEADER})
    ),
    NavItem("intake", _("Underretninger"), "start:intake", frozenset({Role.CASE_ADMINISTRATOR})),
    NavItem(
        "my_cases",
        _("Mine sager"),
        "start:my_cases",
        frozenset({Role.PSYCHOLOGIST, Role.HEALTH_VISITOR}),
    ),
    NavItem(
        "network_meetings",
        _("Netværksmøder"),
        "network_meetings:list",
        frozenset(
            {Role.ADVISOR, Role.TEAM_LEADER, Role.DUTY_ADVISOR, Role.PSYCHOLOGIST, Role.HEALTH_VISITOR}
        ),
    ),
    NavItem("management", _("Ledelsesinformation"), "start:management", frozenset({Role.MANAGEMENT})),
    NavItem("caseload", _("Sagstal og frister"), "dashboards:management", frozenset({Role.MANAGEMENT})),
    NavItem(
        "network_meeting_figures",
        _("Netværksmøder i tal"),
        "network_meetings:figures",
        frozenset({Role.MANAGEMENT}),
    ),
    NavItem("access_log", _("Adgangslog"), "audit:search", frozenset({Role.DATA_PROTECTION})),
    NavItem("evaluation", _("Nøgletal"), "evaluation:overview", frozenset({Role.TEAM_LEADER})),
    NavItem("dubu", _("DUBU"), "dubu:exchange", frozenset({Role.TEAM_LEADER})),
    NavItem("admin", _("Administration"), "admin:index", frozenset({Role.SYSTEM_ADMINISTRATOR})),
    NavItem("api_tokens", _("API-tokens"), "api_tokens:list", frozenset({Role.SYSTEM_ADMINISTRATOR})),
)

# After login a person lands on the page of their most demanding role.
START_ORDER: tuple[str, ...] = (
    Role.TEAM_LEADER,
    Role.ADVISOR,
    Role.DUTY_ADVISOR,
    Role.CASE_ADMINISTRATOR,
    Role.PSYCHOLOGIST,
    Role.HEALTH_VISITOR,
    Role.MANAGEMENT,
    Role.DATA_PROTECTION,
    Role.SYSTEM_ADMINISTRATOR,
)
START_PAGE: dict[str, str] = {
    Role.TEAM_LEADER: "start:team",
    Role.ADVISOR: "start:my_day",
    Role.DUTY_ADVISOR: "start:duty",
    Role.CASE_ADMINISTRATOR: "start:intake",
    Role.PSYCHOLOGIST: "start:my_cases",
    Role.HEALTH_VISITOR: "start:my_cases",
    Role.MANAGEMENT: "start:management",
    Role.DATA_PROTECTION: "audit:search",
    Role.SYSTEM_ADMINISTRATOR: "admin:index",
}


def start_url_for(user) -> str:
    if is_national_operator(user):
        # The national operator has the shared configuration in the admin and no other page.
        return reverse("admin:index")
    for role in START_ORDER:
        if user.has_role(role):
            return reverse(START_PAGE[role])
    return reverse("start:no_role")


def menu_for(user, current_path: str) -> list[dict]:
    items = []
    for item in NAV_ITEMS:
        if not (item.roles & user.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "key": item.key,
                "label": item.label,
                "url": url,
                "current": current_path == url,
                "active": current_path.startswith(url) and url != "/",
            }
        )
    return items
