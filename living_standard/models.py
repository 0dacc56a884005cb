"""The average-living-standard procedure (Decision 24/2021/QĐ-TTg, Art. 2(2), Art. 3(2)): a household living
from agriculture, forestry, fishery or salt-making applies (LivingStandardRequest); the commune determines its
income on the last 12 months' actual income, social assistance excluded (LivingStandardDetermination); the commune
chairman recognises it by a decision (LivingStandardDecision). The recognised list of a commune and month is the
decisions of that commune dated in that month (living_standard.selectors). Not a class of the annual review.
"""
from django.db import models
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit, Level
from areas.scoping import ScopedQuerySet
from core.versioning import VersionedModel
from households.models import Household, Livelihood
from review.models import PovertyStandard


class CommuneScoped(ScopedQuerySet):
    scope_path = "commune"


class LivingStandardRequest(VersionedModel):
    """A household's written request to be recognised as of average living standard."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="living_standard_requests",
                                  verbose_name="hộ")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="living_standard_requests",
                                verbose_name="xã/phường", limit_choices_to={"level": Level.COMMUNE})
    village = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="village_living_standard_requests", verbose_name="thôn")
    requested_on = models.DateField("ngày nộp đơn")
    livelihood = models.CharField("sinh kế chính khi nộp đơn", max_length=12, choices=Livelihood.choices)
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CommuneScoped.as_manager()

    class Meta:
        verbose_name = "đơn đề nghị xét hộ có mức sống trung bình"
        verbose_name_plural = "đơn đề nghị xét hộ có mức sống trung bình"
        ordering = ["-requested_on", "household"]
        indexes = [models.Index(fields=["commune", "requested_on"])]

    def __str__(self):
        return f"{self.household_id} – đơn ngày {self.requested_on:%d/%m/%Y}"


class LivingStandardDetermination(VersionedModel):
    """The household's income determined on the last 12 months' actual income, social assistance excluded,
    per person per month, against the average-living-standard line of the standard in force on the request
    day for the household's area (review StandardLine.average_line, data an administrator edits)."""

    request = models.OneToOneField(LivingStandardRequest, on_delete=models.PROTECT, related_name="determination",
                                   verbose_name="đơn đề nghị")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT,
                                related_name="living_standard_determinations", verbose_name="xã/phường")
    determined_on = models.DateField("ngày xác định thu nhập")
    period_start = models.DateField("thu nhập từ ngày")
    period_end = models.DateField("thu nhập đến ngày")
    members = models.PositiveSmallIntegerField("số nhân khẩu")
    total_income = models.BigIntegerField("tổng thu nhập thực tế 12 tháng (đồng)",
                                          help_text="Tất cả các nguồn, kể cả trợ cấp xã hội nếu có.")
    social_assistance = models.BigIntegerField("trong đó: trợ cấp xã hội (không tính)", default=0)
    income_per_capita = models.BigIntegerField("thu nhập bình quân (đồng/người/tháng)")
    standard = models.ForeignKey(PovertyStandard, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="chuẩn áp dụng")
    is_urban = models.BooleanField("khu vực đô thị", default=False)
    income_line = models.BigIntegerField("chuẩn cận nghèo (đồng/người/tháng)")
    average_line = models.BigIntegerField("chuẩn mức sống trung bình (đồng/người/tháng)")
    meets = models.BooleanField("đạt mức sống trung bình")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CommuneScoped.as_manager()

    class Meta:
        verbose_name = "kết quả xác định thu nhập (mức sống trung bình)"
        verbose_name_plural = "kết quả xác định thu nhập (mức sống trung bình)"
        ordering = ["-determined_on", "request"]

    def __str__(self):
        result = "đạt" if self.meets else "không đạt"
        return f"Đơn {self.request_id}: {self.income_per_capita:,} đồng/người/tháng ({result})".replace(",", ".")


class LivingStandardDecision(VersionedModel):
    """The commune chairman's decision recognising the household as of average living standard."""

    determination = models.OneToOneField(LivingStandardDetermination, on_delete=models.PROTECT,
                                         related_name="decision", verbose_name="kết quả xác định")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="living_standard_decisions",
                                  verbose_name="hộ")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="living_standard_decisions",
                                verbose_name="xã/phường")
    village = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="village_living_standard_decisions", verbose_name="thôn")
    decision_number = models.CharField("số quyết định công nhận", max_length=50)
    decision_date = models.DateField("ngày quyết định")
    notes = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CommuneScoped.as_manager()

    class Meta:
        verbose_name = "quyết định công nhận hộ có mức sống trung bình"
        verbose_name_plural = "quyết định công nhận hộ có mức sống trung bình"
        ordering = ["-decision_date", "household"]
        indexes = [models.Index(fields=["commune", "decision_date"])]

    def __str__(self):
        return f"{self.household_id}: QĐ {self.decision_number} ngày {self.decision_date:%d/%m/%Y}"
