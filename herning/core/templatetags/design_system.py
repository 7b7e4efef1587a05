from django import forms, template

from herning.core.forms import widget_css_class

register = template.Library()


@register.filter
def ds_widget(field: forms.BoundField):
    """Render a field's widget with the design system's class and the ids of its hint and error,
    so a screen reader reads them with the field (WCAG 2.1 AA, 3.3.1 and 1.3.1)."""
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


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)
