from django.urls import path

from . import views

app_name = "employment"
urlpatterns = [
    path("", views.employer_list, name="list"),
    path("<int:employer_id>/", views.employer_detail, name="detail"),
]
