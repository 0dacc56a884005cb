"""API of the households' requests (review.requests): Mẫu số 01 for the periodic review, Mẫu số 04 for a regular
review with its steps (survey, village meeting, posting: POST …/steps/) and the chairman's written reply refusing
it (POST …/refusal/, review.regular_requests). Every read through the scoping door; writes through the services."""
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.api.base import ChangesCarryVersion, ScopedSlugField, ScopedViewSet, WritesWhatItShows
from households.models import Household
from review.api.assessments import CommuneHouseholdFilter
from review.locks import check_editing_role
from review.models import MAX_MEETING_ATTENDEES, RegularReview, ReviewRequest
from review.regular_requests import regular_refuse, regular_state, regular_steps_save
from review.requests import REQUEST_FIELDS, request_delete, request_save
from review.rounds import may_recognise


class ScopedRequestField(serializers.PrimaryKeyRelatedField):
    """The id of a request the user may see (others: "does not exist")."""

    def get_queryset(self):
        request = self.context.get("request")
        queryset = ReviewRequest.objects.all()
        return queryset.visible_to(request.user) if request is not None else queryset.none()




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

    state = serializers.SerializerMethodField(help_text="Mẫu 04: pending (đang xét), decided, refused; Mẫu 01: null.")
    deadline = serializers.SerializerMethodField(help_text="Mẫu 04: hạn ra quyết định (ngày nộp + 15 ngày).")
    overdue = serializers.SerializerMethodField(help_text="Mẫu 04 đang xét đã quá hạn.")

    class Meta:
        model = ReviewRequest
        fields = ["id", "household", "commune", "year", "kind", "procedure", "requested_on", "note", "surveyed_on",
                  "meeting_date", "attendees", "in_favour", "posted_from", "posted_to", "refused_on",
                  "refusal_number", "refusal_reasons", "state", "deadline", "overdue", "version"]
        read_only_fields = ["surveyed_on", "meeting_date", "attendees", "in_favour", "posted_from", "posted_to",
                            "refused_on", "refusal_number", "refusal_reasons"]
        extra_kwargs = {"procedure": {"required": False, "help_text": (
            "periodic: Mẫu số 01 (trong kỳ rà soát định kỳ); regular: Mẫu số 04 (rà soát thường xuyên). Để trống: "
            "Mẫu 01 khi đề nghị xét hộ nghèo, hộ cận nghèo nộp trong kỳ rà soát, còn lại Mẫu 04.")}}

    def _state(self, request):
        if not request.is_regular:
            return None
        decided = getattr(request, "decided", None)  # annotated by the list (with_decided), else asked
        if decided is None:
            decided = RegularReview.objects.filter(request=request).exists()
        return regular_state(request, decided=decided)

    def get_state(self, request) -> str | None:
        state = self._state(request)
        return state.state if state else None

    def get_deadline(self, request) -> str | None:
        state = self._state(request)
        return state.deadline.isoformat() if state else None

    def get_overdue(self, request) -> bool:
        state = self._state(request)
        return bool(state and state.overdue)

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
        fields = ["year", "kind", "procedure", "commune", "household"]


class RegularStepsSerializer(serializers.Serializer):
    """The steps of a Mẫu 04 request: the fields sent are recorded, those not sent keep their values."""

    surveyed_on = serializers.DateField(required=False, allow_null=True, help_text="Ngày khảo sát hộ (phiếu B).")
    meeting_date = serializers.DateField(required=False, allow_null=True, help_text="Ngày họp thôn xét đơn.")
    attendees = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                         max_value=MAX_MEETING_ATTENDEES, help_text="Số người dự họp.")
    in_favour = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                         max_value=MAX_MEETING_ATTENDEES, help_text="Số người đồng ý.")
    posted_from = serializers.DateField(required=False, allow_null=True, help_text="Niêm yết công khai từ ngày.")
    posted_to = serializers.DateField(required=False, allow_null=True, help_text="Niêm yết công khai đến ngày.")
    version = serializers.IntegerField(required=False, min_value=1, help_text="Phiên bản đã đọc của đơn.")


class RefusalSerializer(serializers.Serializer):
    refused_on = serializers.DateField(help_text="Ngày ký văn bản trả lời.")
    refusal_number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="",
                                           help_text="Số văn bản trả lời.")
    refusal_reasons = serializers.CharField(help_text="Lý do không công nhận (in trong văn bản trả lời hộ).")
    version = serializers.IntegerField(required=False, min_value=1, help_text="Phiên bản đã đọc của đơn.")


class ReviewRequestViewSet(ScopedViewSet):
    """Requests to be reviewed: written by the commune's officers (review.regular.request_save); a request of a
    review already recognised stays as it is (409)."""

    queryset = ReviewRequest.objects.all()
    serializer_class = ReviewRequestSerializer
    filterset_class = ReviewRequestFilter
    select_related = ("household", "commune")

    def get_queryset(self):
        return super().get_queryset().with_decided().order_by("-requested_on", "household__code", "pk")

    def perform_create(self, serializer):
        serializer.save()  # the service runs its own transaction

    perform_update = perform_create

    def perform_destroy(self, instance):
        request_delete(acting_user=self.request.user, request=instance)

    def _answer(self, request_record):
        return Response(ReviewRequestSerializer(request_record, context=self.get_serializer_context()).data)

    @extend_schema(request=RegularStepsSerializer, responses=ReviewRequestSerializer)
    @action(detail=True, methods=["post"], serializer_class=RegularStepsSerializer)
    def steps(self, request, pk=None):
        """Record the survey, village meeting and posting of a Mẫu 04 request (the commune's officers); 400 on a
        Mẫu 01 request or one already decided or refused; 409 on a stale `version`."""
        check_editing_role(request.user)  # the role first: 403 before the body is looked at
        record = self.get_object()
        body = RegularStepsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        version = fields.pop("version", None)
        return self._answer(regular_steps_save(acting_user=request.user, request=record, expected_version=version,
                                               **fields))

    @extend_schema(request=RefusalSerializer, responses=ReviewRequestSerializer)
    @action(detail=True, methods=["post"], serializer_class=RefusalSerializer,
            permission_classes=[permissions.IsAuthenticated])  # the chairman's step: checked below, by role
    def refusal(self, request, pk=None):
        """The commune chairman's written reply refusing a Mẫu 04 request, with its reasons (others: 403)."""
        if not may_recognise(request.user):
            raise PermissionDenied("Chỉ Chủ tịch (Phó Chủ tịch) UBND xã ký văn bản trả lời đơn đề nghị.")
        record = self.get_object()
        body = RefusalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self._answer(regular_refuse(
            acting_user=request.user, request=record, refused_on=data["refused_on"], number=data["refusal_number"],
            reasons=data["refusal_reasons"], expected_version=data.get("version")))
