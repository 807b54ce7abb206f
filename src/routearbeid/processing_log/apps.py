from django.apps import AppConfig


class ProcessingLogConfig(AppConfig):
    name = "routearbeid.processing_log"
    label = "processing_log"
    verbose_name = "Verwerkingslog"
