from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.search, name="search"),
    path("jongeren/<int:student_id>/", views.subject_log, name="subject_log"),
    path("jongeren/<int:student_id>/inzage.json", views.inzage_json, name="inzage_json"),
    path("jongeren/<int:student_id>/inzage.pdf", views.inzage_pdf, name="inzage_pdf"),
    path("verwerkingen/", views.activities, name="activities"),
]
