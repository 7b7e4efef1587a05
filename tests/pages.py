"""The child page as an advisor sees it with every fold opened.

The page sends a case's folded sections empty and reads each when it is opened (HTMX,
``cases:panel_section``). A test about what a section shows reads the page through ``with_folds``:
the page, then each folded section as the browser asks for it (``HX-Request``), put in its fold.
"""

from __future__ import annotations

import re

# A fold read when it is opened: its address, and its body (empty as the page sends it).
_FOLD = re.compile(
    r'(<details class="details case-fold" hx-get="(?P<url>[^"]*/afsnit/[^"]+)" hx-trigger="toggle once"'
    r' hx-target="find \.case-fold-body">.*?<div class="details-text case-fold-body">)(?P<body>.*?)(</div>\n</details>)',
    re.DOTALL,
)


def with_folds(client, url: str) -> str:
    """The page at ``url`` with each folded section's own answer in its fold."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()

    def opened(match: re.Match) -> str:
        section = client.get(match["url"], headers={"HX-Request": "true"})
        assert section.status_code == 200, (match["url"], section.status_code)
        return match.group(1) + section.content.decode() + match.group(4)

    return _FOLD.sub(opened, html)


def fold_urls(html: str) -> list[str]:
    """The addresses of the page's folded sections."""
    return [m["url"] for m in _FOLD.finditer(html)]
