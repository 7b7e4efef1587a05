from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a periodic task ran through the scheduler and a worker.

    The health page compares it with the configured interval to tell whether the background
    machinery is alive: a silent scheduler means no reminders, which must not go unnoticed.
    """

    name = models.CharField(_("navn"), max_length=100, unique=True)
    last_seen = models.DateTimeField(_("sidst set"))
    runs = models.PositiveBigIntegerField(_("kørsler"), default=0)

    class Meta:
        verbose_name = _("livstegn")
        verbose_name_plural = _("livstegn")

    def __str__(self) -> str:
        return f"{self.name} {self.last_seen:%Y-%m-%d %H:%M:%S}"
