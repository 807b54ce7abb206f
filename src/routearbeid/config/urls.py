from django.contrib import admin
from django.urls import path

from routearbeid.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    path("beheer/", admin.site.urls),
]
