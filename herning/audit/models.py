from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from herning.core.querysets import GuardedQuerySet, is_active_staff
from herning.organisation.models import Role


class AccessLogQuerySet(GuardedQuerySet):
    def visible_to(self, user):
        """The data-protection role, own municipality only. Not the people on a case, nor
        management, nor the system administrator: the log tells which children have a case, and
        it is read only to answer a citizen or to check misuse (docs/access.md)."""
        if not is_active_staff(user) or not user.has_role(Role.DATA_PROTECTION):
            return self.none()
        return self.filter(municipality_id=user.municipality_id)


class AccessLog(models.Model):
    """One read of a child's data. Writes are in the history tables already.

    The child is referenced by id, never by CPR. Entries are append-only (no history table): they
    are deleted only by the nightly purge after the retention period and by erasure of the child
    (herning.audit.services), each of which writes an ``AuditEvent``. On PostgreSQL the database
    itself refuses any other UPDATE or DELETE (migration 0004, ``access_log_deletable``).
    """

    class Channel(models.TextChoices):
        PAGE = "page", _("Side")
        API = "api", _("API")
        EXPORT = "export", _("Udtræk")
        SEARCH = "search", _("Søgning")
        PRINT = "print", _("Udskrift")
        EMAIL = "email", _("E-mail")

    at = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)
    # The person's and the child's entries are found through the indexes of Meta (each leads with
    # the person or the child): a second index on either alone would only be kept up on every one
    # of the entries each page writes.
    #
    # No foreign-key constraints in the database (db_constraint=False). Every page that shows a
    # child writes its entries (the team overview some 100), and PostgreSQL checked each entry's
    # four keys at commit with a locking read of each parent row, the municipality's shared by every
    # look in it: 100 entries took 3.9 ms with the checks and 1.5 ms without; with four people
    # looking at once, 10 ms and 4 ms (benchmarks/RESULTS.md, 6 December 2026). The keys are the
    # ids the page has just read (``herning.audit.services.log_reads``), and Django's PROTECT still
    # refuses to delete a child, case, person or municipality that has entries: erasure and the
    # retention purge delete the entries first (``tests/herning/test_audit.py``).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_log",
        verbose_name=_("medarbejder"),
        db_index=False,
        db_constraint=False,
    )
    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kommune"),
        db_constraint=False,
    )
    child = models.ForeignKey(
        "cases.Child",
        on_delete=models.PROTECT,
        related_name="access_log",
        verbose_name=_("barn"),
        db_index=False,
        db_constraint=False,
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sag"),
        db_constraint=False,
    )
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("formål"), max_length=200)
    what = models.CharField(
        _("hvad"), max_length=200, blank=True, help_text=_("Den side eller ressource, der blev læst.")
    )

    objects = AccessLogQuerySet.as_manager()

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


class AuditEvent(models.Model):
    """Something done that must leave a trace: the access log's purge, the erasure of a child after
    the retention period, what a system administrator does to another person's access (a
    password set, a two-factor device reset, an API token issued, rotated or revoked), a request
    for access to a child one may not see, its refusal past the day's limit and its decision, and
    the national operator's appointment and every change they make to the shared configuration, an
    integration's webhooks made, changed, given a new secret or deleted: who
    (``actor``), whom (``subject``) and when. Holds no personal data about the child (ids and
    counts only), so it outlives what it describes. Append-only; never purged."""

    class Kind(models.TextChoices):
        ACCESS_LOG_PURGE = "access_log_purge", _("Adgangslog ryddet efter opbevaringsperioden")
        ERASURE = "erasure", _("Barn slettet efter opbevaringsperioden")
        PASSWORD_CHANGE = "password_change", _("Adgangskode ændret")
        DEVICE_RESET = "device_reset", _("To-faktor-enhed nulstillet")
        TOKEN_ISSUE = "token_issue", _("API-token udstedt")
        TOKEN_ROTATE = "token_rotate", _("API-token fornyet")
        TOKEN_REVOKE = "token_revoke", _("API-token spærret")
        ACCESS_REQUEST = "access_request", _("Anmodning om adgang til et barn")
        ACCESS_REQUEST_DECISION = "access_request_decision", _("Anmodning om adgang afgjort")
        ACCESS_REQUEST_LIMIT = "access_request_limit", _("For mange anmodninger om adgang")
        SHARED_CONFIGURATION_CHANGE = "shared_configuration_change", _("Fælles opsætning ændret")
        NATIONAL_OPERATOR_GRANT = "national_operator_grant", _("National driftsoperatør udpeget")
        NATIONAL_OPERATOR_REVOKE = "national_operator_revoke", _("National driftsoperatør frataget")
        WEBHOOK_CHANGE = "webhook_change", _("Webhook oprettet, ændret eller slettet")

    at = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)
    kind = models.CharField(_("hændelse"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("udført af"),
        help_text=_("Tom, når systemet selv gjorde det (den natlige oprydning)."),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("berørt medarbejder"),
        help_text=_("Den, hvis adgang hændelsen ændrede."),
    )
    # Whose event it is: a system administrator sees their own municipality's only. Empty for the
    # installation's own work (the nightly purge of the access log).
    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kommune"),
    )
    reason = models.TextField(_("begrundelse"))
    details = models.JSONField(_("detaljer"), default=dict, blank=True)

    class Meta:
        verbose_name = _("revisionshændelse")
        verbose_name_plural = _("revisionshændelser")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
