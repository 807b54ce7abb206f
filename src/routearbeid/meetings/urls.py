from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("plannen/", views.meeting_plan, name="plan"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/agenda/", views.meeting_agenda_print, name="agenda"),
    path("<int:meeting_id>/verslag/", views.meeting_minutes_print, name="minutes"),
    path("<int:meeting_id>/deelnemers/", views.participant_add, name="participant_add"),
    path("<int:meeting_id>/gehouden/", views.meeting_hold, name="hold"),
    path("<int:meeting_id>/notulen/", views.minutes_save, name="minutes_save"),
    path("<int:meeting_id>/punten/<int:item_id>/advies/", views.advice_record, name="advice"),
    path("<int:meeting_id>/punten/<int:item_id>/besluit/", views.decision_record, name="decision"),
    path("<int:meeting_id>/punten/<int:item_id>/acties/", views.action_add, name="action_add"),
    path("<int:meeting_id>/acties/<int:action_id>/gedaan/", views.action_done, name="action_done"),
]
