"""The annual review: poverty standards as data, each household's yearly assessment, review rounds."""
import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit, Level
from areas.scoping import ScopedQuerySet
from core.errors import ConflictError
from core.formatting import vn_number
from core.versioning import VersionedModel
from households.models import Household, Livelihood
from review.vocabulary import ESCAPE_MOVEMENTS, Classification, Movement  # noqa: F401 (the app's vocabulary)


class AreaType(models.TextChoices):
    RURAL = "rural", "Nông thôn"
    URBAN = "urban", "Thành thị"


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
    b1_line = models.PositiveIntegerField("ngưỡng điểm B1", null=True, blank=True)
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


class RoundStatus(models.TextChoices):
    OPEN = "open", "Đang rà soát"
    SUBMITTED = "submitted", "Đã báo cáo cấp trên"
    # The locked state: recognised by the commune chairman's decision (or, for review years before the 2025
    # reform, approved by the district, as the tool recorded it then). The value stays "approved": the API,
    # imports and reports know it by that name.
    APPROVED = "approved", "Đã công nhận (khoá)"


# The 2025 reform: from 1 July 2025 there are no districts, and communes report to the province.
DISTRICTS_ABOLISHED_ON = datetime.date(2025, 7, 1)
# The periodic review of a year opens on 1 September (Decision 24/2021/QĐ-TTg); every report of it upward
# (preliminary and official results, by mid-November and mid-December) is made after that day.
REVIEW_OPENS = (9, 1)


def level_above(year):
    """The level above the commune for the review of `year`: the level its results are reported to, that
    may return the round or reopen it once recognised. Level.DISTRICT or Level.PROVINCE.

    The one rule: the level that exists on the day the year's review opens (1 September). Every report of a
    year's review falls between that day and the end of the year, and 1 July 2025 falls in no such span, so
    any day of the span gives the same answer: review years up to 2024 report to the district, review years
    from 2025 to the province (the 2025 review opened after the districts were abolished)."""
    opens = datetime.date(int(year), *REVIEW_OPENS)
    return Level.DISTRICT if opens < DISTRICTS_ABOLISHED_ON else Level.PROVINCE


LEVEL_ABOVE_NAMES = {Level.DISTRICT: "huyện", Level.PROVINCE: "tỉnh"}


class ReviewRoundQuerySet(ScopedQuerySet):
    scope_path = "commune"


class ReviewRound(VersionedModel):
    """One commune's review of one year: open → submitted (reported to the level above) → recognised by the
    commune chairman's decision (locked); the level above may return a submitted round or reopen a
    recognised one, with a reason (review.services.ROUND_STEPS)."""

    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="review_rounds",
                                verbose_name="xã/phường", limit_choices_to={"level": Level.COMMUNE})
    year = models.PositiveSmallIntegerField("năm rà soát")
    status = models.CharField("trạng thái", max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN,
                              db_index=True)
    return_reason = models.TextField("lý do trả lại", blank=True)
    reopen_reason = models.TextField("lý do mở lại", blank=True)
    submitted_at = models.DateTimeField("ngày gửi", null=True, blank=True)
    approved_at = models.DateTimeField("thời điểm công nhận (khoá)", null=True, blank=True)
    decision_number = models.CharField(
        "số quyết định công nhận", max_length=50, blank=True,
        help_text="Quyết định của Chủ tịch UBND xã công nhận hộ nghèo, hộ cận nghèo (ví dụ 125/QĐ-UBND).")
    decision_date = models.DateField("ngày quyết định công nhận", null=True, blank=True)

    history = HistoricalRecords(table_name="households_historicalreviewround")
    objects = ReviewRoundQuerySet.as_manager()

    class Meta:
        db_table = "households_reviewround"
        verbose_name = "đợt rà soát"
        verbose_name_plural = "đợt rà soát"
        ordering = ["-year", "commune"]
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="unique_round_commune_year")]

    def __str__(self):
        return f"Rà soát {self.year} – {self.commune_id} ({self.get_status_display()})"

    @property
    def is_locked(self):
        return self.status == RoundStatus.APPROVED

    @property
    def level_above(self):
        return level_above(self.year)

    @property
    def level_above_name(self):
        """"huyện" or "tỉnh": where the commune reports this round (button labels, messages)."""
        return LEVEL_ABOVE_NAMES[self.level_above]


