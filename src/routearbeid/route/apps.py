from django.apps import AppConfig


class RouteConfig(AppConfig):
    name = "routearbeid.route"
    label = "route"
    verbose_name = "Route Arbeid"
