"""The site menu's "Báo cáo" list: every report, keeping the year and area the user is looking at."""
from urllib.parse import urlencode

from django.urls import reverse

from reports.registry import REPORTS


def report_menu(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    query = {key: request.GET[key] for key in ("year", "area") if request.GET.get(key)}
    suffix = f"?{urlencode(query)}" if query else ""
    return {"report_menu": [(report.sheet, reverse("reports:report", args=[report.slug]) + suffix)
                            for report in REPORTS.values()]}
