"""API of the annual review: standards, assessments, review rounds and their transitions."""
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from areas.models import AdministrativeUnit, Level, codes_under
from core.api.base import ChangesCarryVersion, EditorOrReadOnly, ScopedSlugField, ScopedViewSet, WritesWhatItShows
from households.models import Household
from review.certificates import certificate_number_text
from review.models import (
    MAX_MEETING_ATTENDEES,
    Assessment,
    Certificate,
    Classification,
    PovertyStandard,
    RegularReview,
    ReviewRequest,
    ReviewRound,
    VillageMeeting,
)
from review.regular import (
    REGULAR_CLASSES,
    REQUEST_FIELDS,
    may_recognise,
    regular_recognise,
    request_delete,
    request_save,
)
from review.services import (
    MAX_B1_SCORE,
    MAX_INCOME_PER_CAPITA,
    assessment_delete,
    assessment_save,
    held_back_notice,
    round_approve,
    round_recognise,
    round_reopen,
    round_return,
    round_submit,
    village_meeting_delete,
    village_meeting_save,
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
        help_text="Chỉ có nội dung trong phản hồi khi lưu: các đợt rà soát đã phê duyệt mà biến động lẽ ra "
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


class VillageMeetingSerializer(serializers.Serializer):
    """A village meeting of a round and the public posting of its results. POST records the village's
    meeting, or corrects it (then with the `version` read)."""

    village = ScopedSlugField(slug_field="code", queryset=AdministrativeUnit.objects.filter(level=Level.VILLAGE),
                              help_text="Mã thôn (thuộc xã của đợt rà soát).")
    meeting_date = serializers.DateField(help_text="Ngày họp thôn.")
    attendees = serializers.IntegerField(min_value=1, max_value=MAX_MEETING_ATTENDEES, help_text="Số người dự họp.")
    in_favour = serializers.IntegerField(min_value=0, max_value=MAX_MEETING_ATTENDEES, help_text="Số người đồng ý.")
    share_in_favour = serializers.FloatField(read_only=True, help_text="Tỷ lệ đồng ý (% số người dự họp).")
    passed = serializers.BooleanField(read_only=True,
                                      help_text="Kết quả được thông qua: quá nửa số người dự họp đồng ý.")
    posted_from = serializers.DateField(required=False, allow_null=True, default=None,
                                        help_text="Niêm yết công khai từ ngày.")
    posted_to = serializers.DateField(required=False, allow_null=True, default=None,
                                      help_text="Niêm yết công khai đến ngày.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text="Phiên bản đã đọc, khi sửa biên bản đã có: bản đã bị người khác sửa thì trả 409.")


class ReviewRoundSerializer(serializers.ModelSerializer):
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    level_above = serializers.CharField(
        read_only=True, help_text="Cấp trên của xã với kỳ rà soát này: district (đến năm 2024), province (từ 2025).")
    village_meetings = VillageMeetingSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewRound
        fields = ["id", "commune", "year", "status", "return_reason", "reopen_reason", "submitted_at", "approved_at",
                  "decision_number", "decision_date", "level_above", "village_meetings"]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RecognitionSerializer(serializers.Serializer):
    decision_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=50,
                                            help_text="Số quyết định công nhận của Chủ tịch UBND xã.")
    decision_date = serializers.DateField(required=False, allow_null=True, default=None,
                                          help_text="Ngày ký quyết định.")
    confirm_unassessed = serializers.BooleanField(
        required=False, default=False,
        help_text="Vẫn công nhận khi còn hộ của xã chưa có kết quả rà soát năm đó (không có: trả 400 nêu số hộ).")


class ReviewRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReviewRoundSerializer
    permission_classes = [EditorOrReadOnly]
    write_permissions = ["review.change_reviewround"]  # the transitions; the service checks the role's step
    filterset_fields = ["year", "status"]

    def get_queryset(self):
        queryset = (ReviewRound.objects.visible_to(self.request.user).select_related("commune")
                    .prefetch_related("village_meetings").order_by("-year", "commune"))
        commune = self.request.query_params.get("commune")
        return queryset.filter(commune_id__in=codes_under([commune])) if commune else queryset

    def _answer(self, review_round):
        fresh = self.get_queryset().get(pk=review_round.pk)
        return Response(ReviewRoundSerializer(fresh).data)

    def _move(self, request, service, with_reason=False):
        review_round = self.get_object()
        kwargs = {"acting_user": request.user, "review_round": review_round}
        if with_reason:
            serializer = ReasonSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            kwargs["reason"] = serializer.validated_data["reason"]
        service(**kwargs)
        return self._answer(review_round)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The commune reports the preliminary result to the level above (the district up to the 2024 review,
        the province from 2025)."""
        return self._move(request, round_submit)

    @extend_schema(request=RecognitionSerializer, responses=ReviewRoundSerializer)
    @action(detail=True, methods=["post"], serializer_class=RecognitionSerializer)
    def recognise(self, request, pk=None):
        """The commune chairman recognises the round by a decision (number, date): the round locks. Refused
        (400) without the decision, while a village meeting did not reach the majority, and, naming the count
        under `confirm_unassessed`, while households of the commune are unassessed unless confirmed."""
        review_round = self.get_object()
        serializer = RecognitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        round_recognise(acting_user=request.user, review_round=review_round, **serializer.validated_data)
        return self._answer(review_round)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The district's approval (locks), for review years up to 2024 only; from 2025 see recognise."""
        return self._move(request, round_approve)

    @action(detail=True, methods=["post"], url_path="return", serializer_class=ReasonSerializer)
    def return_round(self, request, pk=None):
        """The level above returns a submitted round to the commune, with a reason."""
        return self._move(request, round_return, with_reason=True)

    @action(detail=True, methods=["post"], serializer_class=ReasonSerializer)
    def reopen(self, request, pk=None):
        """The level above reopens a recognised round, with a reason."""
        return self._move(request, round_reopen, with_reason=True)

    @extend_schema(methods=["GET"], responses=VillageMeetingSerializer(many=True))
    @extend_schema(methods=["POST"], request=VillageMeetingSerializer,
                   responses={200: VillageMeetingSerializer, 201: VillageMeetingSerializer})
    @extend_schema(methods=["DELETE"], request=None, responses={204: None}, parameters=[
        OpenApiParameter("village", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                         description="Mã thôn có biên bản cần xoá.")])
    @action(detail=True, methods=["get", "post", "delete"], url_path="village-meetings",
            serializer_class=VillageMeetingSerializer, pagination_class=None, filterset_fields=[])
    def village_meetings(self, request, pk=None, format=None):  # format: the router's suffix (.json)
        """The village meetings and public posting of the round: GET lists them; POST records one village's
        (201), or corrects it (200, with `version`); DELETE ?village=CODE removes one. Refused (409) once the
        round is recognised."""
        review_round = self.get_object()
        if request.method == "GET":
            return Response(VillageMeetingSerializer(review_round.village_meetings.all(), many=True).data)
        if request.method == "DELETE":
            code = request.query_params.get("village", "")
            meeting = review_round.village_meetings.filter(village_id=code[:20]).first()
            if meeting is None:
                raise NotFound("Đợt rà soát này không có biên bản họp của thôn đó.")
            village_meeting_delete(acting_user=request.user, meeting=meeting)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = VillageMeetingSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        village, version = data.pop("village"), data.pop("version", None)
        existed = VillageMeeting.objects.filter(review_round=review_round, village=village).exists()
        if existed and version is None:
            raise ValidationError({"version": [
                f"Thôn {village.code} đã có biên bản họp của đợt này: hãy gửi kèm version (phiên bản bạn đã đọc) "
                "khi sửa, để không ghi đè thay đổi của người khác."]})
        meeting = village_meeting_save(acting_user=request.user, review_round=review_round, village=village,
                                       expected_version=version, **data)
        return Response(VillageMeetingSerializer(meeting).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


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


# --- review requests and regular (in-year) reviews (review.regular) ------------------------------------------

class ReviewRequestSerializer(WritesWhatItShows, ChangesCarryVersion, serializers.ModelSerializer):
    """A household's written request to be reviewed: it puts the household on the list to review of `year`."""

    household = ScopedSlugField(slug_field="code", queryset=Household.objects.all(), help_text="Mã hộ.")
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    year = serializers.IntegerField(
        required=False, allow_null=True, min_value=2000, max_value=2101,
        help_text="Kỳ rà soát xét đơn. Để trống: kỳ của ngày nộp đơn (đơn nộp sau khi kỳ rà soát hằng năm kết thúc, "
                  "14/12, được xét ở kỳ năm sau); ghi năm khác kỳ đó thì trả 400.")
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text="Phiên bản đã đọc. Bắt buộc khi sửa (PUT/PATCH): bản đã bị người khác sửa thì trả 409.")

    class Meta:
        model = ReviewRequest
        fields = ["id", "household", "commune", "year", "kind", "requested_on", "note", "version"]

    def _inputs(self, validated_data):
        return {name: validated_data[name] for name in REQUEST_FIELDS if name in validated_data}

    def create(self, validated_data):
        return request_save(acting_user=self.context["request"].user, household=validated_data["household"],
                            data=self._inputs(validated_data))

    def update(self, instance, validated_data):
        if validated_data.get("household", instance.household) != instance.household:
            raise ValidationError({"household": ["Không đổi hộ của một đơn: hãy xoá và tạo đơn mới."]})
        return request_save(acting_user=self.context["request"].user, household=instance.household,
                            data=self._inputs(validated_data), instance=instance,
                            expected_version=validated_data["version"])


class ReviewRequestFilter(CommuneHouseholdFilter):
    class Meta:
        model = ReviewRequest
        fields = ["year", "kind", "commune", "household"]


class ReviewRequestViewSet(ScopedViewSet):
    """Requests to be reviewed: written by the commune's officers (review.regular.request_save); a request of a
    review already recognised stays as it is (409)."""

    queryset = ReviewRequest.objects.all()
    serializer_class = ReviewRequestSerializer
    filterset_class = ReviewRequestFilter
    select_related = ("household", "commune")

    def get_queryset(self):
        return super().get_queryset().order_by("-requested_on", "household__code", "pk")

    def perform_create(self, serializer):
        serializer.save()  # the service runs its own transaction

    perform_update = perform_create

    def perform_destroy(self, instance):
        request_delete(acting_user=self.request.user, request=instance)


class RecognisesOrReadOnly(permissions.BasePermission):
    """Everyone signed in reads (through the scoping door); a regular review is recognised (POST) by the commune
    chairman or an administrator only: the rule of the annual recognition (review.services.ROUND_STEPS)."""

    message = "Chỉ Chủ tịch (Phó Chủ tịch) UBND xã công nhận kết quả rà soát thường xuyên."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or may_recognise(user)


class ScopedRequestField(serializers.PrimaryKeyRelatedField):
    """The id of a request the user may see (others: "does not exist")."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = ReviewRequest.objects.all()
        return queryset.visible_to(request.user) if request is not None else queryset.none()


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
