"""Printed letters (an invitation, the minutes of a meeting, the child's plan): the municipality's
letterhead, the page numbers, and the HTML laid out as PDF by WeasyPrint.

Here, below the apps, so that each app prints its own documents on the same letterhead; the app
says which municipality writes and which date the letter carries (a meeting's own day, a plan's
own date), never the day it was printed.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

STYLESHEET = "css/letter.css"

# WeasyPrint reports every step of every PDF at INFO; only its warnings belong in the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def letterhead(municipality, *, date_label: str, date: datetime.date) -> dict:
    """What a printed letter carries besides its text: the municipality's name, address and logo
    (set on the municipality), and the letter's own date with its label ("Mødedato:")."""
    logo = ""
    if municipality.logo:
        # Embedded, so the PDF needs no file path or web address to find it.
        with municipality.logo.open("rb") as f:
            kind = "png" if municipality.logo.name.lower().endswith(".png") else "jpeg"
            logo = f"data:image/{kind};base64,{base64.b64encode(f.read()).decode()}"
    return {
        "municipality": municipality,
        "address_lines": [line for line in municipality.address.splitlines() if line.strip()],
        "logo": logo,
        "date_label": date_label,
        "date": date,
    }


def page_css():
    """The page numbers in each page's foot ("Side 1 af 2"), in the active language: CSS cannot
    be translated, so the words are put in here."""
    from weasyprint import CSS

    words = _("Side %(n)s af %(total)s") % {"n": "\x00", "total": "\x01"}
    before, middle, after = (json.dumps(part) for part in re.split("[\x00\x01]", words))
    return CSS(
        string=f"@page {{ @bottom-right {{ content: {before} counter(page) {middle} counter(pages) {after}; "
        "font-size: 9pt; color: #5c5c5c; } }"
    )


def render_document(template_name: str, context: dict, *, letter: dict):
    """The laid-out document (WeasyPrint's) of ``template_name``, which includes
    ``letters/_letterhead.html``, on the letterhead ``letter`` with page numbers."""
    from weasyprint import CSS, HTML

    html = render_to_string(template_name, {**context, "letter": letter})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[CSS(filename=finders.find(STYLESHEET)), page_css()]
    )


def render_pdf(template_name: str, context: dict, *, letter: dict) -> bytes:
    return render_document(template_name, context, letter=letter).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """The PDF shown in the browser (to print or save), never stored by a browser or a proxy: it
    holds a child's data."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response
