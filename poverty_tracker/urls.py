from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path, re_path

# Admin pages of the models that left `households` when it split into domain apps (2026): old bookmarks
# and links in e-mails land on the same page under its new app.
MOVED_ADMIN = {
    "administrativeunit": "areas", "officerscope": "areas", "officer": "accounts",
    "povertystandard": "review", "standardline": "review", "indicator": "review", "povertyreason": "review",
    "reviewround": "review", "assessment": "review",
}


def moved_admin_page(request, model, rest):
    target = f"/admin/{MOVED_ADMIN[model]}/{model}/{rest}"
    query = request.META.get("QUERY_STRING")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


urlpatterns = [
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.svg")), name="favicon"),
    re_path(rf"^admin/households/(?P<model>{'|'.join(MOVED_ADMIN)})/(?P<rest>.*)$", moved_admin_page,
            name="moved-admin"),
    path("admin/", admin.site.urls),
    path("review/", include("review.urls")),
    path("import/", include("importing.urls")),
    path("programs/", include("programs.urls")),
    path("api/v1/", include("poverty_tracker.api.urls")),
    path("", include("reports.urls")),
]

# Error pages in Vietnamese (templates/400.html …), with the message our views gave the exception.
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
