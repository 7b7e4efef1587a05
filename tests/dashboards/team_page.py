"""The team overview as a browser shows it: its first screen, then each section below it, read as
HTMX reads it when it is scrolled to (``dashboards.views.team_section``)."""

from __future__ import annotations

import html
import re

# A section's placeholder on the first screen: HTMX reads its address when it is scrolled to.
SECTION = re.compile(r'<div class="team-section" hx-get="([^"]+)"')


def section_urls(page: str) -> list[str]:
    """The addresses of the sections the first screen ``page`` reads as they are scrolled to."""
    return [html.unescape(url) for url in SECTION.findall(page)]


def team_overview_page(client, query: str = "") -> str:
    """The whole overview once scrolled to its end: the first screen with every section it names,
    each asked for as HTMX asks (a section that fails fails the test)."""
    page = client.get(f"/team/{query}")
    assert page.status_code == 200, page.status_code
    parts = [page.content.decode()]
    urls = section_urls(parts[0])
    assert urls, "the overview names no section"
    for url in urls:
        section = client.get(url, HTTP_HX_REQUEST="true")
        assert section.status_code == 200, (url, section.status_code)
        parts.append(section.content.decode())
    return "\n".join(parts)
