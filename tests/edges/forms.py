"""Reading the forms of a rendered page, the way a browser would submit them."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # input type, "select" or "textarea"
    required: bool = False
    maxlength: int | None = None
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form(action=a.get("action") or "", method=(a.get("method") or "get").lower()))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button"}:
                form.buttons.append((name, a.get("value", "")))
                return
            existing = form.fields.get(name)
            if kind == "radio" and existing:
                existing.options.append(a.get("value", ""))
                existing.checked = existing.checked or "checked" in a
                return
            form.fields[name] = Field(
                name=name,
                kind=kind,
                required="required" in a,
                maxlength=int(a["maxlength"]) if a.get("maxlength") else None,
                value=a.get("value", ""),
                options=[a.get("value", "")] if kind == "radio" else [],
                checked="checked" in a,
            )
        elif tag == "button" and name:
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = form.fields[name] = Field(name=name, kind="select", required="required" in a)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = form.fields[name] = Field(
                name=name,
                kind="textarea",
                required="required" in a,
                maxlength=int(a["maxlength"]) if a.get("maxlength") else None,
            )

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def form_posting_to(html: str, path: str, page_path: str) -> Form:
    """The page's POST form whose action is ``path`` (an empty action posts to the page itself)."""
    for form in forms_of(html):
        action = form.action.split("?")[0] or page_path.split("?")[0]
        if form.method == "post" and action == path.split("?")[0]:
            return form
    raise AssertionError(f"no POST form to {path} on {page_path}")


def filled(form: Form, today: str) -> dict[str, str]:
    """What a person filling in every field sensibly would send (the form's own values first)."""
    data: dict[str, str] = {}
    for f in form.fields.values():
        if f.kind == "checkbox":
            if f.checked:
                data[f.name] = f.value or "on"
        elif f.kind == "radio":
            data[f.name] = f.value if f.checked else f.options[0]
        elif f.kind == "select":
            data[f.name] = f.value or next((o for o in f.options if o), "")
        elif f.value.strip():
            data[f.name] = f.value.strip()
        elif f.kind == "date":
            data[f.name] = today
        elif f.kind == "time":
            data[f.name] = "10:00"
        elif f.kind == "email":
            data[f.name] = "person@example.org"
        elif f.kind == "number":
            data[f.name] = "3"
        elif f.kind in {"text", "textarea"}:
            # Short fields are codes and numbers (postal code, phone): digits fit them.
            data[f.name] = "7400" if f.maxlength and f.maxlength < 10 else "Tekst"
    return data
