"""Figures a commune declares for the reports (not derived from the register)."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit, Level
from areas.scoping import ScopedQuerySet


class HouseholdCountQuerySet(ScopedQuerySet):
    scope_path = "commune"


class HouseholdCount(models.Model):
    """A commune's total and ethnic-minority household counts for a year, from the population register.

    Rates use it as their denominator where it exists: communes survey only candidate households but
    report against every resident household (domain file, "Rates").
    """

    commune = models.ForeignKey(
        AdministrativeUnit, verbose_name="xã/phường", on_delete=models.PROTECT, related_name="household_counts",
        limit_choices_to={"level": Level.COMMUNE},
    )
    year = models.PositiveSmallIntegerField("năm", validators=[
        MinValueValidator(2000, "Năm phải từ 2000 trở đi."), MaxValueValidator(2100, "Năm phải trước 2100.")])
    # The largest commune of the country holds a few tens of thousands of households: a million is a typo.
    households = models.PositiveIntegerField("tổng số hộ", validators=[
        MaxValueValidator(1_000_000, "Một xã không có quá 1.000.000 hộ: hãy kiểm tra lại.")])
    ethnic_minority_households = models.PositiveIntegerField("số hộ dân tộc thiểu số", validators=[
        MaxValueValidator(1_000_000, "Một xã không có quá 1.000.000 hộ: hãy kiểm tra lại.")])

    history = HistoricalRecords()
    objects = HouseholdCountQuerySet.as_manager()

    class Meta:
        verbose_name = "số hộ khai báo"
        verbose_name_plural = "số hộ khai báo (theo sổ hộ khẩu)"
        ordering = ["-year", "commune"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "year"], name="unique_household_count",
                                    violation_error_message="Xã này đã khai báo số hộ cho năm này."),
        ]

    def __str__(self):
        return f"{self.commune_id} / {self.year}: {self.households} hộ"

    def clean(self):
        errors = {}
        if self.year is not None and not 2000 <= self.year <= 2100:
            errors["year"] = "Năm phải trong khoảng 2000–2100."
        if (self.households is not None and self.ethnic_minority_households is not None
                and self.ethnic_minority_households > self.households):
            errors["ethnic_minority_households"] = "Số hộ dân tộc thiểu số không thể lớn hơn tổng số hộ."
        if self.commune_id and self.commune.level != Level.COMMUNE:
            errors["commune"] = "Hãy chọn một xã, phường hoặc thị trấn."
        if errors:
            raise ValidationError(errors)


class KeptAggregate(models.Model):
    """A review year's aggregate of a report (per commune), kept with the data version it was computed at
    (reports.year_aggregates): derived data, so that an emptied cache does not recompute the province's years.
    Not the record: no history, deleting rows only costs the next view a computation."""

    key = models.CharField("khóa", max_length=64, unique=True)
    name = models.CharField("tổng hợp", max_length=64)
    year = models.PositiveSmallIntegerField("năm")
    version = models.CharField("phiên bản dữ liệu", max_length=400)
    value = models.JSONField("giá trị")
    kept_at = models.DateTimeField("lưu lúc")

    class Meta:
        verbose_name = "số liệu tổng hợp đã lưu"
        verbose_name_plural = "số liệu tổng hợp đã lưu"

    def __str__(self):
        return f"{self.name} {self.year}"
