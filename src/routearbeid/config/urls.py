from django.contrib import admin
from django.urls import include, path

from routearbeid.accounts import views as accounts_views
from routearbeid.aftercare import views as aftercare_views
from routearbeid.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", accounts_views.LoginView.as_view(), name="login"),
    path("uitloggen/", accounts_views.LogoutView.as_view(), name="logout"),
    path("", include("routearbeid.accounts.urls")),
    path("health/", views.health, name="health"),
    path("werkvoorraad/", aftercare_views.worklist, name="worklist"),
    path(
        "werkvoorraad/nazorgcontact/<int:check_id>/",
        aftercare_views.worklist_checkin,
        name="worklist_checkin",
    ),
    path("monitoring/", aftercare_views.monitoring, name="monitoring"),
    path("monitoring/export.csv", aftercare_views.monitoring_export, name="monitoring_export"),
    path("jongeren/", include("routearbeid.students.urls")),
    path("jongeren/", include("routearbeid.route.urls")),
    path("uitstroomtafels/", include("routearbeid.meetings.urls")),
    path("werkgevers/", include("routearbeid.employment.urls")),
    path("privacy/", include("routearbeid.privacy.urls")),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("", include("routearbeid.notifications.urls")),
    path("melden/", include("routearbeid.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin logs in through our login (password and code), not its own form.
    path("beheer/login/", accounts_views.admin_login, name="admin_login"),
    path("beheer/", admin.site.urls),
]
