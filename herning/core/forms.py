"""Forms render with Det Fælles Designsystem's markup everywhere, without per-form work."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting
from django.template.defaultfilters import join
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from herning.core.markup import escaped, format_markup

SELECT_TEMPLATE = "django/forms/widgets/select.html"
INPUT_TEMPLATE = "django/forms/widgets/input.html"
# Django's widget templates that are only ``{% include "django/forms/widgets/input.html" %}`` and
# a line's end (tests/herning/test_input_markup.py holds each to it), and the textarea's.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox", "color", "date", "datetime", "email", "file", "hidden",
        "number", "password", "search", "tel", "text", "time", "url",
    )
)  # fmt: skip
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
FIELD_TEMPLATE = "forms/field.html"


class DesignSystemFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        # A select is written out in Python: the case list's advisor filter has hundreds of options
        # in a large municipality, and even with the options inline in the template
        # (templates/django/forms/widgets/select.html, kept as the reference) its lookups per
        # option took a fifth of the page's CPU (benchmarks/RESULTS.md). The markup is the
        # template's, character for character.
        if template_name == SELECT_TEMPLATE:
            return select_markup(context["widget"])
        # So are an input and a textarea: the case page's journal form and every form page draw
        # several, each through two templates (the widget's and its attributes'), about 0.1 ms
        # apiece. The markup is Django's templates', character for character.
        if template_name == INPUT_TEMPLATE:
            return input_markup(context["widget"])
        if template_name in INPUT_TEMPLATES:
            return input_markup(context["widget"]) + "\n"
        if template_name == TEXTAREA_TEMPLATE:
            return textarea_markup(context["widget"])
        # And a field's group (its label, hint, error and widget): some twelve lookups of the field
        # in the template, 0.4-0.5 ms a field, so the case list's filter of seven fields took a
        # quarter of its CPU. The markup is templates/forms/field.html's, character for character
        # (tests/herning/test_field_markup.py); that template stays as the reference.
        if template_name == FIELD_TEMPLATE and set(context) == {"field"}:
            return field_markup(context["field"])
        return super().render(template_name, context, request=request)


def _attrs(attrs) -> str:
    """Django's attrs.html: `` name="value"`` for each attribute, the name alone for True, none
    for False."""
    return "".join(
        format_markup(" {}", name) if value is True else format_markup(' {}="{}"', name, str(value))
        for name, value in attrs.items()
        if value is not False
    )


def input_markup(widget: dict) -> SafeString:
    """Django's input.html: ``<input type="…" name="…" value="…" …>`` and a line's end, the value
    left out when None."""
    value = widget["value"]
    return format_markup(
        '<input type="{}" name="{}"{}{}>\n',
        widget["type"],
        widget["name"],
        format_markup(' value="{}"', value if hasattr(value, "__html__") else str(value))
        if value is not None
        else "",
        mark_safe(_attrs(widget["attrs"])),  # noqa: S308 - escaped by format_markup in _attrs
    )


def textarea_markup(widget: dict) -> SafeString:
    """Django's textarea.html: the value on the line after the opening tag, nothing when empty."""
    value = widget["value"]
    return format_markup(
        '<textarea name="{}"{}>\n{}</textarea>\n',
        widget["name"],
        mark_safe(_attrs(widget["attrs"])),  # noqa: S308 - escaped by format_markup in _attrs
        value if value else "",
    )


