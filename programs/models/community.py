"""Community projects, cooperative groups, vocational training, commendations and sponsors.

A community project, a cooperative group or a training course belongs to one commune but may hold
households (members, trainees) of other communes. An officer sees and changes only the part they may see:
`with_visible_parts(user)` on the record's queryset and `<part>_visible_to(user)` on the record are the
reads, the parts' `parts_visible_to(user)` says which stored rows are theirs, and the write services
(programs/services.py) keep every other row exactly as stored. The admin and the API both use these.
"""
import functools
import operator

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Prefetch, Q
from simple_history.models import HistoricalRecords

from areas.models import AdministrativeUnit, Level
from areas.scoping import ScopedQuerySet, visible_area_codes
from core.versioning import VersionedModel
from households.models import Household, Member
from programs.models.catalogue import Program, check_program_year
from programs.models.support import budget_vnd
from review.models import Assessment


class CommuneScoped(ScopedQuerySet):
    scope_path = "commune"


class PartQuerySet(ScopedQuerySet):
    """Rows that are one household's part of a record that may span communes (a membership, a trainee).

    `visible_to(user)` follows the record (`scope_path`); `parts_visible_to(user)` keeps the rows whose own
    household the user may see (`part_path`): only those are shown to the user and changed by them.
    """

    part_path = None  # e.g. "household__commune"

    def parts_visible_to(self, user):
        codes = visible_area_codes(user)
        if codes is None:
            return self
        return self.filter(**{f"{self.part_path}__in": codes})


def part_count(relation, user, part_path, condition=None):
    """Count(`relation`) of a record spanning communes, of the rows in `user`'s part only: those whose household
    (`relation__part_path`, a commune) the user may see through the scoping door, and meet `condition`. A count
    of the other communes' rows would tell the reader what the record's list hides from them."""
    codes = visible_area_codes(user)
    conditions = [q for q in (None if codes is None else Q(**{f"{relation}__{part_path}__in": codes}), condition)
                  if q is not None]
    return Count(relation, filter=functools.reduce(operator.and_, conditions) if conditions else None, distinct=True)


def _prefetched(record, attribute, query):
    """The part prefetched by `with_visible_parts(user)`, else read now (one query)."""
    part = getattr(record, attribute, None)
    return list(query()) if part is None else part


class CommunityProjectQuerySet(CommuneScoped):
    @staticmethod
    def households_count(user):
        """The project's households in `user`'s part (admin list, report)."""
        return part_count("households", user, "commune")

    def with_part_counts(self, user):
        return self.annotate(household_total=self.households_count(user))

    def with_visible_parts(self, user):
        return self.prefetch_related(Prefetch("households", queryset=Household.objects.visible_to(user).order_by("code"),
                                              to_attr="_visible_households"))


class HouseholdScoped(ScopedQuerySet):
    scope_path = "household__commune"


def commune_field():
    return models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+", verbose_name="xã/phường",
                             limit_choices_to={"level": Level.COMMUNE})


class CommunityProject(VersionedModel):
    """A project or model approved for a commune (e.g. community rubber planting), with its households."""

    name = models.CharField("tên dự án, mô hình", max_length=300)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="projects", verbose_name="chương trình")
    commune = commune_field()
    year = models.PositiveSmallIntegerField("năm phê duyệt")
    budget = models.BigIntegerField("kinh phí (đồng)", default=0, validators=budget_vnd)
    households = models.ManyToManyField(Household, blank=True, related_name="community_projects",
                                        verbose_name="hộ tham gia")

    history = HistoricalRecords(m2m_fields=[households])
    objects = CommunityProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "dự án, mô hình cộng đồng"
        verbose_name_plural = "dự án, mô hình cộng đồng"
        ordering = ["-year", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        check_program_year(self.program if self.program_id else None, self.year)

    def households_visible_to(self, user):
        """The project's households `user` may see, by code; the others are not shown to them."""
        return _prefetched(self, "_visible_households",
                           lambda: self.households.visible_to(user).order_by("code"))


class CooperativeGroupQuerySet(CommuneScoped):
    @staticmethod
    def members_count(user, on=None):
        """The group's memberships in `user`'s part: every one, or those active on the day `on` (the report)."""
        active = None if on is None else (Q(memberships__joined_on__lte=on) & (
            Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=on)))
        return part_count("memberships", user, "household__commune", active)

    def with_part_counts(self, user):
        return self.annotate(members_total=self.members_count(user))

    def with_visible_parts(self, user):
        memberships = GroupMembership.objects.parts_visible_to(user).select_related("household")
        return self.prefetch_related(Prefetch("memberships", queryset=memberships, to_attr="_visible_memberships"))


