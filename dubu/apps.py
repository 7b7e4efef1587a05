from django.apps import AppConfig


class DubuConfig(AppConfig):
    """The file exchange with DUBU, the national case system, which has no public write API
    (docs/dubu-exchange.md): a documented, configurable column mapping, imports and exports."""

    name = "dubu"
    verbose_name = "DUBU-udveksling"

    def ready(self) -> None:
        from dubu import permissions

        permissions.register_rules()
