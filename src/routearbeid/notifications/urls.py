from django.urls import path, re_path

from . import views

app_name = "notifications"
urlpatterns = [
    path("instellingen/meldingen/", views.preferences, name="preferences"),
    path("instellingen/agenda/", views.calendar_settings, name="calendar"),
    re_path(r"^agenda/(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", views.calendar_feed, name="feed"),
]
