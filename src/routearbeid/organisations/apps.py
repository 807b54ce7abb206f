from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "routearbeid.organisations"
    label = "organisations"
    verbose_name = "Organisaties"
