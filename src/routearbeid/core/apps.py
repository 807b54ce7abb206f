from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "routearbeid.core"
    label = "core"
