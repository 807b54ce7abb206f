from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("<str:token>/", views.portal_page, name="page"),
    path("<str:token>/bedankt/", views.portal_thanks, name="thanks"),
]
