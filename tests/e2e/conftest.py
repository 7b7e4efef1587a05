"""Browser tests: Playwright driving Debian's Chromium (``/usr/bin/chromium``, installed by
``.ci/run``; never a browser download), headless, against pytest-django's ``live_server``.

Each xdist worker starts its own live server on a free port and its own browser, so the tests run
under ``pytest -n 2``. Every person in a story gets a browser context of their own, logged in once
through the real login pages with the second factor, the way several people work at once.
"""

from __future__ import annotations

import datetime
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

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
# The moment every browser test starts at (a Friday morning), with the clock standing still: the
# dates, times and "for 3 minutter siden" on the pages, and so the screenshots, are the same on
# every run (issue 20). A test moves the clock itself (``pass_time``) or travels on from here.
FIXED_NOW = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
SEED = "herning-browser-tests"
_clock: list = []  # the standing clock of the running test (one test at a time per process)
_taken: dict[str, str] = {}  # each screenshot's name and the test that takes it


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


def _reset_factory_sequences() -> None:
    """Every factory counts from 0 again (CPR numbers, user and team names come from its counter),
    whichever tests ran before in the same process."""
    import factory

    pending = list(factory.Factory.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls._meta.abstract:
            cls.reset_sequence(force=True)


def _restart_ids() -> None:
    """Each table's ids go on from its highest row (from 1 in an empty one), whatever tests ran and
    were flushed before. (Django's ``reset_sequences`` starts every table at 1, also the catalog
    the migrations filled, whose next row would then take an id that is in use.)"""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@pytest.fixture(autouse=True)
def clock(transactional_db):
    """Every browser test runs on the same data at the same moment: the database's ids from the
    same numbers (a case is "Sag nr. 26" on every run), the factories' counters and made-up names
    from the same seed, and the clock standing at ``FIXED_NOW`` (the live server is a thread of
    this process, so it reads the same clock). Set up before the test's other fixtures (autouse),
    so its people and cases are made at that moment too. Yields the traveller; ``pass_time`` moves
    it on."""
    import factory.random

    _restart_ids()
    factory.random.reseed_random(SEED)
    _reset_factory_sequences()
    with time_machine.travel(FIXED_NOW, tick=False) as traveller:
        _clock.append(traveller)
        try:
            yield traveller
        finally:
            _clock.remove(traveller)


def pass_time(minutes: int = 1) -> None:
    """The standing clock moves on by ``minutes``: a person takes a while to fill in a form, and
    what they record gets a moment of its own (never two rows at the same instant)."""
    _clock[-1].shift(datetime.timedelta(minutes=minutes))


@pytest.fixture
def browsing(browser, live_server, clock):
    session = Browsing(browser=browser, base_url=live_server.url)
    yield session
    session.close()


def screenshot(page, name: str, *, path: Path | None = None) -> Path:
    """Save the page as ``docs/screenshots/<name>.png`` (the tests refresh them on every run, and
    the same run makes the same picture: only a page that changed changes its screenshot)."""
    # A clock that runs (``time_machine.travel(..., tick=True)``, or none) would put the moment of
    # the run on the page: the picture is refused rather than changed on every run.
    assert time.time_ns() == time.time_ns(), f"{name}: taken on a running clock, not the fixed one"
    # Two tests saving one name would leave whichever ran last (in any order under xdist).
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    taker = _taken.setdefault(str(path or name), test)
    assert taker == test, f"{name}: {test} would overwrite the screenshot that {taker} takes"
    # A page reached by a click may still be arriving: a picture taken then is cut short.
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready.then(() => true)")
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


def load_team_sections(page) -> None:
    """The team overview reads each section below its first screen when it is scrolled to: scroll
    to each, as a person reading down the page would, and wait until it has come."""
    from playwright.sync_api import expect

    sections = page.locator("main .team-section")
    assert sections.count(), page.url
    for i in range(sections.count()):
        section = sections.nth(i)
        section.scroll_into_view_if_needed()
        expect(section.get_by_role("link", name="Vis afsnittet")).to_have_count(0)


def check_page(page, name: str, *, browsing: Browsing | None = None) -> None:
    """A main page: screenshot it and check it with axe-core (no serious or critical violation)."""
    screenshot(page, name)
    violations = axe_violations(page)
    if browsing is not None:
        browsing.checked[name] = page.url
    assert not violations, f"axe-core on {name} ({page.url}):\n{format_violations(violations)}"