def reopen_hint(rounds):
    """Who may reopen these locked rounds, as said in messages."""
    levels = sorted({LEVEL_ABOVE_NAMES[level_above(r.year)] for r in rounds}) or ["huyện", "tỉnh"]
    if len(levels) == 1:
        return f"Cán bộ {levels[0]} có thể mở lại đợt rà soát (kèm lý do)."
    return ("Cấp trên của xã (huyện với kỳ rà soát đến năm 2024, tỉnh từ năm 2025) có thể mở lại đợt rà soát "
            "(kèm lý do).")


class RoundLockedError(ConflictError):
    """A change to an approved (locked) review round. The API answers 409."""

    def __init__(self, review_round=None, message=None, rounds=None):
        self.rounds = list(rounds) if rounds else ([review_round] if review_round else [])
        self.review_round = review_round or (self.rounds[0] if self.rounds else None)
        if message is None:
            where = ", ".join(f"xã {r.commune_id} năm {r.year}" for r in self.rounds)
            where = f" của {where}" if where else ""
            message = (f"Đợt rà soát{where} đã được công nhận/phê duyệt và đang khoá: không thể thêm, sửa hay xoá "
                       f"kết quả. {reopen_hint(self.rounds)}")
        self.message = message
        super().__init__(message)

    def __str__(self):
        return self.message


# Beyond this many people a village meeting's figure is a typing slip (and stays inside its column).
MAX_MEETING_ATTENDEES = 10_000
TOO_MANY_ATTENDEES = f"Không quá {vn_number(MAX_MEETING_ATTENDEES)} người: hãy kiểm tra lại số."


class VillageMeetingQuerySet(ScopedQuerySet):
    scope_path = "review_round__commune"


