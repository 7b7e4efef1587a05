"""Forms render with Det Fælles Designsystem's markup everywhere, without per-form work."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting


class DesignSystemFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


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
