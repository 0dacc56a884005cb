from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

urlpatterns = [
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.svg")), name="favicon"),
    path("admin/", admin.site.urls),
    path("review/", include("households.urls")),
    path("import/", include("households.importing.urls")),
    path("programs/", include("programs.urls")),
    path("api/v1/", include("poverty_tracker.api.urls")),
    path("", include("reports.urls")),
]
