"""What the letter tests share: a small logo, the municipality's letterhead set, and the words of
each page as WeasyPrint laid it out (``herning.core.letters``)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png(size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(out, "PNG")
    return out.getvalue()


def set_letterhead(municipality, *, address: str = "Torvet 5\n7400 Herning"):
    """The municipality's address and logo, as its system administrator sets them."""
    municipality.address = address
    municipality.logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    municipality.full_clean()
    municipality.save()
    return municipality


def page_texts(document) -> list[str]:
    """The words of each laid-out page, the margin boxes (the page numbers) included."""
    from weasyprint.formatting_structure import boxes

    def words(box):
        if isinstance(box, boxes.TextBox):
            yield box.text
        for child in getattr(box, "children", ()):
            yield from words(child)

    return [" ".join(words(page._page_box)) for page in document.pages]
