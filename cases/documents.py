"""The child's plan as a letter: the print page and the PDF on the municipality's letterhead
(``herning.core.letters``), dated with the plan's own date (the day this version was made), never
the day it was printed.

Like the plan's section on the child's page, the letter names the child and carries no CPR number:
a printed plan is handed to the family and the professionals working on its goals.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.models import Plan
from herning.core import letters


def plan_context(plan: Plan) -> dict:
    return {
        "plan": plan,
        "child_name": plan.case.child.full_name,
        "goals": list(plan.goals.all()),
    }


def letterhead(plan: Plan) -> dict:
    return letters.letterhead(plan.case.municipality, date_label=_("Planens dato:"), date=plan.made_on)


def render_document(plan: Plan):
    return letters.render_document(
        "cases/documents/plan_pdf.html", plan_context(plan), letter=letterhead(plan)
    )


def render_pdf(plan: Plan) -> bytes:
    return render_document(plan).write_pdf()


def pdf_filename(plan: Plan) -> str:
    """No name in a file name: downloads end up in folders and mail attachments."""
    return f"plan-{plan.made_on:%Y-%m-%d}-v{plan.version}-{plan.pk}.pdf"
