from django.urls import path

from reports import job_views, posting_lists, views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/annual-package/", views.annual_package, name="annual-package"),
    path("reports/jobs/reclassify/", job_views.reclassify, name="reclassify"),
    path("reports/jobs/<str:token>/", job_views.job, name="job"),
    path("reports/jobs/<str:token>/status.json", job_views.status, name="job-status"),
    path("reports/jobs/<str:token>/download/", job_views.download, name="job-download"),
    path("reports/posting/<str:commune>/<int:year>/", posting_lists.posting_list_xlsx, name="posting-xlsx"),
    path("reports/<slug:slug>/", views.report_page, name="report"),
]
