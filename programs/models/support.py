"""Budgets and the support each household received."""
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit
from areas.scoping import ScopedQuerySet
from core.versioning import VersionedModel
from households.models import Household, Member
from programs.models.catalogue import Program, check_program_year

vnd = [MinValueValidator(0, "Số tiền không được âm.")]


class BudgetAllocationQuerySet(ScopedQuerySet):
    scope_path = "area"


class BudgetAllocation(models.Model):
    """Planned money for a program in a year and an area; what was disbursed comes from the benefits."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="allocations",
                                verbose_name="chương trình")
    year = models.PositiveSmallIntegerField("năm")
    area = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="allocations",
                             verbose_name="địa bàn")
    amount = models.BigIntegerField("kế hoạch vốn (đồng)", validators=vnd)

    history = HistoricalRecords()
    objects = BudgetAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = "kế hoạch vốn"
        verbose_name_plural = "kế hoạch vốn"
        ordering = ["-year", "program"]
        constraints = [models.UniqueConstraint(fields=["program", "year", "area"], name="unique_allocation",
                                               violation_error_message="Đã có kế hoạch vốn cho chương trình, năm và địa bàn này.")]

    def __str__(self):
        return f"{self.program_id} / {self.year} / {self.area_id}: {self.amount:,} đ"

    def clean(self):
        check_program_year(self.program if self.program_id else None, self.year)


class BenefitQuerySet(ScopedQuerySet):
    scope_path = "household__commune"


class Benefit(VersionedModel):
    """One support given: a program, a household (and maybe one member), a quantity in the program's unit."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="benefits", verbose_name="chương trình")
    year = models.PositiveSmallIntegerField("năm")
    date = models.DateField("ngày hỗ trợ")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="benefits", verbose_name="hộ")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="benefits",
                               verbose_name="thành viên (học sinh, học viên…)")
    quantity = models.PositiveIntegerField("số lượng", default=1,
                                           validators=[MinValueValidator(1, "Số lượng phải từ 1 trở lên.")])
    amount = models.BigIntegerField("số tiền (đồng)", default=0, validators=vnd)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    history = HistoricalRecords()
    objects = BenefitQuerySet.as_manager()

    class Meta:
        verbose_name = "lượt hỗ trợ"
        verbose_name_plural = "lượt hỗ trợ"
        ordering = ["-date", "household"]
        indexes = [models.Index(fields=["year", "program"]), models.Index(fields=["household", "year"])]

    def __str__(self):
        return f"{self.program_id} – {self.household_id} ({self.year})"

    def clean(self):
        errors = {}
        if self.member_id and self.household_id and self.member.household_id != self.household_id:
            errors["member"] = "Người này không thuộc hộ đã chọn."
        if self.date and self.year and abs(self.date.year - self.year) > 1:
            errors["date"] = f"Ngày hỗ trợ ({self.date:%d/%m/%Y}) không khớp năm {self.year}."
        try:
            check_program_year(self.program if self.program_id else None, self.year)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
