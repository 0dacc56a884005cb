"""Budgets and the support each household received."""
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit
from areas.scoping import ScopedQuerySet
from core.formatting import vn_number
from core.versioning import VersionedModel
from households.models import Household, Member
from programs.models.catalogue import Program, check_program_year

# Maximums for money and counts. SQLite adds integers in 64 bits and fails past 9.2 × 10^18 ("integer
# overflow"), so one benefit of 2^63 − 1 đồng broke every spending page of its district; PostgreSQL refused
# it only at the database, with a 500. The limits are far above anything real and far below the overflow:
# - one support to one household (a house, a loan, a year of school costs) is tens or hundreds of millions
#   of đồng, never 100 billion; 92 million benefits at that maximum still add up in 64 bits;
# - a budget (an allocation of a program for a year and an area, a community project) is at most 10^13 đồng
#   (10,000 billion, more than a province's yearly national-target-program funds); 900,000 of them add up;
# - a quantity (cards, people, head of cattle, hectares of one benefit row) is at most 1,000,000, and fits
#   PostgreSQL's 32-bit integer column.
MAX_AMOUNT = 100_000_000_000
MAX_BUDGET = 10**13
MAX_QUANTITY = 1_000_000


vnd = [MinValueValidator(0, "Số tiền không được âm."),
       MaxValueValidator(MAX_AMOUNT, f"Số tiền một lượt không được quá {vn_number(MAX_AMOUNT)} đồng.")]
budget_vnd = [MinValueValidator(0, "Số tiền không được âm."),
              MaxValueValidator(MAX_BUDGET, f"Kinh phí không được quá {vn_number(MAX_BUDGET)} đồng.")]


class BudgetAllocationQuerySet(ScopedQuerySet):
    scope_path = "area"


class BudgetAllocation(models.Model):
    """Planned money for a program in a year and an area; what was disbursed comes from the benefits."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="allocations",
                                verbose_name="chương trình")
    year = models.PositiveSmallIntegerField("năm")
    area = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="allocations",
                             verbose_name="địa bàn")
    amount = models.BigIntegerField("kế hoạch vốn (đồng)", validators=budget_vnd)

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
                                           validators=[MinValueValidator(1, "Số lượng phải từ 1 trở lên."),
                                                       MaxValueValidator(MAX_QUANTITY, "Số lượng không được quá "
                                                                         f"{vn_number(MAX_QUANTITY)}.")])
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
