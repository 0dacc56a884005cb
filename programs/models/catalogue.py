"""The program catalogue: the National Target Program, its projects, and the social policies."""
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

UNITS = [
    ("lượt", "lượt"), ("hộ", "hộ"), ("người", "người"), ("mô hình", "mô hình"), ("dự án", "dự án"),
    ("công trình", "công trình"), ("thẻ", "thẻ"), ("khoản vay", "khoản vay"), ("căn", "căn"), ("ha", "ha"),
    ("con", "con"), ("lớp", "lớp"),
]
SHORT_NAME_LENGTH = 30  # characters: a chart's axis label under a bar


def short_name(name: str, length: int = SHORT_NAME_LENGTH) -> str:
    """A programme's name as a chart labels its bar: whole when short, else cut after a word with "…"
    ("Hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng" -> "Hỗ trợ phát triển sản xuất…"). Its code and
    full name go to the bar's tooltip."""
    name = " ".join((name or "").split())
    if len(name) <= length:
        return name
    cut = name[:length].rsplit(" ", 1)[0] if " " in name[:length] else name[:length - 1]
    return cut.rstrip(" ,;:–-") + "…"


class Program(models.Model):
    code = models.CharField("mã", max_length=30, primary_key=True)
    name = models.CharField("tên chương trình, dự án, chính sách", max_length=300)
    parent = models.ForeignKey("self", verbose_name="thuộc", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    first_year = models.PositiveSmallIntegerField("từ năm", null=True, blank=True)
    last_year = models.PositiveSmallIntegerField("đến năm", null=True, blank=True,
                                                 help_text="Để trống nếu chính sách chưa có năm kết thúc.")
    legal_basis = models.CharField("căn cứ pháp lý", max_length=300, blank=True)
    unit = models.CharField("đơn vị tính", max_length=20, choices=UNITS)
    is_local = models.BooleanField("chương trình của địa phương", default=False)
    note = models.TextField("ghi chú", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "chương trình, chính sách"
        verbose_name_plural = "chương trình, chính sách"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.name}"

    @property
    def short_name(self):
        return short_name(self.name)

    def covers(self, year):
        return (self.first_year is None or self.first_year <= year) and (self.last_year is None or year <= self.last_year)

    @property
    def period_label(self):
        return f"{self.first_year or '…'}–{self.last_year or 'nay'}"

    def clean(self):
        errors = {}
        if self.first_year and self.last_year and self.last_year < self.first_year:
            errors["last_year"] = "Năm kết thúc phải sau năm bắt đầu."
        if self.parent_id and self.parent_id == self.code:
            errors["parent"] = "Một chương trình không thể thuộc chính nó."
        if errors:
            raise ValidationError(errors)


def check_program_year(program, year, field="year"):
    if program is not None and year is not None and not program.covers(year):
        raise ValidationError({field: f"Năm {year} nằm ngoài thời gian của {program.code} ({program.period_label})."})