def select_markup(widget: dict) -> SafeString:
    """A ``<select>`` with its options (and option groups) from a Select widget's context; Django's
    empty choice "---------" is written as "Vælg …"."""
    choose = gettext("Vælg …")
    parts = [format_markup('<select name="{}"{}>', widget["name"], mark_safe(_attrs(widget["attrs"])))]  # noqa: S308 - escaped by format_markup in _attrs
    plain = widget.get("plain_options")
    if plain is not None:
        # ``PlainSelect``'s options: (value, label, selected), the same markup as a dict's below.
        parts.extend(
            f'\n  <option value="{escaped(value)}"{" selected" if selected else ""}>'
            f"{escaped(choose if str(label) == '---------' else label)}</option>"
            for value, label, selected in plain
        )
        parts.append("\n</select>\n")
        return mark_safe("".join(parts))  # noqa: S308 - every value escaped, the rest constant
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_markup('\n  <optgroup label="{}">', group_name))
        # One f-string per option, each value escaped as ``format_markup`` escapes it: an advisor
        # filter's hundreds of options cost 5 µs each through ``format_markup`` and its ``map``.
        for option in group_choices:
            label = option["label"]
            attrs = option["attrs"]
            parts.append(
                f'\n  <option value="{escaped(str(option["value"]))}"{_attrs(attrs) if attrs else ""}>'
                f"{escaped(choose if str(label) == '---------' else label)}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return mark_safe("".join(parts))  # noqa: S308 - each part built by format_markup, escaped or constant


class Pairs(BaseChoiceIterator):
    """Choices that are plain (value, label) pairs already, set on a field as they are. Django
    normalizes a list of choices twice when a field's choices are set (the field's setter and its
    widget's), a call per choice and per label: for the case list's hundreds of advisors 1 ms a
    request. An iterator of choices it takes as it is, as it takes its own lazy ones."""

    def __init__(self, pairs):
        self.pairs = list(pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


class PlainSelect(forms.Select):
    """A select of plain options (a value and a label each: no groups, no attributes per option),
    written by ``select_markup`` straight from its choices. Django's ``optgroups`` builds a dict
    of eight keys and the widget's attributes for every option: for the case list's hundreds of
    advisors that was 0.7 ms a request, against about 0.1 ms for the triples. The markup is the
    same, character for character (tests/herning/test_input_markup.py); choices with groups take
    Django's path."""

    def get_context(self, name, value, attrs):
        choices = list(self.choices)  # once: a model choice field's choices are a query
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().get_context(name, value, attrs)
        # Django's Widget.get_context (the name, the value as a list of text, the attributes), then
        # what ChoiceWidget and Select add to it, without the options' dicts.
        context = forms.Widget.get_context(self, name, value, attrs)
        widget = context["widget"]
        widget["optgroups"] = []
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        # As Django's optgroups: None as "", and in a single select only the first option of the
        # chosen value marked selected.
        chosen = set(widget["value"])
        options = []
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            selected = text in chosen
            if selected and not self.allow_multiple_selected:
                chosen = set()
            options.append((text, label, selected))
        widget["plain_options"] = options
        return context


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def widget_markup(field: forms.BoundField) -> SafeString:
    """A field's widget with the design system's class and the ids of its hint and error, so a
    screen reader reads them with the field (WCAG 2.1 AA, 3.3.1 and 1.3.1)."""
    widget = field.field.widget
    css = widget_css_class(widget)
    existing = widget.attrs.get("class", "")
    attrs = {"class": f"{css} {existing}".strip()}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described and not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


def field_markup(field: forms.BoundField) -> SafeString:
    """templates/forms/field.html: a hidden field's widget alone; a checkbox with its label after
    it; a group of options (``use_fieldset``) in a fieldset with its legend; any other field in a
    group with its label, "(frivilligt)" when it may be left out, its hint and its error."""
    if field.is_hidden:
        return mark_safe(escaped(field) + "\n")  # noqa: S308 - the widget's markup
    errors = field.errors
    auto_id = escaped(field.auto_id)
    label = escaped(field.label)
    widget = widget_markup(field)
    group = ' class="form-group form-error"' if errors else ' class="form-group"'
    hint = (
        f'<span class="form-hint" id="{auto_id}-hint">{escaped(field.help_text)}</span>'
        if field.help_text
        else ""
    )
    error = (
        f'<span class="form-error-message" id="{auto_id}-error"><span class="sr-only">Fejl: </span>'
        f"{join(errors, ' ', autoescape=True)}</span>"
        if errors
        else ""
    )
    if isinstance(field.field.widget, forms.CheckboxInput):
        markup = (
            f'<div{group}>\n  {error}\n  <div class="form-group-checkbox">\n    {widget}\n'
            f'    <label class="form-label" for="{auto_id}">{label}</label>\n    {hint}\n  </div>\n</div>\n'
        )
        return mark_safe(markup)  # noqa: S308 - every value escaped, the rest constant
    optional = (
        f'<span class="weight-normal"> ({escaped(gettext("frivilligt"))})</span>'
        if not field.field.required and not getattr(field.field, "conditional", False)
        else ""
    )
    if field.use_fieldset:
        described = ""
        if field.help_text or errors:
            described = (
                f' aria-describedby="{f"{auto_id}-hint " if field.help_text else ""}'
                f'{f"{auto_id}-error" if errors else ""}"'
            )
        markup = (
            f"<fieldset{group}{described}>\n"
            f'  <legend class="form-label">{label}{optional}</legend>\n'
            f"  {hint}\n  {error}\n  {widget}\n</fieldset>\n"
        )
    else:
        markup = (
            f"<div{group}>\n"
            f'  <label class="form-label" for="{auto_id}">{label}{optional}</label>\n'
            f"  {hint}\n  {error}\n  {widget}\n</div>\n"
        )
    return mark_safe(markup)  # noqa: S308 - every value escaped, the rest constant


def widget_css_class(widget: forms.Widget) -> str:
    # CheckboxSelectMultiple subclasses RadioSelect in Django: test it first.
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
        return "form-checkbox"
    if isinstance(widget, forms.RadioSelect):
        return "form-radio"
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "form-file-input"
    return "form-input"


def add_service_errors(
    form: forms.Form, error: ValidationError, *, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it
    (``field_map`` renames a model field to the form's), otherwise at the top of the form. The
    services check the rules; the page says in Danish what is wrong and keeps what was typed."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = field_map.get(name, name)
            form.add_error(target if target in form.fields and target != NON_FIELD_ERRORS else None, errors)
    else:
        form.add_error(None, error)
