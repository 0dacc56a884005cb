"""Admin of the provinces' review calendars: an administrator, or the province officer for their own province,
records the dates the province's plan gives its communes for a review year (review.calendar reads them)."""
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import Role, role_of
from areas.scoping import can_see_area
from core.admin import ScopedHistoryAdmin, VersionedAdminMixin, versioned_form_for
from review.calendar import DECISION_24_BASIS
from review.models import ReviewCalendar

RECORDED_BY = {Role.ADMIN, Role.PROVINCE_OFFICER}
NOT_YOURS = "Chỉ quản trị viên hoặc cán bộ cấp tỉnh của tỉnh này ghi lịch rà soát của tỉnh."


def calendar_save(acting_user, calendar: ReviewCalendar) -> ReviewCalendar:
    """Save a province's calendar with its audit row; the scope is checked inside the transaction."""
    with transaction.atomic():
        if role_of(acting_user) not in RECORDED_BY or not can_see_area(acting_user, calendar.province_id):
            raise PermissionDenied(NOT_YOURS)
        calendar.full_clean()
        calendar._history_user = acting_user
        calendar.save()
    return calendar


@admin.register(ReviewCalendar)
class ReviewCalendarAdmin(VersionedAdminMixin, ScopedHistoryAdmin):
    form = versioned_form_for(ReviewCalendar, fields=["province", "year", "survey_starts", "meetings_by",
                                                       "preliminary_by", "official_by", "window_closes", "basis"])
    list_display = ("year", "province", "survey_starts", "meetings_by", "preliminary_by", "official_by",
                    "window_closes")
    list_filter = ("year",)
    fields = ("province", "year", "survey_starts", "meetings_by", "preliminary_by", "official_by", "window_closes",
              "basis", "loaded_version")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "basis" in form.base_fields:  # without a row, the communes work to Decision 24's dates: say so
            form.base_fields["basis"].help_text = (f"Tỉnh chưa ghi lịch của năm nào thì các xã dùng ngày {DECISION_24_BASIS}"
                                                   " (cấu hình REVIEW_*).")
        return form

    def has_add_permission(self, request):
        return role_of(request.user) in RECORDED_BY and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        allowed = role_of(request.user) in RECORDED_BY and super().has_change_permission(request, obj)
        return allowed and (obj is None or can_see_area(request.user, obj.province_id))

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        calendar_save(request.user, obj)
