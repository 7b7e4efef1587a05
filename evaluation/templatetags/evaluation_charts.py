"""``{% svg_chart chart chart_id %}``: a chart written out by ``evaluation.svg``."""

from __future__ import annotations

from django import template

from evaluation import svg

register = template.Library()


@register.simple_tag
def svg_chart(chart, chart_id):
    return svg.chart_svg(chart, chart_id)
