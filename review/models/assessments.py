"""Each household's yearly assessment: the officer's inputs, the derived class and movement."""
from django.db import models
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit
from areas.scoping import ScopedQuerySet
from core.versioning import VersionedModel
from households.models import Household, Livelihood
from review.models.rounds import ReviewRound, RoundLockedError, RoundStatus
from review.models.standards import PovertyReason, PovertyStandard
from review.vocabulary import ESCAPE_MOVEMENTS, Classification, Movement


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
    is_urban = models.BooleanField("khu vực đô thị", default=False)
    income_per_capita = models.BigIntegerField("thu nhập bình quân (đồng/người/tháng)", null=True, blank=True)
    b1_score = models.PositiveIntegerField("điểm A (điểm thu nhập, B1)", null=True, blank=True,
                                           help_text="Điểm A của phiếu B: điểm thu nhập (cán bộ gọi là điểm B1).")
    deprivations = models.CharField("chỉ số thiếu hụt", max_length=100, blank=True, default="")
    deprivation_count = models.PositiveSmallIntegerField(
        "số chỉ số thiếu hụt", default=0,
        help_text="Điểm B (điểm thiếu hụt, B2) = 10 điểm mỗi chỉ số thiếu hụt; hộ nghèo khi từ 30 điểm.")
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
