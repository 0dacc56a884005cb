"""API of the average-living-standard procedure: requests, determinations and the chairman's decisions (the
recognised list: decisions filtered by commune, year and month). Reads go through the scoping door; each POST is
a service call (living_standard.services); the records are legal records, not changed or deleted over the API."""
from django import forms
from django_filters import rest_framework as filters
from rest_framework import mixins, permissions, serializers, viewsets

from core.api.base import EditorOrReadOnly, ScopedSlugField, WritesWhatItShows
from households.models import Household
from living_standard.models import LivingStandardDecision, LivingStandardDetermination, LivingStandardRequest
from living_standard.services import decision_record, determination_save, request_save
from review.api.assessments import CommuneHouseholdFilter
from review.regular import may_recognise


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """The id of a record the user may see (others: "does not exist")."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        return queryset.visible_to(request.user) if request is not None else queryset.none()


class RequestSerializer(WritesWhatItShows, serializers.ModelSerializer):
    household = ScopedSlugField(slug_field="code", queryset=Household.objects.all(), help_text="Mã hộ.")
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    class Meta:
        model = LivingStandardRequest
        fields = ["id", "household", "commune", "village", "requested_on", "livelihood", "note", "version"]
        read_only_fields = ["livelihood", "version"]

    def create(self, validated_data):
        return request_save(acting_user=self.context["request"].user, household=validated_data["household"],
                            requested_on=validated_data["requested_on"], note=validated_data.get("note", ""))


class DeterminationSerializer(WritesWhatItShows, serializers.ModelSerializer):
    request = ScopedPrimaryKeyField(queryset=LivingStandardRequest.objects.all(), help_text="Mã (id) đơn đề nghị.")
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    standard = serializers.SlugRelatedField(slug_field="code", read_only=True)
    members = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=100,
                                       help_text="Số nhân khẩu; để trống: số nhân khẩu của hộ hiện nay.")
    total_income = serializers.IntegerField(min_value=0, max_value=10**12,
                                            help_text="Tổng thu nhập thực tế 12 tháng trước ngày nộp đơn (đồng), "
                                                      "kể cả trợ cấp xã hội nếu có.")
    social_assistance = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10**12,
                                                 help_text="Trong đó: trợ cấp xã hội (không tính vào thu nhập).")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    class Meta:
        model = LivingStandardDetermination
        fields = ["id", "request", "commune", "determined_on", "period_start", "period_end", "members",
                  "total_income", "social_assistance", "income_per_capita", "standard", "is_urban", "income_line",
                  "average_line", "meets", "note", "version"]
        read_only_fields = ["period_start", "period_end", "income_per_capita", "is_urban", "income_line",
                            "average_line", "meets", "version"]

    def create(self, validated_data):
        return determination_save(
            acting_user=self.context["request"].user, request=validated_data["request"],
            determined_on=validated_data["determined_on"], total_income=validated_data["total_income"],
            social_assistance=validated_data.get("social_assistance", 0), members=validated_data.get("members"),
            note=validated_data.get("note", ""))


class DecisionSerializer(WritesWhatItShows, serializers.ModelSerializer):
    determination = ScopedPrimaryKeyField(queryset=LivingStandardDetermination.objects.all(),
                                          help_text="Mã (id) kết quả xác định thu nhập (đạt mức sống trung bình).")
    household = serializers.SlugRelatedField(slug_field="code", read_only=True)
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = LivingStandardDecision
        fields = ["id", "determination", "household", "commune", "village", "decision_number", "decision_date",
                  "notes", "version"]
        read_only_fields = ["version"]

    def create(self, validated_data):
        return decision_record(acting_user=self.context["request"].user,
                               determination=validated_data["determination"],
                               decision_number=validated_data["decision_number"],
                               decision_date=validated_data["decision_date"], notes=validated_data.get("notes", ""))


class RequestFilter(CommuneHouseholdFilter):
    class Meta:
        model = LivingStandardRequest
        fields = ["commune", "household", "livelihood"]


class DeterminationFilter(CommuneHouseholdFilter):
    household = filters.CharFilter(field_name="request__household__code")

    class Meta:
        model = LivingStandardDetermination
        fields = ["commune", "household", "meets"]


class WholeNumberFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class DecisionFilter(CommuneHouseholdFilter):
    year = WholeNumberFilter(field_name="decision_date__year", min_value=2000, max_value=2100,
                             help_text="Năm của quyết định.")
    month = WholeNumberFilter(field_name="decision_date__month", min_value=1, max_value=12,
                              help_text="Tháng của quyết định (1–12).")

    class Meta:
        model = LivingStandardDecision
        fields = ["commune", "household", "year", "month"]


class CreateListRead(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    permission_classes = [EditorOrReadOnly]
    select_related = ()

    def get_queryset(self):
        return (self.queryset.model.objects.visible_to(self.request.user).select_related(*self.select_related)
                .order_by(*self.ordering))

    def perform_create(self, serializer):
        serializer.save()  # the service runs its own transaction


class RequestViewSet(CreateListRead):
    """Requests to be recognised as of average living standard (farm, forestry, fishery or salt-making households
    only); POST by the commune's officers."""

    queryset = LivingStandardRequest.objects.all()
    serializer_class = RequestSerializer
    filterset_class = RequestFilter
    select_related = ("household", "commune", "village")
    ordering = ("-requested_on", "-pk")


class DeterminationViewSet(CreateListRead):
    """Income determined on the last 12 months, social assistance excluded, against the average line; POST by the
    commune's officers."""

    queryset = LivingStandardDetermination.objects.all()
    serializer_class = DeterminationSerializer
    filterset_class = DeterminationFilter
    select_related = ("request", "commune", "standard")
    ordering = ("-determined_on", "-pk")


class RecognisesOrReadOnly(permissions.BasePermission):
    message = "Chỉ Chủ tịch (Phó Chủ tịch) UBND xã công nhận hộ có mức sống trung bình."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or may_recognise(user)


class DecisionViewSet(CreateListRead):
    """The chairman's decisions recognising households of average living standard — the recognised list of a
    commune and period: `?commune=…&year=…&month=…`. POST by the commune chairman or an administrator."""

    queryset = LivingStandardDecision.objects.all()
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    permission_classes = [RecognisesOrReadOnly]
    select_related = ("household", "commune", "village")
    ordering = ("commune_id", "-decision_date", "household__code")
