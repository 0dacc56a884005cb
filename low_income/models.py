"""Workers with low income (Nghị định 30/2025/NĐ-CP as quoted in 2025 commune plans; primary text not read): a
member of a household that is neither poor nor near-poor applies (LowIncomeApplication); the commune determines
the worker's income per month against the line of the area in force on the application day
(LowIncomeDetermination; the lines are data, LowIncomeThreshold); the commune confirms the worker on its list by a
decision (LowIncomeConfirmation). The list of a commune and period is its confirmations (low_income.selectors).
"""
from django.db import models
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit, Level
from areas.scoping import ScopedQuerySet
from core.versioning import VersionedModel
from households.models import Household, Member


class CommuneScoped(ScopedQuerySet):
    scope_path = "commune"


class LowIncomeThreshold(models.Model):
    """The income lines of a period, as data an administrator edits (seeded with the figures quoted from
    Nghị định 30/2025/NĐ-CP; the start of the period is not confirmed)."""

    valid_from = models.DateField("áp dụng từ ngày", unique=True)
    valid_to = models.DateField("áp dụng đến ngày", null=True, blank=True, help_text="Để trống: đang áp dụng.")
    rural_line = models.BigIntegerField("mức thu nhập khu vực nông thôn (đồng/tháng)")
    urban_line = models.BigIntegerField("mức thu nhập khu vực đô thị (đồng/tháng)")
    source = models.CharField("căn cứ", max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "mức thu nhập thấp"
        verbose_name_plural = "mức thu nhập thấp"
        ordering = ["-valid_from"]

    def __str__(self):
        return f"Từ {self.valid_from:%d/%m/%Y}: {self.source}"


class LowIncomeApplication(VersionedModel):
    """A worker's application to be identified as a worker with low income."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="low_income_applications",
                               verbose_name="người lao động")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="low_income_applications",
                                  verbose_name="hộ")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="low_income_applications",
                                verbose_name="xã/phường", limit_choices_to={"level": Level.COMMUNE})
    village = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="village_low_income_applications", verbose_name="thôn")
    applied_on = models.DateField("ngày nộp đơn")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CommuneScoped.as_manager()

    class Meta:
        verbose_name = "đơn đề nghị xác định người lao động có thu nhập thấp"
        verbose_name_plural = "đơn đề nghị xác định người lao động có thu nhập thấp"
        ordering = ["-applied_on", "household"]
        indexes = [models.Index(fields=["commune", "applied_on"])]

    def __str__(self):
        return f"{self.member.full_name} ({self.household_id}) – đơn ngày {self.applied_on:%d/%m/%Y}"


class LowIncomeDetermination(VersionedModel):
    """The worker's income per month, at or below the line of the area: only such a determination is stored
    (the service refuses the others with the reason)."""

    application = models.OneToOneField(LowIncomeApplication, on_delete=models.PROTECT, related_name="determination",
                                       verbose_name="đơn đề nghị")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT,
                                related_name="low_income_determinations", verbose_name="xã/phường")
    determined_on = models.DateField("ngày xác định thu nhập")
    income_per_month = models.BigIntegerField("thu nhập (đồng/tháng)")
    household_class = models.CharField("phân loại hộ đang áp dụng", max_length=20)
    threshold = models.ForeignKey(LowIncomeThreshold, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="mức áp dụng")
    is_urban = models.BooleanField("khu vực đô thị", default=False)
    income_line = models.BigIntegerField("mức thu nhập thấp (đồng/tháng)")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CommuneScoped.as_manager()

    class Meta:
        verbose_name = "kết quả xác định thu nhập (lao động thu nhập thấp)"
        verbose_name_plural = "kết quả xác định thu nhập (lao động thu nhập thấp)"
        ordering = ["-determined_on", "application"]

    def __str__(self):
        return f"Đơn {self.application_id}: {self.income_per_month:,} đồng/tháng".replace(",", ".")


class LowIncomeConfirmation(VersionedModel):
    """The commune's decision (or confirmation) putting the worker on its list of workers with low income."""

    determination = models.OneToOneField(LowIncomeDetermination, on_delete=models.PROTECT,
                                         related_name="confirmation", verbose_name="kết quả xác định")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="low_income_confirmations",
                               verbose_name="người lao động")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="low_income_confirmations",
                                  verbose_name="hộ")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="low_income_confirmations",
                                verbose_name="xã/phường")
    village = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="village_low_income_confirmations", verbose_name="thôn")
    decision_number = models.CharField("số quyết định/xác nhận", max_length=50)
    decision_date = models.DateField("ngày quyết định/xác nhận")
    notes = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CommuneScoped.as_manager()

    class Meta:
        verbose_name = "xác nhận người lao động có thu nhập thấp"
        verbose_name_plural = "danh sách người lao động có thu nhập thấp"
        ordering = ["-decision_date", "household"]
        indexes = [models.Index(fields=["commune", "decision_date"])]

    def __str__(self):
        return f"{self.member.full_name}: số {self.decision_number} ngày {self.decision_date:%d/%m/%Y}"
