"""API of the low-income-worker procedure: applications, determinations and the commune's confirmations (the list:
confirmations filtered by commune, year and month). Reads go through the scoping door; each POST is a service call
(low_income.services); the records are legal records, not changed or deleted over the API."""
from django import forms
from django_filters import rest_framework as filters
from rest_framework import mixins, permissions, serializers, viewsets

from core.api.base import EditorOrReadOnly, WritesWhatItShows
from households.models import Member
from low_income.models import LowIncomeApplication, LowIncomeConfirmation, LowIncomeDetermination
from low_income.services import application_save, confirmation_record, determination_save
from review.api.assessments import CommuneHouseholdFilter
from review.regular import may_recognise


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """The id of a record the user may see (others: "does not exist")."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        return queryset.visible_to(request.user) if request is not None else queryset.none()


class LowIncomeApplicationSerializer(WritesWhatItShows, serializers.ModelSerializer):
    member = ScopedPrimaryKeyField(queryset=Member.objects.all(), help_text="Mã (id) nhân khẩu nộp đơn.")
    household = serializers.SlugRelatedField(slug_field="code", read_only=True)
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    class Meta:
        model = LowIncomeApplication
        fields = ["id", "member", "household", "commune", "village", "applied_on", "note", "version"]
        read_only_fields = ["version"]

    def create(self, validated_data):
        return application_save(acting_user=self.context["request"].user, member=validated_data["member"],
                                applied_on=validated_data["applied_on"], note=validated_data.get("note", ""))


class LowIncomeDeterminationSerializer(WritesWhatItShows, serializers.ModelSerializer):
    application = ScopedPrimaryKeyField(queryset=LowIncomeApplication.objects.all(), help_text="Mã (id) đơn đề nghị.")
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    income_per_month = serializers.IntegerField(min_value=0, max_value=10**11,
                                                help_text="Thu nhập bình quân tháng của người lao động (đồng).")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    class Meta:
        model = LowIncomeDetermination
        fields = ["id", "application", "commune", "determined_on", "income_per_month", "household_class",
                  "is_urban", "income_line", "note", "version"]
        read_only_fields = ["household_class", "is_urban", "income_line", "version"]

    def create(self, validated_data):
        return determination_save(acting_user=self.context["request"].user,
                                  application=validated_data["application"],
                                  determined_on=validated_data["determined_on"],
                                  income_per_month=validated_data["income_per_month"],
                                  note=validated_data.get("note", ""))


class LowIncomeConfirmationSerializer(WritesWhatItShows, serializers.ModelSerializer):
    determination = ScopedPrimaryKeyField(queryset=LowIncomeDetermination.objects.all(),
                                          help_text="Mã (id) kết quả xác định thu nhập.")
    member = serializers.PrimaryKeyRelatedField(read_only=True)
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    household = serializers.SlugRelatedField(slug_field="code", read_only=True)
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = LowIncomeConfirmation
        fields = ["id", "determination", "member", "member_name", "household", "commune", "village",
                  "decision_number", "decision_date", "notes", "version"]
        read_only_fields = ["version"]

    def create(self, validated_data):
        return confirmation_record(acting_user=self.context["request"].user,
                                   determination=validated_data["determination"],
                                   decision_number=validated_data["decision_number"],
                                   decision_date=validated_data["decision_date"],
                                   notes=validated_data.get("notes", ""))


class ApplicationFilter(CommuneHouseholdFilter):
    class Meta:
        model = LowIncomeApplication
        fields = ["commune", "household"]


class DeterminationFilter(CommuneHouseholdFilter):
    household = filters.CharFilter(field_name="application__household__code")

    class Meta:
        model = LowIncomeDetermination
        fields = ["commune", "household"]


class WholeNumberFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class ConfirmationFilter(CommuneHouseholdFilter):
    year = WholeNumberFilter(field_name="decision_date__year", min_value=2000, max_value=2100,
                             help_text="Năm của quyết định/xác nhận.")
    month = WholeNumberFilter(field_name="decision_date__month", min_value=1, max_value=12,
                              help_text="Tháng của quyết định/xác nhận (1–12).")

    class Meta:
        model = LowIncomeConfirmation
        fields = ["commune", "household", "year", "month"]


class CreateListRead(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    permission_classes = [EditorOrReadOnly]
    select_related = ()
    ordering = ("-pk",)

    def get_queryset(self):
        return (self.queryset.model.objects.visible_to(self.request.user).select_related(*self.select_related)
                .order_by(*self.ordering))

    def perform_create(self, serializer):
        serializer.save()  # the service runs its own transaction


class ApplicationViewSet(CreateListRead):
    """Applications of workers (members of households neither poor nor near-poor) to be identified as workers with
    low income; POST by the commune's officers."""

    queryset = LowIncomeApplication.objects.all()
    serializer_class = LowIncomeApplicationSerializer
    filterset_class = ApplicationFilter
    select_related = ("member", "household", "commune", "village")
    ordering = ("-applied_on", "-pk")


class DeterminationViewSet(CreateListRead):
    """A worker's income per month at or below the line of the area (others are refused with the reason); POST by
    the commune's officers."""

    queryset = LowIncomeDetermination.objects.all()
    serializer_class = LowIncomeDeterminationSerializer
    filterset_class = DeterminationFilter
    select_related = ("application", "commune")
    ordering = ("-determined_on", "-pk")


class ConfirmsOrReadOnly(permissions.BasePermission):
    message = "Chỉ Chủ tịch (Phó Chủ tịch) UBND xã xác nhận người lao động có thu nhập thấp."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or may_recognise(user)


class ConfirmationViewSet(CreateListRead):
    """The commune's list of workers with low income: `?commune=…&year=…&month=…`. POST by the commune chairman or
    an administrator."""

    queryset = LowIncomeConfirmation.objects.all()
    serializer_class = LowIncomeConfirmationSerializer
    filterset_class = ConfirmationFilter
    permission_classes = [ConfirmsOrReadOnly]
    select_related = ("member", "household", "commune", "village")
    ordering = ("commune_id", "-decision_date", "household__code")
