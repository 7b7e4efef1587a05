from django import forms, template

from herning.core.forms import widget_markup

register = template.Library()


@register.filter
def ds_widget(field: forms.BoundField):
    """Render a field's widget with the design system's class and the ids of its hint and error,
    so a screen reader reads them with the field (WCAG 2.1 AA, 3.3.1 and 1.3.1)."""
    return widget_markup(field)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)
