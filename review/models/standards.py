"""Poverty standards as data: a standard and the review years it classifies, its lines per area type, its
deprivation indicators, and the reasons of poverty."""
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


class AreaType(models.TextChoices):
    RURAL = "rural", "Nông thôn"
    URBAN = "urban", "Đô thị"  # "khu vực đô thị", as Decree 351/2025 words it


class PovertyStandardQuerySet(models.QuerySet):
    def for_year(self, year):
        return self.filter(first_year__lte=year, last_year__gte=year)


class PovertyStandard(models.Model):
    """A multidimensional poverty standard (chuẩn nghèo) and the years it classifies."""

    code = models.CharField("mã", max_length=30, unique=True)
    name = models.CharField("tên", max_length=200)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=300)
    # Review years: the review carried out in the autumn of a year; the lists it recognises apply the next year.
    first_year = models.PositiveSmallIntegerField(
        "từ năm rà soát", help_text="Năm rà soát đầu tiên theo chuẩn này (danh sách công nhận áp dụng từ năm sau).")
    last_year = models.PositiveSmallIntegerField(
        "đến năm rà soát", help_text="Năm rà soát cuối cùng theo chuẩn này (danh sách của nó áp dụng năm sau).")
    # What Mẫu số 03 cites after "Căn cứ", one text a line: the laws on local government and the standard's own
    # decree, so a certificate of 2022 never cites the decree that later extended the standard.
    certificate_basis = models.TextField(
        "căn cứ ghi trên giấy chứng nhận", blank=True,
        help_text="Mỗi dòng một văn bản, in sau chữ “Căn cứ” trên giấy chứng nhận hộ nghèo, hộ cận nghèo (Mẫu số "
                  "03): luật tổ chức chính quyền địa phương và văn bản quy định chuẩn nghèo.")
    note = models.TextField("ghi chú", blank=True)

    history = HistoricalRecords(table_name="households_historicalpovertystandard")
    objects = PovertyStandardQuerySet.as_manager()

    class Meta:
        db_table = "households_povertystandard"
        verbose_name = "chuẩn nghèo"
        verbose_name_plural = "chuẩn nghèo"
        ordering = ["first_year"]

    def __str__(self):
        return f"{self.name} (rà soát năm {self.first_year}–{self.last_year})"

    def clean(self):
        if self.first_year and self.last_year and self.last_year < self.first_year:
            raise ValidationError({"last_year": "Năm kết thúc phải sau năm bắt đầu."})
        overlapping = PovertyStandard.objects.filter(
            first_year__lte=self.last_year or 0, last_year__gte=self.first_year or 0
        ).exclude(pk=self.pk)
        if self.first_year and self.last_year and overlapping.exists():
            raise ValidationError({"first_year": f"Trùng năm rà soát với chuẩn {overlapping.first()}."})


class StandardLine(models.Model):
    """The lines of a standard for one area type (VND per person per month; B1 in points)."""

    standard = models.ForeignKey(PovertyStandard, on_delete=models.CASCADE, related_name="lines",
                                 verbose_name="chuẩn nghèo")
    area_type = models.CharField("khu vực", max_length=5, choices=AreaType.choices)
    income_line = models.BigIntegerField("chuẩn thu nhập (đồng/người/tháng)")
    absolute_line = models.BigIntegerField("chuẩn thu nhập tuyệt đối", null=True, blank=True,
                                           help_text="Để trống khi chuẩn không có (Nghị định 07/2021).")
    average_line = models.BigIntegerField("chuẩn mức sống trung bình", null=True, blank=True)
    b1_line = models.PositiveIntegerField(
        "ngưỡng điểm A (điểm thu nhập, B1)", null=True, blank=True,
        help_text="Điểm A: điểm thu nhập của phiếu B (cán bộ gọi là điểm B1), ví dụ 140 ở nông thôn theo Thông tư "
                  "07/2021/TT-BLĐTBXH.")
    min_deprivations = models.PositiveSmallIntegerField("số chỉ số thiếu hụt tối thiểu", default=3)

    history = HistoricalRecords(table_name="households_historicalstandardline")

    class Meta:
        db_table = "households_standardline"
        verbose_name = "chuẩn theo khu vực"
        verbose_name_plural = "chuẩn theo khu vực"
        constraints = [models.UniqueConstraint(fields=["standard", "area_type"], name="unique_standard_area_type")]

    def __str__(self):
        return f"{self.standard.code} – {self.get_area_type_display()}"

    def clean(self):
        errors = {}
        for field in ("income_line", "absolute_line", "average_line"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = "Không được âm."
        if self.absolute_line is not None and self.income_line is not None and self.absolute_line > self.income_line:
            errors["absolute_line"] = "Chuẩn tuyệt đối không được cao hơn chuẩn thu nhập."
        if self.average_line is not None and self.income_line is not None and self.average_line <= self.income_line:
            errors["average_line"] = "Chuẩn mức sống trung bình phải cao hơn chuẩn thu nhập."
        if errors:
            raise ValidationError(errors)


class Indicator(models.Model):
    standard = models.ForeignKey(PovertyStandard, on_delete=models.CASCADE, related_name="indicators",
                                 verbose_name="chuẩn nghèo")
    code = models.CharField("mã chỉ số", max_length=10)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    dimension = models.CharField("chiều thiếu hụt", max_length=100)
    name = models.CharField("chỉ số", max_length=200)
    threshold = models.TextField("ngưỡng thiếu hụt", blank=True,
                                 help_text="Khi nào hộ thiếu hụt chỉ số này, như văn bản quy định.")
    # Wording or threshold not read in the decree itself: an administrator confirms it. Shown in the admin
    # only, never on a printed paper.
    needs_confirmation = models.BooleanField(
        "cần quản trị viên xác nhận", default=False,
        help_text="Đánh dấu khi tên hoặc ngưỡng chưa đối chiếu được với văn bản gốc; bỏ đánh dấu sau khi xác nhận.")

    class Meta:
        db_table = "households_indicator"
        verbose_name = "chỉ số thiếu hụt"
        verbose_name_plural = "chỉ số thiếu hụt"
        ordering = ["standard", "position"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="unique_indicator_code")]

    def __str__(self):
        return f"{self.code}. {self.name}"


class PovertyReason(models.Model):
    name = models.CharField("nguyên nhân nghèo", max_length=150, unique=True)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        db_table = "households_povertyreason"
        verbose_name = "nguyên nhân nghèo"
        verbose_name_plural = "nguyên nhân nghèo"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name
