"""REST API for programs, budgets, benefits, community projects, cooperative groups, training, commendations."""
from django.db import transaction
from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from areas.models import AdministrativeUnit, codes_under
from core.api.base import ModelCleanSerializer, ScopedSlugField, ScopedViewSet
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

PROGRAM = dict(slug_field="code", queryset=Program.objects.all())
AREA = dict(slug_field="code", queryset=AdministrativeUnit.objects.all())
HOUSEHOLD = dict(slug_field="code", queryset=Household.objects.all())


class ProgramSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Program
        fields = ["code", "name", "parent", "unit", "first_year", "last_year", "legal_basis"]


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Program.objects.select_related("parent").order_by("code")
    serializer_class = ProgramSerializer
    lookup_field = "code"


class BudgetAllocationSerializer(ModelCleanSerializer):
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


class BenefitSerializer(ModelCleanSerializer):
    program = serializers.SlugRelatedField(**PROGRAM)
    household = ScopedSlugField(**HOUSEHOLD)
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all(), required=False, allow_null=True)
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


class CommunityProjectSerializer(ModelCleanSerializer):
    program = serializers.SlugRelatedField(**PROGRAM)
    commune = ScopedSlugField(**AREA)
    households = ScopedSlugField(many=True, required=False, **HOUSEHOLD)

    class Meta:
        model = CommunityProject
        fields = ["id", "name", "program", "commune", "year", "budget", "households"]


class CommunityProjectViewSet(ScopedViewSet):
    queryset = CommunityProject.objects.all()
    serializer_class = CommunityProjectSerializer
    select_related = ("program", "commune")
    prefetch_related = ("households",)
    filterset_fields = ["year"]

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "pk")


class CooperativeGroupSerializer(ModelCleanSerializer):
    commune = ScopedSlugField(**AREA)
    members = serializers.SerializerMethodField()

    class Meta:
        model = CooperativeGroup
        fields = ["id", "name", "commune", "founded_on", "activity", "members"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_members(self, group):
        return [m.household.code for m in group.memberships.all() if m.left_on is None]


class CooperativeGroupViewSet(ScopedViewSet):
    queryset = CooperativeGroup.objects.all()
    serializer_class = CooperativeGroupSerializer
    select_related = ("commune",)
    prefetch_related = ("memberships__household",)

    def get_queryset(self):
        return super().get_queryset().order_by("pk")


class TraineeSerializer(serializers.ModelSerializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())

    class Meta:
        model = Trainee
        fields = ["member", "status"]


class TrainingCourseSerializer(ModelCleanSerializer):
    program = serializers.SlugRelatedField(**PROGRAM)
    commune = ScopedSlugField(**AREA)
    trainees = TraineeSerializer(many=True, required=False)
    enrolled = serializers.IntegerField(read_only=True, source="enrolled_total")
    graduated = serializers.IntegerField(read_only=True, source="graduated_total")

    class Meta:
        model = TrainingCourse
        fields = ["id", "name", "program", "trade", "year", "commune", "trainees", "enrolled", "graduated"]

    def validate_trainees(self, trainees):
        request = self.context["request"]
        visible = set(Member.objects.visible_to(request.user).filter(
            pk__in=[t["member"].pk for t in trainees]).values_list("pk", flat=True))
        for trainee in trainees:
            if trainee["member"].pk not in visible:
                raise serializers.ValidationError(f"Không có thành viên {trainee['member'].pk} trong địa bàn của bạn.")
        return trainees

    def _write_trainees(self, course, trainees):
        if trainees is None:
            return
        course.trainees.all().delete()
        Trainee.objects.bulk_create(Trainee(course=course, **t) for t in trainees)

    def create(self, validated_data):
        trainees = validated_data.pop("trainees", None)
        with transaction.atomic():
            course = super().create(validated_data)
            self._write_trainees(course, trainees)
        return _annotated(course)

    def update(self, instance, validated_data):
        trainees = validated_data.pop("trainees", None)
        with transaction.atomic():
            course = super().update(instance, validated_data)
            self._write_trainees(course, trainees)
        return _annotated(course)


def _annotate(queryset):
    return queryset.annotate(enrolled_total=Count("trainees", distinct=True),
                             graduated_total=Count("trainees", filter=Q(trainees__status="graduated"), distinct=True))


def _annotated(course):
    return _annotate(TrainingCourse.objects.filter(pk=course.pk)).prefetch_related("trainees").get()


class TrainingCourseViewSet(ScopedViewSet):
    queryset = TrainingCourse.objects.all()
    serializer_class = TrainingCourseSerializer
    select_related = ("program", "commune")
    prefetch_related = ("trainees",)
    filterset_fields = ["year"]

    def get_queryset(self):
        return _annotate(super().get_queryset()).order_by("-year", "pk")


class CommendationSerializer(ModelCleanSerializer):
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


