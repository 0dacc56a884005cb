"""REST API for programs, budgets, benefits, community projects, cooperative groups, training, commendations.
Every field a serializer here shows is written, or the request is refused naming it (WritesWhatItShows).
The households, members and trainees of a record that spans communes are shown and written only for the
part the user may see (the models' `with_visible_parts`, the services `*_set`); the rest is kept as stored.
"""
from django.db import transaction
from rest_framework import serializers, viewsets

from areas.models import AdministrativeUnit, codes_under
from core.api.base import ModelCleanSerializer, ScopedSlugField, ScopedViewSet, WritesWhatItShows
from households.api import ScopedMemberField
from households.models import Household, Member
from programs.models import (
    Benefit,
    BudgetAllocation,
    Commendation,
    CommunityProject,
    CooperativeGroup,
    Program,
    Trainee,
    TrainingCourse,
)
from programs.services import course_trainees_set, group_members_set, project_households_set

PROGRAM = dict(slug_field="code", queryset=Program.objects.all())
AREA = dict(slug_field="code", queryset=AdministrativeUnit.objects.all())
HOUSEHOLD = dict(slug_field="code", queryset=Household.objects.all())


class ProgramsSerializer(WritesWhatItShows, ModelCleanSerializer):
    @property
    def acting_user(self):
        return self.context["request"].user

    def save(self, **kwargs):
        with transaction.atomic():  # the record and its households, members or trainees: all or nothing
            return super().save(**kwargs)


class VisiblePartField(serializers.ManyRelatedField):
    """A list inside a record spanning communes: reads only the part `part(record, user)` the user may see."""

    def __init__(self, part, **kwargs):
        self.part = part
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return self.part(instance, self.context["request"].user)


class PartsViewSet(ScopedViewSet):
    """Reads records with the part of them the user may see; answers a write with the record read back so."""

    def get_queryset(self):
        return super().get_queryset().with_visible_parts(self.request.user)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


class ProgramSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Program
        fields = ["code", "name", "parent", "unit", "first_year", "last_year", "legal_basis"]


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Program.objects.select_related("parent").order_by("code")
    serializer_class = ProgramSerializer
    lookup_field = "code"


class BudgetAllocationSerializer(ProgramsSerializer):
    program = serializers.SlugRelatedField(**PROGRAM)
    area = ScopedSlugField(**AREA)

    class Meta:
        model = BudgetAllocation
        fields = ["id", "program", "year", "area", "amount"]
        validators = []


class BudgetAllocationViewSet(ScopedViewSet):
    queryset = BudgetAllocation.objects.all()
    serializer_class = BudgetAllocationSerializer
    select_related = ("program", "area")
    filterset_fields = ["year"]

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "program_id")


class BenefitSerializer(ProgramsSerializer):
    program = serializers.SlugRelatedField(**PROGRAM)
    household = ScopedSlugField(**HOUSEHOLD)
    member = ScopedMemberField(queryset=Member.objects.all(), required=False, allow_null=True)
    amount = serializers.IntegerField(min_value=0, error_messages={"invalid": "Số tiền là số nguyên đồng."})
    quantity = serializers.IntegerField(min_value=1, required=False, default=1)

    class Meta:
        model = Benefit
        fields = ["id", "program", "year", "date", "household", "member", "quantity", "amount", "note"]


class BenefitViewSet(ScopedViewSet):
    queryset = Benefit.objects.all()
    serializer_class = BenefitSerializer
    select_related = ("program", "household")
    filterset_fields = {"program": ["exact"], "year": ["exact"], "household__code": ["exact"]}

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-date", "pk")
        params = self.request.query_params
        if params.get("commune"):
            queryset = queryset.filter(household__commune_id__in=codes_under([params["commune"]]))
        if params.get("household"):
            queryset = queryset.filter(household__code=params["household"])
        return queryset


class CommunityProjectSerializer(ProgramsSerializer):
    program = serializers.SlugRelatedField(**PROGRAM)
    commune = ScopedSlugField(**AREA)
    households = VisiblePartField(
        part=lambda project, user: project.households_visible_to(user), child_relation=ScopedSlugField(**HOUSEHOLD),
        required=False, help_text="Mã các hộ tham gia trong địa bàn của bạn (hộ của xã khác giữ nguyên, không hiện).")

    class Meta:
        model = CommunityProject
        fields = ["id", "name", "program", "commune", "year", "budget", "households"]

    def create(self, validated_data):
        households = validated_data.pop("households", None)
        project = super().create(validated_data)
        if households is not None:
            project_households_set(project=project, households=households, acting_user=self.acting_user)
        return project

    def update(self, instance, validated_data):
        households = validated_data.pop("households", None)
        project = super().update(instance, validated_data)
        if households is not None:
            project_households_set(project=project, households=households, acting_user=self.acting_user)
        return project


