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


class ConfigStamp(models.Model):
    """A value that changes with every write to a group of configuration tables (``herning.core.stamps``).

    Written only by the database's own triggers, in the writing transaction, so a process can keep
    configuration in memory and know, with one indexed read, whether it is still what is stored.
    """

    name = models.CharField(_("navn"), max_length=40, primary_key=True)
    stamp = models.CharField(_("stempel"), max_length=32)
    # When the tables last changed, by the database's clock (empty: not since the stamp was made).
    changed_at = models.DateTimeField(_("ændret"), null=True, blank=True)

    class Meta:
        verbose_name = _("konfigurationsstempel")
        verbose_name_plural = _("konfigurationsstempler")

    def __str__(self) -> str:
        return f"{self.name} {self.stamp}"