class CooperativeGroup(VersionedModel):
    name = models.CharField("tên tổ hợp tác", max_length=200)
    commune = commune_field()
    founded_on = models.DateField("ngày thành lập")
    activity = models.CharField("lĩnh vực hoạt động", max_length=200)

    history = HistoricalRecords()
    objects = CooperativeGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "tổ hợp tác"
        verbose_name_plural = "tổ hợp tác"
        ordering = ["commune", "name"]

    def __str__(self):
        return self.name

    def memberships_visible_to(self, user):
        """The memberships (past and current) of households `user` may see; the others are not shown to them."""
        return _prefetched(self, "_visible_memberships",
                           lambda: self.memberships.parts_visible_to(user).select_related("household"))


class GroupMembershipQuerySet(PartQuerySet):
    scope_path = "group__commune"
    part_path = "household__commune"

    def active_on(self, day):
        return self.filter(joined_on__lte=day).filter(models.Q(left_on__isnull=True) | models.Q(left_on__gte=day))


class GroupMembership(models.Model):
    group = models.ForeignKey(CooperativeGroup, on_delete=models.CASCADE, related_name="memberships",
                              verbose_name="tổ hợp tác")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="group_memberships",
                                  verbose_name="hộ thành viên")
    joined_on = models.DateField("ngày tham gia")
    left_on = models.DateField("ngày rời tổ", null=True, blank=True)

    history = HistoricalRecords()
    objects = GroupMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "thành viên tổ hợp tác"
        verbose_name_plural = "thành viên tổ hợp tác"
        ordering = ["group", "joined_on"]

    def __str__(self):
        return f"{self.household_id} ∈ {self.group_id}"

    def clean(self):
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": "Ngày rời tổ không thể trước ngày tham gia."})


class TrainingCourseQuerySet(CommuneScoped):
    @staticmethod
    def trainees_count(user, status=None):
        """The course's trainees in `user`'s part: enrolled (every status), or those of `status` (graduated…)."""
        return part_count("trainees", user, "member__household__commune",
                          None if status is None else Q(trainees__status=status))

    def with_part_counts(self, user):
        return self.annotate(enrolled_total=self.trainees_count(user),
                             graduated_total=self.trainees_count(user, TraineeStatus.GRADUATED))

    def with_visible_parts(self, user):
        trainees = Trainee.objects.parts_visible_to(user).order_by("pk")
        return self.prefetch_related(Prefetch("trainees", queryset=trainees, to_attr="_visible_trainees"))


class TrainingCourse(VersionedModel):
    name = models.CharField("tên lớp", max_length=200)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="courses", verbose_name="chương trình")
    trade = models.CharField("nghề đào tạo", max_length=150)
    year = models.PositiveSmallIntegerField("năm")
    commune = commune_field()

    history = HistoricalRecords()
    objects = TrainingCourseQuerySet.as_manager()

    class Meta:
        verbose_name = "lớp đào tạo nghề"
        verbose_name_plural = "lớp đào tạo nghề"
        ordering = ["-year", "name"]

    def __str__(self):
        return f"{self.name} ({self.year})"

    def clean(self):
        check_program_year(self.program if self.program_id else None, self.year)

    def trainees_visible_to(self, user):
        """The trainees `user` may see (members of their households); the others are not shown to them."""
        return _prefetched(self, "_visible_trainees", lambda: self.trainees.parts_visible_to(user).order_by("pk"))


class TraineeStatus(models.TextChoices):
    ENROLLED = "enrolled", "Đang học"
    GRADUATED = "graduated", "Tốt nghiệp"
    DROPPED = "dropped", "Bỏ học"


