"""A province's calendar of one review year: the dates its plan gives its communes (survey, village meetings,
preliminary and official reports, the window's close). Without a row, the communes work to Decision 24/2021's
dates from the settings (review.calendar.commune_calendar reads both)."""
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit, Level
from areas.scoping import ScopedQuerySet
from core.versioning import VersionedModel

# The dates in the order the review runs them (Decision 24/2021/QĐ-TTg Art. 4): each on or after the one before.
DATE_FIELDS = ("survey_starts", "meetings_by", "preliminary_by", "official_by")


class ReviewCalendarQuerySet(ScopedQuerySet):
    scope_path = "province"  # a province officer sees their province's rows; an administrator every row


class ReviewCalendar(VersionedModel):
    province = models.ForeignKey(AdministrativeUnit, verbose_name="tỉnh", on_delete=models.PROTECT,
                                 related_name="review_calendars", limit_choices_to={"level": Level.PROVINCE})
    year = models.PositiveSmallIntegerField("năm rà soát")
    survey_starts = models.DateField("bắt đầu rà soát ở xã")
    meetings_by = models.DateField("họp thôn xong trước ngày")
    preliminary_by = models.DateField("báo cáo kết quả sơ bộ trước ngày")
    official_by = models.DateField("báo cáo kết quả chính thức trước ngày")
    window_closes = models.DateField("kết thúc rà soát định kỳ ở xã")
    basis = models.CharField("căn cứ (kế hoạch, quyết định của tỉnh)", max_length=300, blank=True)

    history = HistoricalRecords()
    objects = ReviewCalendarQuerySet.as_manager()

    class Meta:
        verbose_name = "lịch rà soát của tỉnh"
        verbose_name_plural = "lịch rà soát của tỉnh"
        ordering = ["-year", "province"]
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="review_calendar_one_per_year")]

    def __str__(self):
        return f"Lịch rà soát năm {self.year} — {self.province}"

    def clean(self):
        if self.province_id and self.province.level != Level.PROVINCE:
            raise ValidationError({"province": "Chọn một tỉnh."})
        days = [getattr(self, name) for name in DATE_FIELDS]
        if None in days or self.window_closes is None or not self.year:
            return
        if days != sorted(days):
            raise ValidationError("Các ngày phải theo thứ tự: bắt đầu rà soát, họp thôn, báo cáo sơ bộ, "
                                  "báo cáo chính thức.")
        if not days[0] < self.window_closes:
            raise ValidationError({"window_closes": "Ngày kết thúc phải sau ngày bắt đầu rà soát."})
        if any(day.year != self.year for day in (days[0], self.window_closes)):
            raise ValidationError({"survey_starts": f"Rà soát của năm {self.year} bắt đầu và kết thúc trong năm đó."})
