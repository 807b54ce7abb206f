from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from routearbeid.accounts import views as accounts_views
from routearbeid.aftercare import views as aftercare_views
from routearbeid.api import token_views as api_token_views
from routearbeid.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", accounts_views.LoginView.as_view(), name="login"),
    path("uitloggen/", accounts_views.LogoutView.as_view(), name="logout"),
    path("", include("routearbeid.accounts.urls")),
    path("health/", views.health, name="health"),
    path("werkvoorraad/", aftercare_views.worklist, name="worklist"),
    path("werkvoorraad/teller/", aftercare_views.worklist_badge, name="worklist_badge"),
    path(
        "werkvoorraad/nazorgcontact/<int:check_id>/",
        aftercare_views.worklist_checkin,
        name="worklist_checkin",
    ),
    path(
        "werkvoorraad/verzoek/<int:involvement_id>/",
        aftercare_views.worklist_involvement,
        name="worklist_involvement",
    ),
    path("werkvoorraad/export.<str:fmt>", aftercare_views.worklist_export, name="worklist_export"),
    path("monitoring/", aftercare_views.monitoring, name="monitoring"),
    # One name for both: reverse("monitoring_export") is the CSV, with fmt="xlsx" the Excel file.
    path("monitoring/export.csv", aftercare_views.monitoring_export, name="monitoring_export"),
    path(
        "monitoring/export.<str:fmt>", aftercare_views.monitoring_export, name="monitoring_export"
    ),
    path("jongeren/", include("routearbeid.students.urls")),
    path("jongeren/", include("routearbeid.route.urls")),
    path("uitstroomtafels/", include("routearbeid.meetings.urls")),
    path("werkgevers/", include("routearbeid.employment.urls")),
    path("privacy/", include("routearbeid.privacy.urls")),
    path("toegankelijkheid/", views.accessibility, name="accessibility"),
    path("", include("routearbeid.notifications.urls")),
    path("melden/", include("routearbeid.portal.urls")),
    path("api/v1/", include("routearbeid.api.urls")),
    path("account/api-tokens/", api_token_views.tokens, name="api_tokens"),
    path(
        "account/api-tokens/<int:token_id>/intrekken/",
        api_token_views.token_revoke,
        name="api_token_revoke",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin logs in through our login (password and code), not its own form.
    path("beheer/login/", accounts_views.admin_login, name="admin_login"),
    path("beheer/", admin.site.urls),
]

# The load benchmark's own pages (settings.bench only; see core/bench_views.py).
if getattr(settings, "ROUTEARBEID_BENCH_VIEWS", False):
    urlpatterns.append(path("bench/", include("routearbeid.core.bench_views")))

# Under /api/ the errors are problem+json (routearbeid.api.problems); elsewhere Django's pages.
handler404 = "routearbeid.api.problems.not_found"
handler500 = "routearbeid.api.problems.server_error"