class TraineeQuerySet(PartQuerySet):
    scope_path = "course__commune"
    part_path = "member__household__commune"


class Trainee(models.Model):
    """A member in a course. It has no date of its own: it counts in the course's year (training report),
    whenever it was entered."""

    course = models.ForeignKey(TrainingCourse, on_delete=models.CASCADE, related_name="trainees", verbose_name="lớp")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="trainings", verbose_name="học viên")
    status = models.CharField("kết quả", max_length=10, choices=TraineeStatus.choices, default=TraineeStatus.ENROLLED)

    history = HistoricalRecords()
    objects = TraineeQuerySet.as_manager()

    class Meta:
        verbose_name = "học viên"
        verbose_name_plural = "học viên"
        constraints = [models.UniqueConstraint(fields=["course", "member"], name="unique_trainee",
                                               violation_error_message="Người này đã có trong lớp.")]

    def __str__(self):
        return f"{self.member} – {self.get_status_display()}"


class Commendation(models.Model):
    """A certificate of merit to a household that escaped poverty, praised before the village community."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="commendations", verbose_name="hộ")
    year = models.PositiveSmallIntegerField("năm")
    issuer = models.CharField("cơ quan khen thưởng", max_length=200)
    decision_number = models.CharField("số quyết định", max_length=50)
    date = models.DateField("ngày quyết định")

    history = HistoricalRecords()
    objects = HouseholdScoped.as_manager()

    class Meta:
        verbose_name = "khen thưởng hộ thoát nghèo"
        verbose_name_plural = "khen thưởng hộ thoát nghèo"
        ordering = ["-year", "household"]

    def __str__(self):
        return f"{self.household_id} – {self.decision_number}"

    def clean(self):
        if self.household_id and self.year:
            escaped = Assessment.objects.filter(household_id=self.household_id, year__lte=self.year).escaped().exists()
            if not escaped:
                raise ValidationError({"household": f"Hộ này chưa có kết quả thoát nghèo đến năm {self.year}."})


class SponsorKind(models.TextChoices):
    PARTY_MEMBER = "party_member", "Đảng viên"
    UNION_MEMBER = "union_member", "Đoàn viên, hội viên"
    HOUSEHOLD = "household", "Hộ khá giả"
    OFFICER = "officer", "Cán bộ"


class Sponsorship(models.Model):
    """"Xã bám thôn, thôn bám hộ": someone assigned to follow a poor household."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="sponsorships",
                                  verbose_name="hộ được giúp đỡ")
    sponsor_name = models.CharField("người giúp đỡ", max_length=150)
    sponsor_kind = models.CharField("là", max_length=15, choices=SponsorKind.choices)
    sponsor_household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="sponsoring", verbose_name="hộ giúp đỡ (nếu là hộ khá giả)")
    since = models.DateField("từ ngày")
    until = models.DateField("đến ngày", null=True, blank=True)
    notes = models.TextField("ghi chú", blank=True)

    history = HistoricalRecords()
    objects = HouseholdScoped.as_manager()

    class Meta:
        verbose_name = "phân công giúp đỡ hộ nghèo"
        verbose_name_plural = "phân công giúp đỡ hộ nghèo"
        ordering = ["-since"]

    def __str__(self):
        return f"{self.sponsor_name} → {self.household_id}"

    def clean(self):
        errors = {}
        if self.until and self.since and self.until < self.since:
            errors["until"] = "Ngày kết thúc không thể trước ngày bắt đầu."
        if self.sponsor_household_id and self.sponsor_household_id == self.household_id:
            errors["sponsor_household"] = "Một hộ không thể tự giúp đỡ chính mình."
        if errors:
            raise ValidationError(errors)


class SponsorVisit(models.Model):
    sponsorship = models.ForeignKey(Sponsorship, on_delete=models.CASCADE, related_name="visits",
                                    verbose_name="phân công")
    date = models.DateField("ngày thăm")
    note = models.TextField("nội dung")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "lần thăm hộ"
        verbose_name_plural = "lần thăm hộ"
        ordering = ["-date"]

    def __str__(self):
        return f"Lần thăm ngày {self.date:%d/%m/%Y}" if self.date else "Lần thăm hộ"
