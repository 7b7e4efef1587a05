"""Printing looks like a letter (issue 20, point 8): the invitation and the minutes as PDF on the
municipality's letterhead (name, address, logo, set on the municipality), with the meeting's own
date and the page numbers ("Side 1 af 2"); the logo is a small PNG or JPEG."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from herning.organisation.models import validate_logo
from network_meetings import documents
from network_meetings.models import NetworkMeeting
from tests.letters import page_texts, png, set_letterhead
from tests.network_meetings.factories import case_for, plan

pytestmark = pytest.mark.django_db


def _meeting_day(meeting) -> str:
    return date_format(timezone.localtime(meeting.starts_at).date(), "DATE_FORMAT")


@pytest.fixture
def letterhead(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return set_letterhead(org.municipality)


@pytest.fixture
def meeting(org):
    case = case_for(org, first_name="Lukas", last_name="Quistorff")
    # A long purpose, so the letter runs to a second page.
    meeting = plan(
        case.child,
        planned_by=org.advisor,
        kind=NetworkMeeting.Kind.INVOLVING,
        days_ahead=11,
        purpose="Formålet med mødet er at samle de voksne, der kender barnet.\n" * 60,
    )
    return meeting


def test_the_invitation_pdf_carries_the_letterhead_the_meeting_date_and_page_numbers(letterhead, meeting):
    document = documents.render_document(
        "network_meetings/documents/invitation_pdf.html",
        documents.invitation_context(meeting),
        meeting=meeting,
    )
    pages = page_texts(document)
    assert len(pages) >= 2
    first = pages[0]
    assert letterhead.name in first and "Torvet 5" in first and "7400 Herning" in first
    assert f"Mødedato: {_meeting_day(meeting)}" in first  # the meeting's day, not the day it was printed
    assert f"Side 1 af {len(pages)}" in first and f"Side 2 af {len(pages)}" in pages[1]
    # The logo is in the letter, embedded.
    html = documents.render_to_string(
        "network_meetings/documents/invitation_pdf.html",
        {**documents.invitation_context(meeting), "letter": documents.letterhead(meeting)},
    )
    assert 'class="letterhead-logo" src="data:image/png;base64,' in html
    assert document.write_pdf().startswith(b"%PDF")


def test_the_minutes_pdf_from_the_page_has_the_letterhead(letterhead, meeting, login, org):
    response = login(org.advisor).get(reverse("network_meetings:minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    document = documents.render_document(
        "network_meetings/documents/minutes_pdf.html",
        documents.minutes_context(meeting, with_cpr=True),
        meeting=meeting,
    )
    first = page_texts(document)[0]
    assert letterhead.name in first and "Torvet 5" in first and "Side 1 af" in first
    assert f"Mødedato: {_meeting_day(meeting)}" in first


def test_without_address_or_logo_the_letter_still_prints(org, meeting):
    document = documents.render_document(
        "network_meetings/documents/invitation_pdf.html",
        documents.invitation_context(meeting),
        meeting=meeting,
    )
    assert org.municipality.name in page_texts(document)[0]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo_type"),
        ("logo.gif", b"GIF89a", "logo_type"),
        ("logo.png", b"\xff\xd8\xff" + b"0" * 20, "logo_content"),  # a JPEG named .png
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * (512 * 1024), "logo_size"),
    ],
)
def test_the_logo_is_a_small_png_or_jpeg(name, content, code):
    with pytest.raises(ValidationError) as refused:
        validate_logo(SimpleUploadedFile(name, content))
    assert refused.value.code == code
    validate_logo(SimpleUploadedFile("logo.png", png()))
    validate_logo(SimpleUploadedFile("LOGO.JPG", b"\xff\xd8\xff\xe0" + b"0" * 100))
