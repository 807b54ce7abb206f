from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "routearbeid.employment"
    label = "employment"
    verbose_name = "Werk"
