"""Issue 20 point 7: every page works on a phone (390 × 844 CSS pixels).

The design system's menu button opens its drawer, a link in the drawer is followed; the main pages
never scroll sideways as a whole (a wide table scrolls inside its own box); buttons are touch
targets of at least 44 px that do not touch each other; axe-core finds nothing serious with the
drawer open either. Without JavaScript the menu is still there, as a list.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, axe_violations, format_violations, load_team_sections
from tests.e2e.test_accessibility import lived_in  # noqa: F401 - the fixture: a case with history
from tests.factories import CaseFactory

pytestmark = pytest.mark.slow

# Every button, link styled as a button and function link on the page: its box, and whether it is
# shorter than 44 px or closer than 4 px to another one.
TARGETS = """() => {
  const els = [...document.querySelectorAll('button, .button, a.function-link, input[type=submit]')]
    .filter(e => { const r = e.getBoundingClientRect();
                   return r.width > 0 && r.height > 0 && e.checkVisibility({visibilityProperty: true}); });
  const name = e => (e.innerText || e.value || e.getAttribute('aria-label') || e.outerHTML).trim().slice(0, 40);
  const small = els.filter(e => e.getBoundingClientRect().height < 43.5).map(name);
  const touching = [];
  for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
    if (els[i].contains(els[j]) || els[j].contains(els[i])) continue;
    const a = els[i].getBoundingClientRect(), b = els[j].getBoundingClientRect(), gap = 4;
    if (a.left - gap < b.right && b.left - gap < a.right && a.top - gap < b.bottom && b.top - gap < a.bottom)
      touching.push(name(els[i]) + ' | ' + name(els[j]));
  }
  return {count: els.length, small, touching};
}"""

# Each table on the page: the width of the box it scrolls in, and whether it is wider than the box.
TABLES = """() => [...document.querySelectorAll('main table')].map(t => {
  const box = t.closest('.table--responsive-scroll');
  return {inBox: !!box, boxWidth: box ? box.getBoundingClientRect().width : null,
          scrolls: box ? box.scrollWidth > box.clientWidth : false,
          overflowX: box ? getComputedStyle(box).overflowX : null};
})"""

# What reaches past the screen's right edge, outside the tables' own scrolling boxes.
WIDE = """(width) => [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.right > width + 0.5 && r.width > 0 && !(e.parentElement && e.parentElement.closest('.table--responsive-scroll'));
}).slice(-5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def check_phone_page(page, name: str, failures: list[str]) -> list[dict]:
    """The page as it is now on the phone: nothing wider than the screen, tables in their own
    scrolling box, touch targets apart, no serious axe-core violation. Returns the tables."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wide = page.evaluate(WIDE, PHONE["width"])
        failures.append(
            f"{name}: the page is {width} px wide, wider than the phone's {PHONE['width']} px: {wide}"
        )
    tables = page.evaluate(TABLES)
    for table in tables:
        if not table["inBox"] or table["boxWidth"] > PHONE["width"] or table["overflowX"] != "auto":
            failures.append(f"{name}: a table does not scroll inside a box of its own: {table}")
    targets = page.evaluate(TARGETS)
    if targets["small"]:
        failures.append(f"{name}: touch targets under 44 px: {targets['small']}")
    if targets["touching"]:
        failures.append(f"{name}: touch targets that touch: {targets['touching']}")
    violations = axe_violations(page)
    if violations:
        failures.append(f"axe-core on {name} ({page.url}):\n{format_violations(violations)}")
    return tables


def test_the_main_pages_work_on_a_phone(browsing, org, lived_in):  # noqa: F811
    CaseFactory(team=org.team_a)  # a case waiting for an advisor, on the team leader's pages
    failures: list[str] = []
    advisor = browsing.as_user(org.advisor, phone=True)
    assert advisor.viewport_size == PHONE

    # "Min dag": the desktop menu is hidden, the design system's menu button shows.
    advisor.goto("/min-dag/")
    button = advisor.get_by_role("button", name="Menu", exact=True)
    expect(button).to_be_visible()
    expect(advisor.locator("nav.nav")).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    drawer = advisor.locator("#" + button.get_attribute("aria-controls"))
    expect(drawer).to_be_hidden()
    check_phone_page(advisor, "min-dag", failures)

    # The drawer opens, says so, and passes axe-core open.
    button.click()
    expect(drawer).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(drawer.get_by_role("link", name="Min dag")).to_have_attribute("aria-current", "page")
    violations = axe_violations(advisor)
    assert not violations, f"axe-core with the drawer open:\n{format_violations(violations)}"
    # Closed again with its close button, focus back on the menu button.
    drawer.get_by_role("button", name="Luk menu").click()
    expect(drawer).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()

    # A link in the drawer leads to the case list.
    button.click()
    with advisor.expect_navigation():
        drawer.get_by_role("link", name="Sager", exact=True).click()
    assert advisor.url.endswith("/sager/"), advisor.url
    expect(advisor.locator("#mobile-menu")).to_be_hidden()
    expect(advisor.locator("h1")).to_contain_text("Sager")
    tables = check_phone_page(advisor, "sager", failures)
    # The case list is wider than a phone: it scrolls in its own box, not the page.
    assert any(t["scrolls"] for t in tables), tables

    for path, name in ((f"/sager/{lived_in.pk}/", "sag"), ("/opfoelgning/frister/", "frister")):
        advisor.goto(path)
        check_phone_page(advisor, name, failures)

    leader = browsing.as_user(org.team_leader, phone=True)
    for path, name in (("/team/", "teamoverblik"), ("/fordeling/", "fordeling")):
        leader.goto(path)
        if path == "/team/":
            load_team_sections(leader)
        check_phone_page(leader, name, failures)

    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_the_code_step_on_a_phone_has_no_menu_and_asks_for_digits(browsing, org):
    from tests.e2e.conftest import PASSWORD
    from tests.herning.otp import app_device

    org.advisor.set_password(PASSWORD)
    org.advisor.save(update_fields=["password"])
    app_device(org.advisor)
    page = browsing.new_page(phone=True)
    page.goto("/log-ind/")
    page.locator("main").get_by_label("Brugernavn").fill(org.advisor.username)
    page.locator("main").get_by_label("Adgangskode").fill(PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/to-faktor/**")
    assert page.locator("nav, .js-menu-open, .mobile-drawer").count() == 0
    code = page.locator("main").get_by_label("Kode", exact=True)
    expect(code).to_be_focused()
    expect(code).to_have_attribute("inputmode", "numeric")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    failures: list[str] = []
    check_phone_page(page, "to-faktor", failures)
    assert not failures, "\n".join(failures)


def test_without_javascript_the_menu_is_a_list_on_the_phone(browsing, org, shipped_data):
    page = browsing.as_user(org.advisor, phone=True, javascript=False)
    page.goto("/min-dag/")
    # The button could not open the drawer without JavaScript: it is hidden, the links are shown.
    expect(page.locator(".js-menu-open")).to_be_hidden()
    link = page.locator("nav.nav").get_by_role("link", name="Sager", exact=True)
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/sager/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
