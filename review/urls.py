from django.urls import path

from review import views

app_name = "review"
urlpatterns = [
    path("progress/", views.progress_board, name="progress"),
    path("certificate/<int:assessment_id>/", views.certificate, name="certificate"),
    path("<str:commune>/<int:year>/", views.worksheet, name="worksheet"),
    path("<str:commune>/<int:year>/lists/", views.recognition_lists, name="lists"),
]
