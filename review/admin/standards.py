"""Admin of the poverty standards (reference data, read only but for the re-classification of their years)."""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.template.response import TemplateResponse

from core import jobs
from core.admin import ReadOnlyAdminMixin, ScopedHistoryAdmin
from review.models import Indicator, PovertyReason, PovertyStandard, StandardLine


class StandardLineInline(admin.TabularInline):
    model = StandardLine
    extra = 0


class IndicatorInline(admin.TabularInline):
    """Each indicator's wording and threshold; the mark "cần quản trị viên xác nhận" says which still need to be
    read against the decree (shown here only, never on a printed paper)."""
    model = Indicator
    extra = 0
    fields = ("position", "code", "dimension", "name", "threshold", "needs_confirmation")


@admin.register(PovertyStandard)
class PovertyStandardAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    list_display = ("code", "name", "legal_basis", "first_year", "last_year")
    fields = ("code", "name", "legal_basis", "certificate_basis", "first_year", "last_year", "note")
    inlines = [StandardLineInline, IndicatorInline]
    actions = ["reclassify_years"]

    @admin.action(description="Phân loại lại mọi kết quả rà soát của các năm chuẩn này áp dụng (sau khi sửa chuẩn)")
    def reclassify_years(self, request, queryset):
        years = sorted({year for standard in queryset for year in _assessed_years(standard)})
        if jobs.on_workers():
            # The job will run on a worker (a year of a province is seconds of work: not in the admin's request):
            # a page confirms the years and posts them to one re-classification job (reports/job_views.py).
            return TemplateResponse(request, "admin/review/povertystandard/reclassify.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta, "title": "Phân loại lại",
                "years": years, "standards": [standard.code for standard in queryset]})
        try:  # no worker: the job runs here, in the request, and says what it did at once
            launched = jobs.launch("reclassify", user=request.user, params={"years": years}, inline=True)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
            return
        for level, text in launched.outcome.result["lines"]:
            messages.add_message(request, messages.WARNING if level == "warning" else messages.SUCCESS, text)


def _assessed_years(standard):
    span = standard.assessments.aggregate(first=Min("year"), last=Max("year"))
    return range(span["first"], span["last"] + 1) if span["first"] is not None else range(0)


@admin.register(PovertyReason)
class PovertyReasonAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "position")
