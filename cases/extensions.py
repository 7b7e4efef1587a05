"""How other apps add to the child page without the cases app knowing them.

Two kinds of contribution, registered from an app's ``AppConfig.ready()``:

* a *timeline provider* ``(child, user) -> list[TimelineEvent]`` adds dated events to the child's
  timeline (the ladder movements, notifications, network meetings, follow-ups…);
* a *panel* is a section of the page: a title, a template and a ``context(child, case, user)``
  function giving the template its data; panels are shown in ``order``, folded (a ``<details>``)
  unless ``open``. A case's folded panel is read only when it is opened: the page renders an empty
  fold that fetches the section from ``cases:panel_section`` (or from ``lazy_url(child, case)``, a
  view of the panel's own), which checks access and logs the look like the page. The template gets
  only ``data`` (the context's answer), so it reads the same on the page and on its own;
* a *summary part* is a piece of the block at the top of the page that answers "how is this child
  doing?" in the first screen: a template and a ``context(child, case, user)`` reading the owning
  app's data in one query or two.

Providers and panels receive a child, and panels a case, that the user may see (the page read
both through ``visible_to(user)``); what they read beyond them must still start from
``visible_to(user)``, or from a rule's own shortcut for a record already read (a network meeting's
``readable_child``, a readable case's notifications: ``cases.access.notification_filter``). Each should run a fixed number of
queries, whatever the number of rows: the child page's query count is pinned in the tests.

A third hook answers whether an investigation has a network map attached; the network meetings
app owns network maps and registers the answer (``register_network_map_check``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TimelineEvent:
    date: datetime.date
    kind: str  # a short machine name: "movement", "notification", "meeting"…
    title: str
    detail: str = ""
    url: str = ""
    # Sorts events of the same day: lower comes first.
    order: int = 0


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template_name: str
    context: Callable[[Any, Any, Any], dict] = field(compare=False)
    order: int = 100
    open: bool = False
    lazy_url: Callable[[Any, Any], str] | None = field(default=None, compare=False)

    @property
    def read_by_section_view(self) -> bool:
        """Whether a case's page reads this panel from ``cases:panel_section`` when it is opened:
        a folded panel without a view of its own."""
        return not self.open and self.lazy_url is None


@dataclass(frozen=True)
class SummaryPart:
    key: str
    template_name: str
    context: Callable[[Any, Any, Any], dict] = field(compare=False)
    order: int = 100
    # The narrow column beside the main one (approvals, goals, the next meeting).
    side: bool = False


TimelineProvider = Callable[[Any, Any], list[TimelineEvent]]

_timeline_providers: dict[str, TimelineProvider] = {}
_panels: dict[str, Panel] = {}
_summary_parts: dict[str, SummaryPart] = {}
_network_map_check: list[Callable[[Any], bool]] = []


def register_timeline_provider(key: str, provider: TimelineProvider) -> None:
    """Register (or replace, by ``key``) a provider of timeline events."""
    _timeline_providers[key] = provider


def register_panel(panel: Panel) -> None:
    """Register (or replace, by ``panel.key``) a section of the child page."""
    _panels[panel.key] = panel


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def panel(key: str) -> Panel | None:
    return _panels.get(key)


def register_summary_part(part: SummaryPart) -> None:
    """Register (or replace, by ``part.key``) a piece of the child page's summary."""
    _summary_parts[part.key] = part


def summary_parts() -> list[SummaryPart]:
    return sorted(_summary_parts.values(), key=lambda p: (p.order, p.key))


def timeline_for(child, user) -> list[TimelineEvent]:
    """Every provider's events for ``child``, newest first."""
    events: list[TimelineEvent] = []
    for provider in _timeline_providers.values():
        events.extend(provider(child, user))
    return sorted(events, key=lambda e: (e.date, -e.order), reverse=True)


def read_once(record, key: str, read: Callable[[], Any]) -> Any:
    """What ``read()`` gives, kept on ``record`` under ``key`` for the rest of the request: the
    page gives its summary parts, panels and timeline the same child and case, and a part that
    needs what another already read (the ladder's movements, the child's meetings) reads it once.
    ``key`` names the reader too when the answer depends on who reads."""
    if key not in record.__dict__:
        record.__dict__[key] = read()
    return record.__dict__[key]


def register_network_map_check(check: Callable[[Any], bool]) -> None:
    """``check(investigation) -> bool``: whether a network map is attached to the investigation."""
    _network_map_check[:] = [check]


def investigation_has_network_map(investigation) -> bool:
    return bool(_network_map_check and _network_map_check[0](investigation))


# --- What cases needs to know about a case's measures ------------------------------------------
#
# The measures app sits above cases (docs/architecture.md): cases never imports it. The few
# questions a case's own rules ask about its measures (may the case close, does it stay in its
# district, which state after an investigation, what the history page lists) are answered by an
# object the measures app registers in its AppConfig.ready() (measures/case_measures.py).


@dataclass(frozen=True)
class CaseMeasures:
    # (case, day) -> whether a measure of the case is active on that day.
    any_active_on: Callable[[Any, datetime.date], bool]
    # (case, day) -> whether a placement (a measure type with a placement category) is active then.
    placement_active_on: Callable[[Any, datetime.date], bool]
    # (case, day) -> whether a measure of the case is still running after that day.
    running_after: Callable[[Any, datetime.date], bool]
    # case -> [(model, history queryset)] of the measure tables for the case's history page.
    history_sources: Callable[[Any], list] = field(default=lambda case: [])
    # () -> the ladder steps, in order, for the case list's filter.
    ladder_steps: Callable[[], list] = field(default=lambda: [])


_case_measures: list[CaseMeasures] = []


def register_case_measures(answers: CaseMeasures) -> None:
    """Register (or replace) the measures app's answers about a case's measures."""
    _case_measures[:] = [answers]


def case_measures() -> CaseMeasures:
    if not _case_measures:
        raise LookupError("No app has registered case_measures (the measures app registers it in ready()).")
    return _case_measures[0]
