"""Browser tests: Playwright driving Debian's Chromium (``/usr/bin/chromium``, installed by
``.ci/run``; never a browser download), headless, against pytest-django's ``live_server``.

Each xdist worker starts its own live server on a free port and its own browser, so the tests run
under ``pytest -n 2``. Every person in a story gets a browser context of their own, logged in once
through the real login pages with the second factor, the way several people work at once.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; Django refuses ORM calls from a
# thread with a running loop unless told that this one is safe (the test itself is synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SCREENSHOTS = DOCS / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("HERNING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Danish browser: date fields show 26.11.2026 in the screenshots, not the American 11/26/2026.
    "--lang=da-DK",
]
PASSWORD = "en-lang-adgangskode-til-test"  # a test person's password
# WCAG 2.1 A and AA: what public-sector web solutions must meet (webtilgængelighedsloven).
AXE_URL = "/__axe-core__.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # a common phone's screen in CSS pixels (issue 20 point 7)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests use Debian's Chromium, "
            "never a downloaded browser. Install it with `apt-get install -y chromium` (.ci/run does)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class Browsing:
    """The people of a story, each in a browser of their own, against one live server."""

    browser: object
    base_url: str
    pages: dict = field(default_factory=dict)
    contexts: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    checked: dict = field(default_factory=dict)

    def new_page(self, *, phone: bool = False, javascript: bool = True):
        """A page in a browser context of its own (its own cookies: one person), on a desktop
        screen or a phone's."""
        context = self.browser.new_context(
            base_url=self.base_url,
            locale="da-DK",
            timezone_id="Europe/Copenhagen",
            viewport=PHONE if phone else DESKTOP,
            has_touch=phone,
            java_script_enabled=javascript,
            accept_downloads=True,
        )
        self.contexts.append(context)
        context.route(
            f"**{AXE_URL}",
            lambda route: route.fulfill(path=str(AXE), content_type="application/javascript"),
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda exc: self.problems.append(f"{page.url}: JavaScript error: {exc}"))
        page.on(
            "console",
            lambda msg: (
                self.problems.append(f"{page.url}: console {msg.type}: {msg.text} {msg.location}")
                # axe-core's own inline styles are refused by the CSP too; that is the test's tool.
                if msg.type == "error" and AXE_URL not in msg.location.get("url", "")
                else None
            ),
        )
        return page

    def as_user(self, user, *, phone: bool = False, javascript: bool = True):
        """A page logged in as ``user`` through the login page and the second factor (on a phone's
        screen with ``phone``: a browser of its own, so the same person may be on both)."""
        key = user.pk if not phone and javascript else (user.pk, phone, javascript)
        if key in self.pages:
            return self.pages[key]
        from tests.herning.otp import app_device, current_code

        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        device = app_device(user)
        page = self.new_page(phone=phone, javascript=javascript)
        page.goto("/log-ind/")
        main = page.locator("main")
        main.get_by_label("Brugernavn").fill(user.username)
        main.get_by_label("Adgangskode").fill(PASSWORD)
        main.locator("button[type=submit]").first.click()
        page.wait_for_url("**/to-faktor/**")
        main.locator("input[name=code]").fill(current_code(device))
        main.locator("button[type=submit]").first.click()
        page.wait_for_load_state()
        assert "/to-faktor/" not in page.url and "/log-ind/" not in page.url, page.url
        self.pages[key] = page
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, live_server):
    import factory.random

    # The same made-up names on every run, so the screenshots change only when the pages do.
    factory.random.reseed_random("herning-browser-tests")
    session = Browsing(browser=browser, base_url=live_server.url)
    yield session
    session.close()


def screenshot(page, name: str, *, path: Path | None = None) -> Path:
    """Save the page as ``docs/screenshots/<name>.png`` (the tests refresh them on every run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = path or SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[dict]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # The pages' Content-Security-Policy lets scripts come from our own address only, and the
        # tests keep it on. So axe-core is fetched from an address of the live server that the
        # browser context answers itself with the file from node_modules (see ``as_user``).
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} – {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def check_page(page, name: str, *, browsing: Browsing | None = None) -> None:
    """A main page: screenshot it and check it with axe-core (no serious or critical violation)."""
    screenshot(page, name)
    violations = axe_violations(page)
    if browsing is not None:
        browsing.checked[name] = page.url
    assert not violations, f"axe-core on {name} ({page.url}):\n{format_violations(violations)}"
