from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "routearbeid.aftercare"
    label = "aftercare"
    verbose_name = "Nazorg"
