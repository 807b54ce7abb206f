from django.apps import AppConfig


class StudentsConfig(AppConfig):
    name = "routearbeid.students"
    label = "students"
    verbose_name = "Jongeren"
