from django.contrib import admin
from django.urls import include, path

from routearbeid.aftercare import views as aftercare_views
from routearbeid.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    path("werkvoorraad/", aftercare_views.worklist, name="worklist"),
    path("jongeren/", include("routearbeid.students.urls")),
    path("jongeren/", include("routearbeid.route.urls")),
    path("uitstroomtafels/", include("routearbeid.meetings.urls")),
    path("werkgevers/", include("routearbeid.employment.urls")),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
]
