from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "routearbeid.portal"
    label = "portal"
    verbose_name = "Meldpagina jongere"

    def ready(self) -> None:
        from .language import register_language_info

        register_language_info()
