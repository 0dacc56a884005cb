"""API of the annual review: standards, assessments, review rounds and their transitions."""
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from areas.models import codes_under
from core.api.base import ChangesCarryVersion, EditorOrReadOnly, ScopedSlugField, ScopedViewSet
from households.models import Household
from review.models import Assessment, PovertyStandard, ReviewRound
from review.services import (
    assessment_delete,
    assessment_save,
    held_back_notice,
    round_approve,
    round_reopen,
    round_return,
    round_submit,
)


class StandardSerializer(serializers.ModelSerializer):
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = PovertyStandard
        fields = ["code", "name", "legal_basis", "first_year", "last_year", "indicators"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_indicators(self, standard):
        return [{"code": i.code, "dimension": i.dimension, "name": i.name} for i in standard.indicators.all()]


class StandardViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = PovertyStandard.objects.prefetch_related("indicators")
    serializer_class = StandardSerializer
    lookup_field = "code"
    pagination_class = None


# --- households and members -------------------------------------------------------------------------

class AssessmentSerializer(ChangesCarryVersion, serializers.ModelSerializer):
    household = ScopedSlugField(slug_field="code", queryset=Household.objects.all())
    deprivations = serializers.ListField(child=serializers.CharField(), required=False, source="deprivation_codes")
    standard = serializers.SlugRelatedField(slug_field="code", read_only=True)
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text="Phiên bản đã đọc. Bắt buộc khi sửa (PUT/PATCH): bản đã bị người khác sửa thì trả 409.",
    )
    warnings = serializers.SerializerMethodField(
        help_text="Chỉ có nội dung trong phản hồi khi lưu: các đợt rà soát đã phê duyệt mà biến động lẽ ra "
                  "thay đổi theo kết quả này nhưng được giữ nguyên (cần mở lại đợt, kèm lý do, để áp dụng).",
    )

    # The officer's inputs: a save applies those present in the request, on top of the stored assessment.
    INPUTS = {"income_per_capita": "income_per_capita", "b1_score": "b1_score", "deprivation_codes": "deprivations",
              "no_labour_capacity": "no_labour_capacity", "has_meritorious_member": "has_meritorious_member",
              "has_social_protection_member": "has_social_protection_member", "notes": "notes"}

    class Meta:
        model = Assessment
        fields = ["id", "household", "year", "income_per_capita", "b1_score", "deprivations", "no_labour_capacity",
                  "has_meritorious_member", "has_social_protection_member", "notes", "standard", "commune",
                  "classification", "movement", "version", "warnings"]
        read_only_fields = ["classification", "movement"]
        validators = []  # one per household and year: the service says so with a clear message

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, assessment):
        held_back = getattr(assessment, "held_back_rounds", None)
        return [held_back_notice(held_back)] if held_back else []

    def _save(self, validated_data, household, year, expected, create_only):
        changes = {name: validated_data[key] for key, name in self.INPUTS.items() if key in validated_data}
        return assessment_save(
            acting_user=self.context["request"].user, household=household, year=year,
            expected_version=expected, create_only=create_only, **changes,
        )

    def create(self, validated_data):
        return self._save(validated_data, validated_data["household"], validated_data["year"], None, True)

    def update(self, instance, validated_data):
        if validated_data.get("household", instance.household) != instance.household or \
                validated_data.get("year", instance.year) != instance.year:
            raise ValidationError({"year": ["Không đổi hộ hoặc năm của một kết quả: hãy xoá và tạo mới."]})
        return self._save(validated_data, instance.household, instance.year, validated_data["version"], False)


class AssessmentFilter(filters.FilterSet):
    commune = filters.CharFilter(method="filter_commune")
    household = filters.CharFilter(field_name="household__code")

    class Meta:
        model = Assessment
        fields = ["year", "commune", "classification", "household", "movement"]

    def filter_commune(self, queryset, name, value):
        return queryset.filter(commune_id__in=codes_under([value]))


class AssessmentViewSet(ScopedViewSet):
    queryset = Assessment.objects.all()
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    select_related = ("household", "standard", "commune")

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "household__code")

    @extend_schema(responses={
        204: OpenApiResponse(description="Đã xoá."),
        200: OpenApiResponse(
            inline_serializer("AssessmentDeleteWarnings", {"warnings": serializers.ListField(child=serializers.CharField())}),
            description="Đã xoá; biến động của đợt đã phê duyệt ở các năm sau được giữ nguyên (xem warnings).",
        ),
    })
    def destroy(self, request, *args, **kwargs):
        """204; or 200 with {"warnings": […]} when approved later years' movements were left as they are."""
        held_back = assessment_delete(acting_user=request.user, assessment=self.get_object())
        if held_back:
            return Response({"warnings": [held_back_notice(held_back)]}, status=status.HTTP_200_OK)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_create(self, serializer):
        serializer.save()  # the service runs its own transaction

    perform_update = perform_create


class ReviewRoundSerializer(serializers.ModelSerializer):
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ReviewRound
        fields = ["id", "commune", "year", "status", "return_reason", "reopen_reason", "submitted_at", "approved_at"]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReviewRoundSerializer
    permission_classes = [EditorOrReadOnly]
    write_permissions = ["review.change_reviewround"]  # the transitions; the service checks the role's step
    filterset_fields = ["year", "status"]

    def get_queryset(self):
        queryset = ReviewRound.objects.visible_to(self.request.user).select_related("commune").order_by("-year", "commune")
        commune = self.request.query_params.get("commune")
        return queryset.filter(commune_id__in=codes_under([commune])) if commune else queryset

    def _move(self, request, service, with_reason=False):
        review_round = self.get_object()
        kwargs = {"acting_user": request.user, "review_round": review_round}
        if with_reason:
            serializer = ReasonSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            kwargs["reason"] = serializer.validated_data["reason"]
        service(**kwargs)
        review_round.refresh_from_db()
        return Response(ReviewRoundSerializer(review_round).data)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(request, round_submit)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._move(request, round_approve)

    @action(detail=True, methods=["post"], url_path="return", serializer_class=ReasonSerializer)
    def return_round(self, request, pk=None):
        return self._move(request, round_return, with_reason=True)

    @action(detail=True, methods=["post"], serializer_class=ReasonSerializer)
    def reopen(self, request, pk=None):
        return self._move(request, round_reopen, with_reason=True)
