from django.urls import path

from programs import views

app_name = "programs"
urlpatterns = [
    path("commendations/<str:commune>/<int:year>/", views.ceremony_list, name="ceremony"),
]
