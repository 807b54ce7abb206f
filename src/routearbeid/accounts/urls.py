from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("inloggen/code/", views.two_factor, name="two_factor"),
    path("inloggen/app-instellen/", views.two_factor_setup, name="two_factor_setup"),
    path("inloggen/herstelcodes/", views.recovery_codes, name="recovery_codes"),
    path("account/", views.account, name="account"),
    path("account/wachtwoord/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/herstelcodes/",
        views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path("account/overal-uitloggen/", views.logout_everywhere, name="logout_everywhere"),
]
