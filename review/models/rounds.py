"""Review rounds (one commune's review of one year), the decisions that recognised their lists, and the village
meetings that discussed their results."""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit, Level
from areas.scoping import ScopedQuerySet
from core.errors import ConflictError
from core.formatting import vn_number
from core.versioning import VersionedModel
from review.calendar import LEVEL_ABOVE_NAMES, level_above


class RoundStatus(models.TextChoices):
    OPEN = "open", "Đang rà soát"
    SUBMITTED = "submitted", "Đã báo cáo cấp trên"
    # The locked state: recognised by the commune chairman's decision. Rounds the district "approved" in
    # earlier releases are in it too, without a decision (ReviewRound.decision_unrecorded). The value stays
    # "approved": the API, imports and reports know it by that name.
    APPROVED = "approved", "Đã công nhận (khoá)"


LEGACY_APPROVAL = "Đã phê duyệt trước đây — quyết định công nhận chưa được ghi vào hệ thống"


class ReviewRoundQuerySet(ScopedQuerySet):
    scope_path = "commune"


class ReviewRound(VersionedModel):
    """One commune's review of one year: open → submitted (reported to the level above, which records its
    opinion or returns the round with a reason) → recognised by the commune chairman's decision (locked); the
    level above may reopen a recognised round, with a reason; a new decision then amends the first
    (review.rounds.ROUND_STEPS). The round's decisions are rows of RecognitionDecision; decision_number and
    decision_date here are a copy of the one in force (the last recognition, amendment or correction), kept
    for the printouts, lists and API clients that read them."""

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
    opinion_date = models.DateField("ngày cấp trên có ý kiến", null=True, blank=True)
    opinion = models.TextField("ý kiến của cấp trên", blank=True)

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
    def decision_unrecorded(self):
        """Locked without a recorded decision: approved by the district in an earlier release of the tool."""
        return self.is_locked and not self.decision_number

    @property
    def recognition_label(self):
        """What pages, admin and API say about the round's recognition."""
        if not self.is_locked:
            return ""
        if self.decision_unrecorded:
            return LEGACY_APPROVAL
        return f"Công nhận theo Quyết định số {self.decision_number} ngày {self.decision_date:%d/%m/%Y}"

    @property
    def level_above(self):
        return level_above(self.year)

    @property
    def level_above_name(self):
        """"huyện" or "tỉnh": where the commune reports this round (button labels, messages)."""
        return LEVEL_ABOVE_NAMES[self.level_above]


class DecisionKind(models.TextChoices):
    RECOGNITION = "recognition", "Quyết định công nhận"
    AMENDMENT = "amendment", "Quyết định sửa đổi, bổ sung"
    CORRECTION = "correction", "Đính chính (sai sót khi nhập)"


class RecognitionDecisionQuerySet(ScopedQuerySet):
    scope_path = "review_round__commune"


class RecognitionDecision(models.Model):
    """A decision of the commune chairman on a round's lists (Decision 24/2021/QĐ-TTg Art. 4): the first
    recognition, a later amending decision (after the level above reopened the round), or the correction of a
    number or date entered wrongly (`corrects` names the row it corrects, which stays). Rows are never changed
    or deleted: the round's history keeps every decision. Written by review.rounds (round_recognise,
    round_decision_correct); recorded_by in the audit trail."""

    review_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="decisions",
                                     verbose_name="đợt rà soát")
    number = models.CharField("số quyết định", max_length=50)
    decision_date = models.DateField("ngày quyết định")
    kind = models.CharField("loại", max_length=12, choices=DecisionKind.choices, default=DecisionKind.RECOGNITION)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections",
                                 verbose_name="đính chính cho")
    note = models.TextField("ghi chú", blank=True)
    recorded_at = models.DateTimeField("thời điểm ghi", default=timezone.now)

    history = HistoricalRecords()
    objects = RecognitionDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "quyết định công nhận"
        verbose_name_plural = "quyết định công nhận"
        ordering = ["review_round", "decision_date", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} số {self.number} ngày {self.decision_date:%d/%m/%Y}"


# Decision 24/2021/QĐ-TTg Art. 4(3): the share of those present at the village meeting who must agree. The
# Vietnamese text was not read (docs/rules.md); the English translation reads "at least 50%".
MAJORITY_SETTING = "REVIEW_MEETING_MAJORITY"
MAJORITIES = {"at_least_half": "ít nhất một nửa (50 %)", "more_than_half": "quá nửa (trên 50 %)"}


def meeting_majority() -> str:
    """"at_least_half" (default) or "more_than_half", from the setting REVIEW_MEETING_MAJORITY."""
    value = str(getattr(settings, MAJORITY_SETTING, "at_least_half")).strip()
    if value not in MAJORITIES:
        raise ImproperlyConfigured(f"{MAJORITY_SETTING}={value!r}: expected one of {', '.join(MAJORITIES)}.")
    return value


def meeting_passed(attendees, in_favour) -> bool:
    """Whether a village meeting passed a result: the majority of those present the setting names (at least half by
    default, exactly half passing; or more than half). The annual round's meetings and a regular review's alike."""
    if not attendees:
        return False
    if meeting_majority() == "more_than_half":
        return (in_favour or 0) * 2 > attendees
    return (in_favour or 0) * 2 >= attendees


def majority_label() -> str:
    """"ít nhất một nửa (50 %)" or "quá nửa (trên 50 %)", as pages and messages say it."""
    return MAJORITIES[meeting_majority()]


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
            message = (f"Đợt rà soát{where} đã được công nhận và đang khoá: không thể thêm, sửa hay xoá "
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
    stand with the majority of those present that `passed` reads (meeting_majority), then posted publicly at the village and the commune
    before the preliminary result is reported upward. Recorded per village of the round's commune; a round
    is not recognised while a village has no meeting, a meeting did not reach the majority, or a posting has
    not run its days (review.round_order).
    Written through review.meetings (village_meeting_save/delete); locked with its round."""

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
        """The result stands with the majority of those present the setting names (meeting_majority): at
        least half by default (exactly half passes), or more than half."""
        return meeting_passed(self.attendees, self.in_favour)

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
