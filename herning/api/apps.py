from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API's shared machinery: scoped tokens for integrations, authentication and
    permissions, the error format, pagination, optimistic locking (ETag / If-Match) and the
    OpenAPI schema. Each app's resources live in its own ``api.py``."""

    name = "herning.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from herning.api import feed, schema  # noqa: F401 - the schema extension, the feed's writer
