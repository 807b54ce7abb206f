from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "routearbeid.privacy"
    label = "privacy"
    verbose_name = "Privacy"
