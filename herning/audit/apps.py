from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The access log: every read of a child's data, with who, when, through which channel and
    for what purpose, so a citizen can be told who looked and why (databeskyttelsesforordningen art. 15; docs/access.md); the audit
    events of the procedures that delete (the log's purge, erasure after the retention period)."""

    name = "herning.audit"
    label = "audit"
    verbose_name = "Adgangslog"

    def ready(self) -> None:
        from herning.core.privacy import connect_deletion_guard

        connect_deletion_guard()
