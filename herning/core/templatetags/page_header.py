"""The header of every page drawn in Python: the solution's name, the person and their roles, the
reminder bell, the language and log-out forms, and the main menu twice (the drawer a phone opens
and the bar a wide screen shows).

Drawn by the template language it was some 1.2 ms of every page's CPU at national scale: two loops
over the menu, two over the person's roles, and a dozen tags and filters, each resolved through
the template's variable lookup (benchmarks/RESULTS.md, findings of 7 December 2026). The markup is
the one ``templates/base.html`` held, character for character, held to it by
``tests/herning/test_page_header.py``.

Foundation code: the bell is a domain app's (``followups``), so it comes in as markup.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from herning.core.markup import escaped, format_markup

register = template.Library()

# The lines of spaces (their last one written \x20) are where the template's tags stood: the markup
# is the template's to the character.

_HEADER = """<header class="header">
    <div class="solution-info">
      <div class="solution-info-inner container">
        <div class="solution-heading">
          <a href="{start}">{name}</a>
        </div>
        {menu_button}
        <div class="additional-info">
          {person}
        </div>
        <div class="header-tools d-print-none">
         \x20
          {bell}
          <form action="{set_language}" method="post" class="language-form">
            {csrf}
            <input type="hidden" name="next" value="{next}">
           \x20
            {languages}
          </form>
          {log_off}
        </div>
      </div>
    </div>
    {menus}
  </header>"""

_MENU_BUTTON = """
       \x20
        <button type="button" class="function-link button-menu-open js-menu-open d-print-none" \
aria-expanded="false" aria-controls="mobile-menu">{}</button>
        """

_PERSON = """
          <p><strong class="authority-name">{}</strong></p>
          <p class="header-user">
            <span>{}</span>{}
          </p>
          """

_LANGUAGE = """
            <button type="submit" name="language" value="{0}" class="function-link" lang="{0}">{1}</button>
            """

_LOG_OFF = """
          <form action="{}" method="post">
            {}
            <button type="submit" class="function-link log-off">{}</button>
          </form>
          """

_MENUS = """
   \x20
    <div class="mobile-drawer d-print-none" id="mobile-menu">
      <div class="menu-top">
        <h2 class="menu-heading" id="mobile-menu-heading">{menu}</h2>
        <button type="button" class="function-link button-menu-close js-menu-close">{close}</button>
      </div>
      <div class="solution-info-mobile">
        <p class="mb-2"><strong class="authority-name">{municipality}</strong></p>
        <p>{person}{roles}</p>
      </div>
      <nav class="navigation-menu-mobile" aria-labelledby="mobile-menu-heading">
        <ul class="mainmenu">
          {drawer}
        </ul>
      </nav>
    </div>
    <div class="navigation-menu">
      <div class="navigation-menu-inner container">
        <nav class="nav" aria-label="{main}">
          <ul class="mainmenu">
            {bar}
          </ul>
        </nav>
      </div>
    </div>
    """

# One menu item; the drawer's and the bar's differ only in their indentation.
_ITEM = """
{0}<li{1}>
{0}  <a href="{2}" class="nav-link"{3}><span>{4}</span></a>
{0}</li>
{0}"""


def _csrf_input(token) -> str:
    # As ``{% csrf_token %}``: nothing where the page was drawn without a request's token.
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's marker, not a secret
        return ""
    return format_markup('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _menu_items(menu, indent: str) -> str:
    parts = []
    for item in menu:
        active, current = item["active"], item["current"]
        parts.append(
            _ITEM.format(
                indent,
                (' class="active current"' if current else ' class="active"') if active else "",
                escaped(item["url"]),
                ' aria-current="page"' if current else ' aria-current="true"' if active else "",
                escaped(item["label"]),
            )
        )
    return "".join(parts)


@register.simple_tag(takes_context=True)
def page_header(context, bell="") -> SafeString:
    """The page's ``<header>``; ``bell`` is the reminder bell's markup ("" where there is none)."""
    request, user, menu = context.get("request"), context.get("user"), context.get("menu")
    csrf = _csrf_input(context.get("csrf_token"))
    signed = user is not None and user.is_authenticated
    municipality = escaped(user.municipality or "") if signed else ""
    name = escaped(str(user)) if signed else ""
    role_names = (
        ", ".join(escaped(a.get_role_display()) for a in user.role_assignments_cached) if signed else ""
    )
    current = get_language()
    languages = "".join(
        _LANGUAGE.format(escaped(code), "English" if code == "en" else "Dansk")
        for code, _name in settings.LANGUAGES
        if code != current
    )
    menus = ""
    if menu:
        menus = _MENUS.format(
            menu=escaped(gettext("Menu")),
            close=escaped(gettext("Luk menu")),
            municipality=municipality,
            person=name,
            roles=f" · {role_names}" if role_names else "",
            drawer=_menu_items(menu, "          "),
            bar=_menu_items(menu, "            "),
            main=escaped(gettext("Hovedmenu")),
        )
    return mark_safe(  # noqa: S308 - every value above is escaped
        _HEADER.format(
            start=escaped(reverse("accounts:start")),
            name=escaped(gettext("Herning · Børn og unge")),
            menu_button=_MENU_BUTTON.format(escaped(gettext("Menu"))) if menu else "",
            person=_PERSON.format(municipality, name, f" · <span>{role_names}</span>" if role_names else "")
            if signed
            else "",
            bell=escaped(bell),
            set_language=escaped(reverse("set_language")),
            csrf=csrf,
            next=escaped(request.get_full_path()) if request is not None else "",
            languages=languages,
            log_off=_LOG_OFF.format(escaped(reverse("accounts:logout")), csrf, escaped(gettext("Log ud")))
            if signed
            else "",
            menus=menus,
        )
    )
