from django.urls import path

from importing import views

app_name = "importing"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.xlsx", views.template, name="template"),
    path("<str:token>/", views.job, name="job"),
    path("<str:token>/status.json", views.status, name="status"),
    path("<str:token>/commit/", views.commit, name="commit"),
    path("<str:token>/cancel/", views.cancel, name="cancel"),
    path("<str:token>/errors.xlsx", views.error_file, name="errors"),
]
