"""The target the team overview reads institution placements against (rules are data)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class StepDownTarget(models.Model):
    """How soon children placed in an institution should be in a less intrusive measure.

    Hvidovre's strategy (2014, "Lige muligheder"): "At 80 % af alle institutionsanbragte børn og unge
    inden for en periode på 8 mdr. er i et mindre indgribende tilbud." It ships as the shared default
    (no municipality); a municipality with a target of its own uses that instead.
    """

    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kommune"),
        help_text=_("Tom: det fælles standardmål for kommuner, der ikke har sat deres eget."),
    )
    name = models.CharField(_("navn"), max_length=120)
    share = models.DecimalField(
        _("andel i %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    months = models.PositiveSmallIntegerField(
        _("inden for måneder"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    source = models.CharField(_("kilde"), max_length=250, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mål for institutionsanbringelser")
        verbose_name_plural = _("mål for institutionsanbringelser")
        ordering = [F("municipality").asc(nulls_first=True), "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(municipality__isnull=False),
                name="step_down_target_one_per_municipality",
                violation_error_message=_("Kommunen har allerede et mål for institutionsanbringelser."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(municipality__isnull=True),
                name="step_down_target_shared_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return _("%(name)s: %(share)s %% inden for %(months)s måneder") % {
            "name": self.name,
            "share": f"{self.share:g}",
            "months": self.months,
        }


# Hvidovre Kommune (2014), "Lige muligheder": the default, loaded by a migration.
DEFAULT_TARGET = {
    "name": "Hvidovre 2014",
    "share": Decimal(80),
    "months": 8,
    "source": (
        "Hvidovre Kommune 2014, »Lige muligheder«: 80 % af alle institutionsanbragte børn og unge er "
        "inden for 8 måneder i et mindre indgribende tilbud"
    ),
}


def target_for(municipality_id: int | None) -> StepDownTarget | None:
    """The municipality's own target, else the shared default."""
    return (
        StepDownTarget.objects.filter(models.Q(municipality_id=municipality_id) | models.Q(municipality=None))
        .order_by(F("municipality").asc(nulls_last=True))
        .first()
    )
