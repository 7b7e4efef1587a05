from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    """One read of a child's data. Writes are in the history tables already.

    The child is referenced by id, never by CPR; the entry outlives nothing it points to because
    children are never hard-deleted from the pages or the API.
    """

    class Channel(models.TextChoices):
        PAGE = "page", _("Side")
        API = "api", _("API")
        EXPORT = "export", _("Udtræk")
        SEARCH = "search", _("Søgning")
        PRINT = "print", _("Udskrift")
        EMAIL = "email", _("E-mail")

    at = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_log",
        verbose_name=_("medarbejder"),
    )
    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    child = models.ForeignKey(
        "cases.Child", on_delete=models.PROTECT, related_name="access_log", verbose_name=_("barn")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sag")
    )
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("formål"), max_length=200)
    what = models.CharField(
        _("hvad"), max_length=200, blank=True, help_text=_("Den side eller ressource, der blev læst.")
    )

    class Meta:
        verbose_name = _("opslag")
        verbose_name_plural = _("adgangslog")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["child", "-at"], name="accesslog_child_idx"),
            models.Index(fields=["user", "-at"], name="accesslog_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} → {self.child_id} ({self.channel})"
