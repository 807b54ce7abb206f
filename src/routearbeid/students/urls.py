from django.urls import path

from . import views

app_name = "students"
urlpatterns = [
    path("", views.student_list, name="list"),
    path("export.<str:fmt>", views.student_export, name="export"),
    path("importeren/", views.student_import, name="import"),
    path("importeren/<int:import_id>/", views.student_import_detail, name="import_detail"),
    path(
        "importeren/<int:import_id>/kolommen/",
        views.student_import_mapping,
        name="import_mapping",
    ),
    path(
        "importeren/<int:import_id>/voortgang/",
        views.student_import_progress,
        name="import_progress",
    ),
    path(
        "importeren/<int:import_id>/bevestigen/",
        views.student_import_confirm,
        name="import_confirm",
    ),
    path(
        "importeren/<int:import_id>/annuleren/",
        views.student_import_cancel,
        name="import_cancel",
    ),
]
