from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "routearbeid.notifications"
    label = "notifications"
    verbose_name = "Meldingen"
