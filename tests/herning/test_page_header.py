"""The header of every page is drawn in Python (``page_header`` and ``followups_tags.reminder_bell``).
Its markup is the template's it replaced (kept below as the reference, the bell's inclusion
template inlined), for each kind of person, signed in with both factors, half signed in and not at
all, with no, some and many unread reminders, a hostile name and path, in Danish and English."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from followups.templatetags.followups_tags import reminder_bell
from herning.core.navigation import menu_for
from herning.core.templatetags.page_header import page_header

HOSTILE = '<b>"Bo" & Co</b>'

# templates/base.html's header and followups/_bell.html before they became the tags.
REFERENCE = Template(
    "{% load i18n static %}{% get_current_language as LANGUAGE_CODE %}"
    + '<header class="header">\n    <div class="solution-info">\n      <div class="solution-info-inner container">\n        <div class="solution-heading">\n          <a href="{% url \'accounts:start\' %}">{% translate "Herning · Børn og unge" %}</a>\n        </div>\n        {% if menu %}\n        {# The design system\'s menu button: shown below its navigation breakpoint, it opens the drawer. #}\n        <button type="button" class="function-link button-menu-open js-menu-open d-print-none" aria-expanded="false" aria-controls="mobile-menu">{% translate "Menu" %}</button>\n        {% endif %}\n        <div class="additional-info">\n          {% if user.is_authenticated %}\n          <p><strong class="authority-name">{{ user.municipality|default:"" }}</strong></p>\n          <p class="header-user">\n            <span>{{ user.get_full_name|default:user.username }}</span>{% if user.roles %} · <span>{% for a in user.role_assignments_cached %}{{ a.get_role_display }}{% if not forloop.last %}, {% endif %}{% endfor %}</span>{% endif %}\n          </p>\n          {% endif %}\n        </div>\n        <div class="header-tools d-print-none">\n          {% block header_tools %}{% endblock %}\n          {% if signed_in %}<a href="{% url \'followups:reminders\' %}" class="function-link reminder-bell"><svg class="icon-svg" focusable="false" aria-hidden="true"><use href="{% static \'dkfds/img/all-svg-icons.svg\' %}#notifications"></use></svg>{% translate "Påmindelser" %}{% if count %} <span class="badge badge-error" aria-hidden="true">{{ count }}</span><span class="sr-only">, {% blocktranslate count counter=count %}{{ counter }} ulæst{% plural %}{{ counter }} ulæste{% endblocktranslate %}</span>{% endif %}</a>{% endif %}\n          <form action="{% url \'set_language\' %}" method="post" class="language-form">\n            {% csrf_token %}\n            <input type="hidden" name="next" value="{{ request.get_full_path }}">\n            {% get_available_languages as LANGUAGES %}\n            {% for code, name in LANGUAGES %}{% if code != LANGUAGE_CODE %}\n            <button type="submit" name="language" value="{{ code }}" class="function-link" lang="{{ code }}">{% if code == "en" %}English{% else %}Dansk{% endif %}</button>\n            {% endif %}{% endfor %}\n          </form>\n          {% if user.is_authenticated %}\n          <form action="{% url \'accounts:logout\' %}" method="post">\n            {% csrf_token %}\n            <button type="submit" class="function-link log-off">{% translate "Log ud" %}</button>\n          </form>\n          {% endif %}\n        </div>\n      </div>\n    </div>\n    {% if menu %}\n    {# The design system\'s mobile drawer (DKFDS.init opens and closes it; static/js/herning.js keeps aria-expanded). #}\n    <div class="mobile-drawer d-print-none" id="mobile-menu">\n      <div class="menu-top">\n        <h2 class="menu-heading" id="mobile-menu-heading">{% translate "Menu" %}</h2>\n        <button type="button" class="function-link button-menu-close js-menu-close">{% translate "Luk menu" %}</button>\n      </div>\n      <div class="solution-info-mobile">\n        <p class="mb-2"><strong class="authority-name">{{ user.municipality|default:"" }}</strong></p>\n        <p>{{ user.get_full_name|default:user.username }}{% if user.roles %} · {% for a in user.role_assignments_cached %}{{ a.get_role_display }}{% if not forloop.last %}, {% endif %}{% endfor %}{% endif %}</p>\n      </div>\n      <nav class="navigation-menu-mobile" aria-labelledby="mobile-menu-heading">\n        <ul class="mainmenu">\n          {% for item in menu %}\n          <li{% if item.active %} class="active{% if item.current %} current{% endif %}"{% endif %}>\n            <a href="{{ item.url }}" class="nav-link"{% if item.current %} aria-current="page"{% elif item.active %} aria-current="true"{% endif %}><span>{{ item.label }}</span></a>\n          </li>\n          {% endfor %}\n        </ul>\n      </nav>\n    </div>\n    <div class="navigation-menu">\n      <div class="navigation-menu-inner container">\n        <nav class="nav" aria-label="{% translate \'Hovedmenu\' %}">\n          <ul class="mainmenu">\n            {% for item in menu %}\n            <li{% if item.active %} class="active{% if item.current %} current{% endif %}"{% endif %}>\n              <a href="{{ item.url }}" class="nav-link"{% if item.current %} aria-current="page"{% elif item.active %} aria-current="true"{% endif %}><span>{{ item.label }}</span></a>\n            </li>\n            {% endfor %}\n          </ul>\n        </nav>\n      </div>\n    </div>\n    {% endif %}\n  </header>'
)

PEOPLE = [
    "advisor",
    "team_leader",
    "duty_advisor",
    "case_admin",
    "management",
    "psychologist",
    "sysadmin",
    "data_protection",
]


def _context(user, path, *, signed_in=True, count=0, csrf="tok<en>", counted=True):
    request = RequestFactory().get(path)
    request.user = user
    values = {
        "request": request,
        "user": user,
        "menu": menu_for(user, request.path) if signed_in else [],
        "signed_in": signed_in,
        "count": count,
    }
    if counted:
        values["unread_reminders"] = count
    if csrf is not None:
        values["csrf_token"] = csrf
    return values


def _drawn(values) -> str:
    context = Context(values)
    return page_header(context, reminder_bell(context))


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("person", PEOPLE)
def test_the_header_is_drawn_as_the_template_drew_it(org, person, language):
    user = getattr(org, person)
    user.first_name = HOSTILE
    user.save()
    with translation.override(language):
        for path in ("/sager/", '/sager/?q=<b>"x"&team=1', "/min-dag/", "/"):
            for count in (0, 1, 3, 1234):
                values = _context(user, path, count=count)
                assert _drawn(values) == REFERENCE.render(Context(values)), (path, count)
            # Half signed in (the second factor not yet given): no menu and no bell.
            values = _context(user, path, signed_in=False, count=3)
            assert _drawn(values) == REFERENCE.render(Context(values))


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_header_of_a_person_without_roles_or_municipality_and_of_no_one(org, language):
    nobody = org.advisor
    nobody.role_assignments.all().delete()
    nobody.municipality = None
    nobody.save()
    with translation.override(language):
        for user, csrf in ((nobody, "tok"), (AnonymousUser(), None), (AnonymousUser(), "NOTPROVIDED")):
            signed_in = user.is_authenticated
            values = _context(user, "/login/?next=/sager/", signed_in=signed_in, csrf=csrf)
            assert _drawn(values) == REFERENCE.render(Context(values))


def test_the_header_escapes_and_marks_what_it_shows(org):
    org.advisor.first_name = HOSTILE
    org.advisor.save()
    with translation.override("da"):
        drawn = _drawn(_context(org.advisor, '/sager/?q=<b>"x"', count=2))
    assert "<b>" not in drawn
    assert drawn.count("&lt;b&gt;&quot;Bo&quot; &amp; Co&lt;/b&gt;") == 2  # the header and the drawer
    assert 'aria-current="page"' in drawn and "2 ulæste" in drawn and "Log ud" in drawn


def test_the_bell_counts_when_the_page_did_not(org):
    # Not counted by the page (every page but Min dag): the bell reads the count itself.
    values = _context(org.advisor, "/sager/", counted=False)
    with translation.override("da"):
        drawn = reminder_bell(Context(values))
    assert "Påmindelser" in drawn and "badge" not in drawn
