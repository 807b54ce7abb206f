from django.urls import path

from . import handover_document, views

app_name = "route"
urlpatterns = [
    path("<int:student_id>/", views.student_detail, name="student"),
    path("<int:student_id>/openen/", views.case_open_view, name="open"),
    path("<int:student_id>/actie/<slug:name>/", views.case_action, name="action"),
    path(
        "<int:student_id>/overdrachtsdocument.pdf",
        handover_document.handover_pdf,
        name="handover_pdf",
    ),
]