class CommunityProjectViewSet(PartsViewSet):
    queryset = CommunityProject.objects.all()
    serializer_class = CommunityProjectSerializer
    select_related = ("program", "commune")
    filterset_fields = ["year"]

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "pk")


def current_members(group, user):
    return [m.household for m in group.memberships_visible_to(user) if m.left_on is None]


class CooperativeGroupSerializer(ProgramsSerializer):
    commune = ScopedSlugField(**AREA)
    members = VisiblePartField(
        part=current_members, child_relation=ScopedSlugField(**HOUSEHOLD), required=False,
        help_text="Mã các hộ đang là thành viên, trong địa bàn của bạn. Hộ mới tham gia từ `joined_on`, không có "
                  "thì từ ngày thành lập tổ; hộ không còn trong danh sách rời tổ hôm nay; hộ của xã khác giữ nguyên.")
    joined_on = serializers.DateField(
        write_only=True, required=False,
        help_text="Ngày tham gia của các hộ mới thêm trong `members` (mặc định: ngày thành lập tổ).")

    class Meta:
        model = CooperativeGroup
        fields = ["id", "name", "commune", "founded_on", "activity", "members", "joined_on"]

    def validate(self, attrs):
        if "joined_on" in attrs and "members" not in attrs:
            raise serializers.ValidationError({"joined_on": ["Chỉ dùng cùng với danh sách members."]})
        return super().validate(attrs)

    def create(self, validated_data):
        members, joined_on = validated_data.pop("members", None), validated_data.pop("joined_on", None)
        group = super().create(validated_data)
        self._write_members(group, members, joined_on)
        return group

    def update(self, instance, validated_data):
        members, joined_on = validated_data.pop("members", None), validated_data.pop("joined_on", None)
        group = super().update(instance, validated_data)
        self._write_members(group, members, joined_on)
        return group

    def _write_members(self, group, members, joined_on):
        if members is not None:
            group_members_set(group=group, households=members, acting_user=self.acting_user, joined_on=joined_on)


class CooperativeGroupViewSet(PartsViewSet):
    queryset = CooperativeGroup.objects.all()
    serializer_class = CooperativeGroupSerializer
    select_related = ("commune",)

    def get_queryset(self):
        return super().get_queryset().order_by("pk")


class VisibleTraineeList(serializers.ListSerializer):
    def get_attribute(self, instance):
        return instance.trainees_visible_to(self.context["request"].user)


class TraineeSerializer(WritesWhatItShows, serializers.ModelSerializer):
    member = ScopedMemberField(queryset=Member.objects.all())

    class Meta:
        model = Trainee
        fields = ["member", "status"]
        list_serializer_class = VisibleTraineeList


class TrainingCourseSerializer(ProgramsSerializer):
    program = serializers.SlugRelatedField(**PROGRAM)
    commune = ScopedSlugField(**AREA)
    trainees = TraineeSerializer(
        many=True, required=False,
        help_text="Học viên trong địa bàn của bạn; học viên của xã khác giữ nguyên, không hiện.")
    enrolled = serializers.IntegerField(read_only=True, source="enrolled_total")  # the user's part, as `trainees`
    graduated = serializers.IntegerField(read_only=True, source="graduated_total")

    class Meta:
        model = TrainingCourse
        fields = ["id", "name", "program", "trade", "year", "commune", "trainees", "enrolled", "graduated"]

    def create(self, validated_data):
        trainees = validated_data.pop("trainees", None)
        course = super().create(validated_data)
        if trainees is not None:
            course_trainees_set(course=course, trainees=trainees, acting_user=self.acting_user)
        return course

    def update(self, instance, validated_data):
        trainees = validated_data.pop("trainees", None)
        course = super().update(instance, validated_data)
        if trainees is not None:
            course_trainees_set(course=course, trainees=trainees, acting_user=self.acting_user)
        return course


class TrainingCourseViewSet(PartsViewSet):
    queryset = TrainingCourse.objects.all()
    serializer_class = TrainingCourseSerializer
    select_related = ("program", "commune")
    filterset_fields = ["year"]

    def get_queryset(self):
        # The counts are of the user's part, as the list of trainees is (programs.models.community.part_count).
        return super().get_queryset().with_part_counts(self.request.user).order_by("-year", "pk")


class CommendationSerializer(ProgramsSerializer):
    household = ScopedSlugField(**HOUSEHOLD)

    class Meta:
        model = Commendation
        fields = ["id", "household", "year", "issuer", "decision_number", "date"]


class CommendationViewSet(ScopedViewSet):
    queryset = Commendation.objects.all()
    serializer_class = CommendationSerializer
    select_related = ("household",)
    filterset_fields = ["year"]

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "pk")


