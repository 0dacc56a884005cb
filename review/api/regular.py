"""API of the certificates (read only), the requests to be reviewed (review.requests) and the regular (in-year)
reviews (review.regular)."""
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets

from core.api.base import ScopedSlugField, WritesWhatItShows
from households.models import Household
from review.api.assessments import CommuneHouseholdFilter
from review.api.requests import ScopedRequestField
from review.assessments import MAX_B1_SCORE, MAX_INCOME_PER_CAPITA
from review.certificates import certificate_number_text
from review.models import Certificate, Classification, RegularReview
from review.regular import REGULAR_CLASSES, may_recognise, regular_recognise

# --- certificates (read-only: issued by the recognition, review.certificates) -------------------------------

class CertificateSerializer(serializers.ModelSerializer):
    household = serializers.SlugRelatedField(slug_field="code", read_only=True)
    standard = serializers.SlugRelatedField(slug_field="code", read_only=True)
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    number_text = serializers.SerializerMethodField(help_text="Số in trên giấy chứng nhận, ví dụ 12/GCN-HN.HCN.")

    class Meta:
        model = Certificate
        fields = ["id", "household", "standard", "commune", "number", "number_text", "issued_on"]
        read_only_fields = fields

    def get_number_text(self, certificate) -> str:
        return certificate_number_text(certificate)


class CertificateFilter(CommuneHouseholdFilter):
    standard = filters.CharFilter(field_name="standard__code")

    class Meta:
        model = Certificate
        fields = ["household", "standard", "commune", "number"]


class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    """Certificates of poor and near-poor households (Mẫu số 03), one per household for a standard's period,
    numbered in the issuing commune; issued when the commune chairman recognises the review. Read-only."""

    queryset = Certificate.objects.all()
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter

    def get_queryset(self):
        return (Certificate.objects.visible_to(self.request.user).select_related("household", "standard", "commune")
                .order_by("commune", "standard", "number"))


# --- regular (in-year) reviews (review.regular); the requests they answer: review.api.requests ------------------

class RecognisesOrReadOnly(permissions.BasePermission):
    """Everyone signed in reads (through the scoping door); a regular review is recognised (POST) by the commune
    chairman or an administrator only: the rule of the annual recognition (review.services.ROUND_STEPS)."""

    message = "Chỉ Chủ tịch (Phó Chủ tịch) UBND xã công nhận kết quả rà soát thường xuyên."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or may_recognise(user)


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class DeprivationCodesField(serializers.ListField):
    """Indicator codes, stored as ",1,4,9,"."""

    child = serializers.CharField(max_length=10)

    def to_representation(self, data):
        return [code for code in (data or "").strip(",").split(",") if code]


class RegularReviewSerializer(WritesWhatItShows, serializers.ModelSerializer):
    """A regular (in-year) review. POST recognises: the commune chairman's decision (number, date) recognising
    the household as poor, near-poor or out of poverty (`not_poor`) from `effective_on`."""

    household = ScopedSlugField(slug_field="code", queryset=Household.objects.all(), help_text="Mã hộ.")
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    year = serializers.IntegerField(
        read_only=True, help_text="Năm rà soát của danh sách được điều chỉnh (danh sách áp dụng năm year + 1).")
    request = ScopedRequestField(required=False, allow_null=True, default=None,
                                 help_text="Mã (id) đơn đề nghị của hộ, nếu có.")
    classification = serializers.ChoiceField(
        choices=[(value, Classification(value).label) for value in REGULAR_CLASSES],
        help_text="poor: hộ nghèo; near_poor: hộ cận nghèo; not_poor: thoát nghèo, thoát cận nghèo.")
    previous_classification = serializers.CharField(read_only=True, help_text="Phân loại trước quyết định.")
    income_per_capita = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                                 max_value=MAX_INCOME_PER_CAPITA)
    b1_score = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                        max_value=MAX_B1_SCORE)
    deprivations = DeprivationCodesField(required=False, default=list)
    effective_on = serializers.DateField(help_text="Quyết định có hiệu lực từ ngày.")
    decision_number = serializers.CharField(max_length=50, help_text="Số quyết định của Chủ tịch UBND xã.")
    decision_date = serializers.DateField(help_text="Ngày ký quyết định.")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = RegularReview
        fields = ["id", "household", "commune", "village", "year", "request", "previous_classification",
                  "classification", "income_per_capita", "b1_score", "deprivations", "deprivation_count",
                  "effective_on", "decision_number", "decision_date", "notes", "version"]
        read_only_fields = ["deprivation_count"]

    def create(self, validated_data):
        return regular_recognise(
            acting_user=self.context["request"].user, household=validated_data["household"],
            classification=validated_data["classification"], effective_on=validated_data["effective_on"],
            decision_number=validated_data["decision_number"], decision_date=validated_data["decision_date"],
            request=validated_data.get("request"), income_per_capita=validated_data.get("income_per_capita"),
            b1_score=validated_data.get("b1_score"), deprivations=validated_data.get("deprivations") or (),
            notes=validated_data.get("notes", ""))


class RegularReviewFilter(CommuneHouseholdFilter):
    class Meta:
        model = RegularReview
        fields = ["year", "classification", "commune", "household"]


class RegularReviewViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """Regular (in-year) reviews: listed and read by everyone in their area; POST recognises one (the commune
    chairman or an administrator; others 403), through review.regular.regular_recognise. A recognition is a
    legal record: it is not changed or deleted over the API."""

    queryset = RegularReview.objects.all()
    serializer_class = RegularReviewSerializer
    permission_classes = [RecognisesOrReadOnly]
    filterset_class = RegularReviewFilter

    def get_queryset(self):
        return (RegularReview.objects.visible_to(self.request.user)
                .select_related("household", "commune", "village").order_by("-effective_on", "-pk"))

    def perform_create(self, serializer):
        serializer.save()  # the service runs its own transaction