class VillageMeeting(VersionedModel):
    """The village meeting that discussed a round's results in one village, and the public posting of them.

    Decision 24/2021/QĐ-TTg: the results are discussed at a village meeting (minutes kept), where they
    stand with more than half of those present in favour, then posted publicly at the village and the commune
    before the preliminary result is reported upward. Recorded per village of the round's commune; a round
    is not recognised while a recorded meeting did not reach the majority (review.services.round_recognise).
    Written through review.services (village_meeting_save/delete); locked with its round."""

    review_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="village_meetings",
                                     verbose_name="đợt rà soát")
    village = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="review_meetings",
                                verbose_name="thôn", limit_choices_to={"level": Level.VILLAGE})
    meeting_date = models.DateField("ngày họp thôn")
    attendees = models.PositiveIntegerField(
        "số người dự họp", validators=[
            MinValueValidator(1, "Cuộc họp phải có ít nhất 1 người dự."),
            MaxValueValidator(MAX_MEETING_ATTENDEES, TOO_MANY_ATTENDEES)])
    in_favour = models.PositiveIntegerField(
        "số người đồng ý", validators=[
            MaxValueValidator(MAX_MEETING_ATTENDEES, TOO_MANY_ATTENDEES)])
    posted_from = models.DateField("niêm yết từ ngày", null=True, blank=True)
    posted_to = models.DateField("niêm yết đến ngày", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    history = HistoricalRecords()
    objects = VillageMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "họp thôn và niêm yết công khai"
        verbose_name_plural = "họp thôn và niêm yết công khai"
        ordering = ["review_round", "village"]
        constraints = [
            models.UniqueConstraint(fields=["review_round", "village"], name="one_meeting_per_round_village",
                                    violation_error_message="Thôn này đã có biên bản họp của đợt rà soát này."),
        ]

    def __str__(self):
        return f"Họp thôn {self.village_id} – rà soát {self.review_round.year if self.review_round_id else ''}"

    @property
    def passed(self):
        """The result stands with MORE than half of those present in favour (exactly half does not)."""
        return bool(self.attendees) and self.in_favour * 2 > self.attendees

    @property
    def share_in_favour(self):
        """Per cent of those present in favour, or None."""
        return 100 * self.in_favour / self.attendees if self.attendees else None

    def clean(self):
        errors = {}
        if self.attendees is not None and self.in_favour is not None and self.in_favour > self.attendees:
            errors["in_favour"] = (f"Số người đồng ý ({self.in_favour}) không được nhiều hơn số người dự họp "
                                   f"({self.attendees}).")
        year = self.review_round.year if self.review_round_id else None
        today = timezone.localdate()
        if self.meeting_date and year:
            if not year <= self.meeting_date.year <= year + 1:
                errors["meeting_date"] = (f"Họp thôn của kỳ rà soát năm {year} phải trong năm {year} hoặc {year + 1} "
                                          f"(bạn nhập {self.meeting_date:%d/%m/%Y}).")
            elif self.meeting_date > today:
                errors["meeting_date"] = "Ngày họp thôn chưa đến: chỉ ghi cuộc họp đã diễn ra."
        if bool(self.posted_from) != bool(self.posted_to):
            errors["posted_to" if self.posted_from else "posted_from"] = (
                "Hãy ghi cả ngày bắt đầu và ngày kết thúc niêm yết (hoặc để trống cả hai).")
        elif self.posted_from and self.posted_to:
            if self.posted_to < self.posted_from:
                errors["posted_to"] = "Ngày kết thúc niêm yết phải sau ngày bắt đầu."
            elif self.meeting_date and self.posted_from < self.meeting_date:
                errors["posted_from"] = "Niêm yết công khai kết quả sau cuộc họp thôn: ngày bắt đầu niêm yết phải " \
                                        "từ ngày họp trở đi."
            elif (self.posted_to - self.posted_from).days > 366:
                errors["posted_to"] = "Thời gian niêm yết quá một năm: hãy kiểm tra lại ngày."
        if self.village_id and self.review_round_id and not villages_of(self.review_round.commune_id).filter(
                code=self.village_id).exists():
            errors["village"] = f"Thôn {self.village_id} không thuộc xã {self.review_round.commune_id} của đợt rà soát."
        if errors:
            raise ValidationError(errors)

    def _refuse_if_locked(self):
        if self.review_round_id and ReviewRound.objects.filter(pk=self.review_round_id,
                                                               status=RoundStatus.APPROVED).exists():
            raise RoundLockedError(ReviewRound.objects.get(pk=self.review_round_id))

    def save(self, *args, **kwargs):
        # The last line of defence, as for assessments: a recognised round's meetings stay as recorded.
        self._refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_locked()
        return super().delete(*args, **kwargs)


def villages_of(commune_id):
    """The villages of a commune, now or in the past (a village re-parented by the 2025 reform keeps its
    former commune in its history)."""
    return AdministrativeUnit.objects.filter(level=Level.VILLAGE).filter(
        models.Q(parent_id=commune_id) | models.Q(versions__parent_id=commune_id)).distinct().order_by("code")


class AssessmentQuerySet(ScopedQuerySet):
    scope_path = "commune"

    def for_year(self, year):
        return self.filter(year=year)

    def poor(self):
        return self.filter(classification=Classification.POOR)

    def near_poor(self):
        return self.filter(classification=Classification.NEAR_POOR)

    def escaped(self):
        return self.filter(movement__in=ESCAPE_MOVEMENTS)

    def locked(self):
        return self.filter(review_round__status=RoundStatus.APPROVED)

    def _refuse_locked(self):
        first = self.locked().select_related("review_round").first()
        if first is not None:
            raise RoundLockedError(first.review_round)

    # Bulk paths (admin bulk delete, queryset updates) obey the lock like single saves do.
    def delete(self):
        self._refuse_locked()
        return super().delete()

    def update(self, **kwargs):
        self._refuse_locked()
        return super().update(**kwargs)

    update.queryset_only = True


def deprivation_key(codes):
    """Indicator codes stored as ",1,4,9," so that one LIKE finds an indicator and history shows the set."""
    ordered = sorted({str(code).strip() for code in codes if str(code).strip()}, key=lambda c: (len(c), c))
    return f",{','.join(ordered)}," if ordered else ""


class Assessment(VersionedModel):
    """One household's review result for one year, with the derived classification and movement."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="assessments",
                                  verbose_name="hộ")
    year = models.PositiveSmallIntegerField("năm rà soát")
    standard = models.ForeignKey(PovertyStandard, on_delete=models.PROTECT, related_name="assessments",
                                 verbose_name="chuẩn nghèo")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="assessments",
                                verbose_name="xã/phường (tại thời điểm rà soát)")
    village = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="village_assessments", verbose_name="thôn (tại thời điểm rà soát)")
    review_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="assessments",
                                     verbose_name="đợt rà soát")
    is_urban = models.BooleanField("khu vực thành thị", default=False)
    income_per_capita = models.BigIntegerField("thu nhập bình quân (đồng/người/tháng)", null=True, blank=True)
    b1_score = models.PositiveIntegerField("điểm B1", null=True, blank=True)
    deprivations = models.CharField("chỉ số thiếu hụt", max_length=100, blank=True, default="")
    deprivation_count = models.PositiveSmallIntegerField("số chỉ số thiếu hụt", default=0)
    # Derived from the members (review.labour) unless an officer overrides it, which needs a reason.
    no_labour_capacity = models.BooleanField("không có khả năng lao động", default=False)
    labour_override_reason = models.CharField(
        "lý do xác định khác (khả năng lao động)", max_length=300, blank=True,
        help_text="Chỉ ghi khi cán bộ xác định khả năng lao động khác với kết quả tính từ nhân khẩu.")
    livelihood = models.CharField("sinh kế chính (tại thời điểm rà soát)", max_length=12,
                                  choices=Livelihood.choices, default=Livelihood.AGRICULTURE)
    has_meritorious_member = models.BooleanField("có thành viên là người có công", default=False)
    has_social_protection_member = models.BooleanField("có thành viên thuộc đối tượng bảo trợ xã hội", default=False)
    is_ethnic_minority = models.BooleanField("dân tộc thiểu số", default=False)
    reasons = models.ManyToManyField(PovertyReason, blank=True, related_name="assessments",
                                     db_table="households_assessment_reasons",
                                     verbose_name="nguyên nhân nghèo")
    notes = models.TextField("ghi chú", blank=True)
    classification = models.CharField("phân loại", max_length=10, choices=Classification.choices, db_index=True)
    movement = models.CharField("biến động", max_length=22, choices=Movement.choices, default=Movement.NONE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(table_name="households_historicalassessment", excluded_fields=["updated_at"])
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        db_table = "households_assessment"
        verbose_name = "kết quả rà soát"
        verbose_name_plural = "kết quả rà soát"
        ordering = ["-year", "household"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="one_assessment_per_household_year",
                                    violation_error_message="Hộ này đã có kết quả rà soát của năm này."),
        ]
        indexes = [
            models.Index(fields=["year", "commune", "classification"]),
            models.Index(fields=["year", "commune", "movement"]),
        ]

    def __str__(self):
        return f"{self.household_id} / {self.year}: {self.get_classification_display()}"

    @property
    def deprivation_codes(self):
        return [code for code in self.deprivations.strip(",").split(",") if code]

    def _refuse_if_locked(self):
        round_id = self.review_round_id
        if round_id and ReviewRound.objects.filter(pk=round_id, status=RoundStatus.APPROVED).exists():
            raise RoundLockedError(ReviewRound.objects.get(pk=round_id))
        if self.pk:
            stored = Assessment.objects.filter(pk=self.pk).values_list("review_round_id", flat=True).first()
            if stored and stored != round_id and ReviewRound.objects.filter(
                pk=stored, status=RoundStatus.APPROVED
            ).exists():
                raise RoundLockedError(ReviewRound.objects.get(pk=stored))

    def save(self, *args, **kwargs):
        # The last line of defence: whatever path saves an assessment, an approved round stays locked.
        self._refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_locked()
        return super().delete(*args, **kwargs)


class RequestKind(models.TextChoices):
    ENTER = "enter", "Đề nghị xét duyệt hộ nghèo, hộ cận nghèo"
    LEAVE = "leave", "Đề nghị xét duyệt thoát nghèo, thoát cận nghèo"


class ReviewRequestQuerySet(ScopedQuerySet):
    scope_path = "commune"


class ReviewRequest(VersionedModel):
    """A household's written request to be reviewed (Decision 24/2021/QĐ-TTg): it puts the household on the
    list to review of `year`, or starts a regular (in-year) review."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="review_requests",
                                  verbose_name="hộ")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="review_requests",
                                verbose_name="xã/phường", limit_choices_to={"level": Level.COMMUNE})
    year = models.PositiveSmallIntegerField("năm rà soát", help_text="Kỳ rà soát mà đơn đề nghị được xét.")
    kind = models.CharField("loại đề nghị", max_length=10, choices=RequestKind.choices, default=RequestKind.ENTER)
    requested_on = models.DateField("ngày nộp đơn")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ReviewRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn đề nghị rà soát"
        verbose_name_plural = "đơn đề nghị rà soát"
        ordering = ["-requested_on", "household"]
        indexes = [models.Index(fields=["year", "commune"])]

    def __str__(self):
        return f"{self.household_id} – {self.get_kind_display()} ({self.requested_on:%d/%m/%Y})"


