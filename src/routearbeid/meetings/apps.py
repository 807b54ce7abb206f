from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "routearbeid.meetings"
    label = "meetings"
    verbose_name = "Uitstroomtafels"
