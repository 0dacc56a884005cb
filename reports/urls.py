from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/annual-package/", views.annual_package, name="annual-package"),
    path("reports/<slug:slug>/", views.report_page, name="report"),
]