class RegularReviewQuerySet(ScopedQuerySet):
    scope_path = "commune"


class RegularReview(VersionedModel):
    """A regular (in-year) review: between two annual reviews, on a household's request, the commune chairman
    recognises the household as poor, near-poor or out of poverty by a decision of its own, effective from
    `effective_on`. It amends the lists of review year `year` (those in force when it takes effect) without
    reopening that year's round; the next annual review starts from it."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="regular_reviews",
                                  verbose_name="hộ")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="regular_reviews",
                                verbose_name="xã/phường", limit_choices_to={"level": Level.COMMUNE})
    village = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="village_regular_reviews", verbose_name="thôn")
    year = models.PositiveSmallIntegerField("thuộc danh sách năm rà soát")
    request = models.ForeignKey(ReviewRequest, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="regular_reviews", verbose_name="đơn đề nghị")
    previous_classification = models.CharField("phân loại trước đó", max_length=10,
                                               choices=Classification.choices)
    classification = models.CharField("phân loại mới", max_length=10, choices=Classification.choices)
    income_per_capita = models.BigIntegerField("thu nhập bình quân (đồng/người/tháng)", null=True, blank=True)
    b1_score = models.PositiveIntegerField("điểm B1", null=True, blank=True)
    deprivations = models.CharField("chỉ số thiếu hụt", max_length=100, blank=True, default="")
    deprivation_count = models.PositiveSmallIntegerField("số chỉ số thiếu hụt", default=0)
    effective_on = models.DateField("có hiệu lực từ ngày")
    decision_number = models.CharField("số quyết định công nhận", max_length=50)
    decision_date = models.DateField("ngày quyết định")
    notes = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = RegularReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "kết quả rà soát thường xuyên"
        verbose_name_plural = "kết quả rà soát thường xuyên"
        ordering = ["-effective_on", "household"]
        indexes = [models.Index(fields=["commune", "effective_on"]), models.Index(fields=["year", "commune"])]

    def __str__(self):
        return (f"{self.household_id}: {self.get_classification_display()} từ {self.effective_on:%d/%m/%Y} "
                f"(QĐ {self.decision_number})")


class CertificateQuerySet(ScopedQuerySet):
    scope_path = "commune"


class Certificate(models.Model):
    """The certificate of a poor or near-poor household (form of Circular 07/2021/TT-BLĐTBXH): one per
    household for a standard's period, numbered in its commune, with a row per review year."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="certificates",
                                  verbose_name="hộ")
    standard = models.ForeignKey(PovertyStandard, on_delete=models.PROTECT, related_name="certificates",
                                 verbose_name="chuẩn nghèo")
    commune = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="certificates",
                                verbose_name="xã/phường cấp")
    number = models.PositiveIntegerField("số giấy chứng nhận")
    issued_on = models.DateField("ngày cấp")

    history = HistoricalRecords()
    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "giấy chứng nhận hộ nghèo, hộ cận nghèo"
        verbose_name_plural = "giấy chứng nhận hộ nghèo, hộ cận nghèo"
        ordering = ["commune", "standard", "number"]
        constraints = [
            models.UniqueConstraint(fields=["household", "standard"], name="one_certificate_per_standard",
                                    violation_error_message="Hộ này đã có giấy chứng nhận của chuẩn nghèo này."),
            models.UniqueConstraint(fields=["commune", "standard", "number"], name="unique_certificate_number",
                                    violation_error_message="Số giấy chứng nhận đã dùng trong xã."),
        ]

    def __str__(self):
        return f"GCN số {self.number} – {self.household_id}"
