"""Admin of the poverty standards (reference data, read only but for the re-classification of their years)."""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.template.response import TemplateResponse

from core.admin import ReadOnlyAdminMixin, ScopedHistoryAdmin
from core.workers import uses_workers
from review.locks import held_back_notice
from review.models import Indicator, PovertyReason, PovertyStandard, StandardLine
from review.movements import year_reclassify


class StandardLineInline(admin.TabularInline):
    model = StandardLine
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(PovertyStandard)
class PovertyStandardAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    list_display = ("code", "name", "legal_basis", "first_year", "last_year")
    inlines = [StandardLineInline, IndicatorInline]
    actions = ["reclassify_years"]

    @admin.action(description="Phân loại lại mọi kết quả rà soát của các năm chuẩn này áp dụng (sau khi sửa chuẩn)")
    def reclassify_years(self, request, queryset):
        if uses_workers():
            # With workers, a page to confirm the years, posting them to one re-classification job (a year of
            # a province is seconds of work: not in the admin's request).
            years = sorted({year for standard in queryset for year in _assessed_years(standard)})
            return TemplateResponse(request, "admin/review/povertystandard/reclassify.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta, "title": "Phân loại lại",
                "years": years, "standards": [standard.code for standard in queryset]})
        for standard in queryset:
            for year in _assessed_years(standard):
                try:
                    result = year_reclassify(acting_user=request.user, year=year)
                except ValidationError as error:
                    messages.error(request, "; ".join(error.messages))
                    return
                messages.success(request, f"Năm {year}: {result.changed} hộ đổi phân loại.")
                if result.held_back:
                    messages.warning(request, f"Năm {year}: {held_back_notice(result.held_back, reclassify=True)}")


def _assessed_years(standard):
    span = standard.assessments.aggregate(first=Min("year"), last=Max("year"))
    return range(span["first"], span["last"] + 1) if span["first"] is not None else range(0)


@admin.register(PovertyReason)
class PovertyReasonAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "position")
