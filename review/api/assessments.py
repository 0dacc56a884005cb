"""API of the standards and the assessments (written through review.assessments)."""
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from areas.models import codes_under
from core.api.base import ChangesCarryVersion, ScopedSlugField, ScopedViewSet
from households.models import Household
from review.assessments import assessment_delete, assessment_save
from review.locks import held_back_notice
from review.models import Assessment, PovertyStandard


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
    no_labour_capacity = serializers.BooleanField(
        required=False, allow_null=True,
        help_text="Hộ không có khả năng lao động. Tính từ nhân khẩu (năm sinh, giới tính, khả năng lao động của "
                  "từng người) khi bỏ trống lúc tạo, hoặc khi gửi null; giá trị khác kết quả tính cần "
                  "labour_override_reason. Khi sửa, không gửi thì giữ như đã lưu.")
    labour_override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=300,
        help_text="Lý do xác định khác kết quả tính từ nhân khẩu (bắt buộc khi đó; bỏ trống khi bằng kết quả tính).")
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text="Phiên bản đã đọc. Bắt buộc khi sửa (PUT/PATCH): bản đã bị người khác sửa thì trả 409.",
    )
    warnings = serializers.SerializerMethodField(
        help_text="Chỉ có nội dung trong phản hồi khi lưu: các đợt rà soát đã công nhận mà biến động lẽ ra "
                  "thay đổi theo kết quả này nhưng được giữ nguyên (cần mở lại đợt, kèm lý do, để áp dụng).",
    )

    # The officer's inputs: a save applies those present in the request, on top of the stored assessment.
    INPUTS = {"income_per_capita": "income_per_capita", "b1_score": "b1_score", "deprivation_codes": "deprivations",
              "no_labour_capacity": "no_labour_capacity", "labour_override_reason": "labour_override_reason",
              "has_meritorious_member": "has_meritorious_member",
              "has_social_protection_member": "has_social_protection_member", "notes": "notes"}

    class Meta:
        model = Assessment
        fields = ["id", "household", "year", "income_per_capita", "b1_score", "deprivations", "no_labour_capacity",
                  "labour_override_reason", "has_meritorious_member", "has_social_protection_member", "notes",
                  "standard", "commune", "livelihood", "classification", "movement", "version", "warnings"]
        read_only_fields = ["livelihood", "classification", "movement"]
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


class CommuneHouseholdFilter(filters.FilterSet):
    """`commune`: any area code, every record of the communes under it; `household`: a household's code."""

    commune = filters.CharFilter(method="filter_commune")
    household = filters.CharFilter(field_name="household__code")

    def filter_commune(self, queryset, name, value):
        return queryset.filter(commune_id__in=codes_under([value]))


class AssessmentFilter(CommuneHouseholdFilter):
    class Meta:
        model = Assessment
        fields = ["year", "commune", "classification", "household", "movement"]


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
            description="Đã xoá; biến động của đợt đã công nhận ở các năm sau được giữ nguyên (xem warnings).",
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
