from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Tekigo portal"

    def ready(self) -> None:
        from portal import signals  # noqa: F401  (audits every account and membership change)
        from portal.api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
