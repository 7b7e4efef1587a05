"""Danish first, English second: the English catalogue (locale/en) covers every Danish source
string and keeps its placeholders, and English reaches those who ask for it: the pages after the
language switch, the API with ``Accept-Language: en``.

The catalogue is checked against the source as it is now, not as it was when the .po was last
updated: the project is copied and ``makemessages`` runs on the copy, so a new or changed string
that nobody translated fails here (``scripts/translations.py`` is how to translate it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

from network_meetings.documents import genitive
from tests.api.base import field_errors

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Not the product: their strings are not translated (scripts/translations.py ignores them too).
NOT_SOURCE = ("tests/", "benchmarks/", "docs/", "scripts/")
# %(name)s, %(count)d and %s as Python and blocktranslate write them; {name} as str.format does.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
SCHEDULE_PREVIEW = "/api/v1/schedule-preview/"


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory) -> polib.POFile:
    """The English catalogue as ``makemessages`` leaves it for the source in the working tree
    (tracked files and new ones git does not ignore), without touching the working tree."""
    copy = tmp_path_factory.mktemp("source")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if name.startswith(NOT_SOURCE) or not source.is_file():  # not the product, or deleted
            continue
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        check=True,
    )
    return polib.pofile(str(copy / PO.relative_to(ROOT)))


@pytest.fixture
def english(settings, tmp_path):
    """English compiled from the working tree's .po (as ``make install`` does), so that these tests
    neither need an install nor read a .mo left over from an earlier one."""
    mo = tmp_path / "en" / "LC_MESSAGES" / "django.mo"
    mo.parent.mkdir(parents=True)
    polib.pofile(str(PO)).save_as_mofile(str(mo))
    settings.LOCALE_PATHS = [tmp_path]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_source_string_has_an_english_translation(fresh_catalogue):
    missing = [
        entry.msgid
        for entry in fresh_catalogue
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]
    assert len(fresh_catalogue) > 1000  # the whole product was read, not an empty copy
    assert missing == [], "Run scripts/translations.py update, then todo/apply (see its docstring)."


def test_every_translation_keeps_the_placeholders_of_its_source(fresh_catalogue):
    broken = []
    for entry in fresh_catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural.get(0, "")),
                (entry.msgid_plural, entry.msgstr_plural.get(1, "")),
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        broken += [
            (source, english)
            for source, english in pairs
            if english and _placeholders(source) != _placeholders(english)
        ]
    assert broken == []


def test_pages_turn_english_after_choosing_english_in_the_switcher(client, login, org, english):
    login_page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="da">' in login_page
    assert "Log ind med dit brugernavn og din adgangskode." in login_page

    switched = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("accounts:login")}, follow=True
    ).content.decode()
    assert '<html lang="en">' in switched
    assert "Log in with your username and password." in switched
    assert "Log ind med dit brugernavn" not in switched

    start = login(org.advisor).get(reverse("start:my_day")).content.decode()
    for item in ("My day", "Cases", "Find child", "Deadlines", "Network meetings"):
        assert f">{item}<" in start
    assert ">Min dag<" not in start
    assert "Log out" in start


def test_the_api_answers_a_bad_request_in_english_when_asked(login, org, english):
    client = login(org.advisor)
    query = {"measure_type": "nope", "start": "5/1/2026"}

    english_answer = client.get(SCHEDULE_PREVIEW, query, HTTP_ACCEPT_LANGUAGE="en")
    danish_answer = client.get(SCHEDULE_PREVIEW, query)

    assert english_answer.status_code == danish_answer.status_code == 400
    assert field_errors(english_answer) == {
        "measure_type": ["Unknown measure type: nope."],
        "start": ["The date must be written YYYY-MM-DD."],
        "until": ["Give the end date of the overview (until)."],
    }
    assert field_errors(danish_answer)["until"] == ["Angiv slutdatoen for oversigten (until)."]


@pytest.mark.parametrize(
    ("language", "name", "possessive"),
    [("da", "Emma", "Emmas"), ("da", "Lukas", "Lukas'"), ("en", "Emma", "Emma's"), ("en", "Lukas", "Lukas'")],
)
def test_a_childs_name_in_an_invitation_title_takes_the_possessive_of_the_language(
    language, name, possessive
):
    with translation.override(language):
        assert genitive(name) == possessive
