"""A page of the journal's notes is drawn in Python (``cases_tags.journal_notes``). The markup is
the template loop's it replaced (kept below as the reference), for notes with and without a
correction, hostile texts and names, in Danish and English, for a person who may correct them
and one who may not, and for no notes at all."""

from __future__ import annotations

import datetime

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.utils import timezone, translation

from cases.models import JournalNote
from cases.templatetags.cases_tags import journal_notes
from tests.factories import CaseFactory

HOSTILE = '<b>"Bo" & Co</b>'

# templates/cases/panels/_journal.html's loop before it became the tag.
REFERENCE = Template(
    "{% load i18n %}"
    + '{% for note in page %}\n<details class="details journal-note" name="journal-{{ case.pk }}">\n  <summary class="details-summary">{{ note.occurred_on|date:"SHORT_DATE_FORMAT" }}: {{ note.get_heading_display }}{% if note.corrected_at %} ({% translate "rettet" %}){% endif %} <span class="muted">– {{ note.written_by }}</span></summary>\n  <div class="details-text">\n  <p class="muted">{% blocktranslate with who=note.written_by when=note.written_at|date:"SHORT_DATETIME_FORMAT" %}Skrevet af {{ who }} {{ when }}{% endblocktranslate %}{% if note.corrected_at %} · <strong>{% blocktranslate with who=note.corrected_by when=note.corrected_at|date:"SHORT_DATETIME_FORMAT" %}Rettet af {{ who }} {{ when }}{% endblocktranslate %}</strong>: {{ note.correction_reason }}{% endif %}</p>\n  <p class="note-text">{{ note.text }}</p>\n  {% if data.can_edit %}<p class="d-print-none"><a href="{% url \'cases:journal_correct\' note.pk %}">{% translate "Ret notatet" %}<span class="sr-only"> {{ note }}</span></a></p>{% endif %}\n  </div>\n</details>\n{% empty %}<p>{% translate "Ingen journalnotater." %}</p>{% endfor %}'
)


@pytest.fixture
def notes(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    org.colleague.first_name = HOSTILE
    org.colleague.save()
    moment = timezone.make_aware(datetime.datetime(2026, 3, 29, 1, 30))  # the night summer time began
    plain = JournalNote.objects.create(
        case=case,
        heading=JournalNote.Heading.HOME_VISIT,
        text=HOSTILE + "\nanden linje",
        occurred_on=datetime.date(2026, 2, 28),
        written_by=org.advisor,
        written_at=moment,
    )
    corrected = JournalNote.objects.create(
        case=case,
        heading=JournalNote.Heading.HEARING_PARENTS,
        text="Rettet tekst",
        occurred_on=datetime.date(2026, 12, 31),
        written_by=org.colleague,
        written_at=moment,
        corrected_at=moment + datetime.timedelta(days=3, hours=23),
        corrected_by=org.colleague,
        correction_reason=HOSTILE,
    )
    return case, [corrected, plain]


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("can_edit", [True, False])
def test_a_page_of_notes_is_drawn_as_the_template_drew_it(notes, language, can_edit):
    case, rows = notes
    with translation.override(language):
        for page in (Paginator(rows, 10).page(1), Paginator([], 10).page(1)):
            reference = REFERENCE.render(
                Context({"page": page, "case": case, "data": {"can_edit": can_edit}})
            )
            drawn = journal_notes(page, case, can_edit)
            assert drawn == reference
            assert "<b>" not in drawn
    with translation.override("da"):
        drawn = journal_notes(Paginator(rows, 10).page(1), case, can_edit)
    assert ("Ret notatet" in drawn) == can_edit
    assert "(rettet)" in drawn and "&lt;b&gt;&quot;Bo&quot; &amp; Co&lt;/b&gt;" in drawn
