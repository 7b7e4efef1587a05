from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The access log: every read of a child's data, with who, when, through which channel and
    for what purpose, so a citizen can be told who looked and why (law_dubu.md §6)."""

    name = "herning.audit"
    label = "audit"
    verbose_name = "Adgangslog"
