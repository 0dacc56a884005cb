from django.urls import path

from review import printouts, regular_views, request_views, round_views, views

app_name = "review"
urlpatterns = [
    path("progress/", round_views.progress_board, name="progress"),
    path("certificate/<int:assessment_id>/", printouts.certificate, name="certificate"),
    path("<str:commune>/regular/", regular_views.regular_page, name="regular"),
    path("<str:commune>/regular/requests/<int:pk>/", request_views.request_page, name="request"),
    path("<str:commune>/regular/requests/<int:pk>/reply/", request_views.refusal_reply, name="request-reply"),
    path("<str:commune>/<int:year>/", views.worksheet, name="worksheet"),
    path("<str:commune>/<int:year>/lists/", round_views.recognition_lists, name="lists"),
    path("<str:commune>/<int:year>/posting/", printouts.posting_list, name="posting"),
]
