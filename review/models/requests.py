"""Households' requests to be reviewed and the regular (in-year) reviews."""
from django.db import models
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit, Level
from areas.scoping import ScopedQuerySet
from core.versioning import VersionedModel
from households.models import Household
from review.vocabulary import Classification


class RequestKind(models.TextChoices):
    ENTER = "enter", "Đề nghị xét duyệt hộ nghèo, hộ cận nghèo"
    LEAVE = "leave", "Đề nghị xét duyệt thoát nghèo, thoát cận nghèo"


class RequestProcedure(models.TextChoices):
    """The form a request is made on (Decision 24/2021/QĐ-TTg): Mẫu số 01 puts the household on the list of the
    periodic (annual) review; Mẫu số 04 starts a regular review, decided within REGULAR_REVIEW_DAYS."""

    PERIODIC = "periodic", "Mẫu số 01 – xét trong kỳ rà soát định kỳ"
    REGULAR = "regular", "Mẫu số 04 – rà soát thường xuyên"


class ReviewRequestQuerySet(ScopedQuerySet):
    scope_path = "commune"

    def regular(self):
        return self.filter(procedure=RequestProcedure.REGULAR)

    def pending(self):
        """Regular requests neither decided (no regular review cites them) nor refused."""
        return self.regular().filter(refused_on=None).exclude(regular_reviews__isnull=False)

    def with_decided(self):
        """Annotated `decided`: a regular review cites the request (one subquery, not a query per row)."""
        return self.annotate(decided=models.Exists(RegularReview.objects.filter(request=models.OuterRef("pk"))))


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
    procedure = models.CharField("mẫu đơn", max_length=10, choices=RequestProcedure.choices,
                                 default=RequestProcedure.PERIODIC)
    # The regular review's steps (Decision 24 Art. 5: steps 2–4 of the periodic review apply): survey, village
    # meeting, public posting; then the chairman's decision (a RegularReview citing the request) or a refusal.
    surveyed_on = models.DateField("ngày khảo sát (phiếu B)", null=True, blank=True)
    meeting_date = models.DateField("ngày họp thôn", null=True, blank=True)
    attendees = models.PositiveIntegerField("số người dự họp", null=True, blank=True)
    in_favour = models.PositiveIntegerField("số người đồng ý", null=True, blank=True)
    posted_from = models.DateField("niêm yết từ ngày", null=True, blank=True)
    posted_to = models.DateField("niêm yết đến ngày", null=True, blank=True)
    refused_on = models.DateField("ngày văn bản trả lời không công nhận", null=True, blank=True)
    refusal_number = models.CharField("số văn bản trả lời", max_length=50, blank=True)
    refusal_reasons = models.TextField("lý do không công nhận", blank=True)
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

    @property
    def is_regular(self):
        return self.procedure == RequestProcedure.REGULAR


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
    b1_score = models.PositiveIntegerField("điểm A (điểm thu nhập, B1)", null=True, blank=True)
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
