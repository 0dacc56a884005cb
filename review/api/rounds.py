"""API of the review rounds, their transitions (review.rounds) and their village meetings (review.meetings)."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from areas.models import AdministrativeUnit, Level, codes_under
from core.api.base import EditorOrReadOnly, ScopedSlugField
from review.meetings import check_meeting_role, village_meeting_delete, village_meeting_save
from review.models import MAX_MEETING_ATTENDEES, RecognitionDecision, ReviewRound, VillageMeeting
from review.rounds import (
    APPROVE_GONE,
    check_step_role,
    round_decision_correct,
    round_opinion,
    round_recognise,
    round_reopen,
    round_return,
    round_submit,
)


class VillageMeetingSerializer(serializers.Serializer):
    """A village meeting of a round and the public posting of its results. POST records the village's
    meeting, or corrects it (then with the `version` read)."""

    village = ScopedSlugField(slug_field="code", queryset=AdministrativeUnit.objects.filter(level=Level.VILLAGE),
                              help_text="Mã thôn (thuộc xã của đợt rà soát).")
    meeting_date = serializers.DateField(help_text="Ngày họp thôn.")
    attendees = serializers.IntegerField(min_value=1, max_value=MAX_MEETING_ATTENDEES, help_text="Số người dự họp.")
    in_favour = serializers.IntegerField(min_value=0, max_value=MAX_MEETING_ATTENDEES, help_text="Số người đồng ý.")
    share_in_favour = serializers.FloatField(read_only=True, help_text="Tỷ lệ đồng ý (% số người dự họp).")
    passed = serializers.BooleanField(
        read_only=True, help_text="Kết quả được thông qua: đủ tỷ lệ đồng ý theo cài đặt REVIEW_MEETING_MAJORITY "
                                  "(mặc định ít nhất một nửa số người dự họp).")
    posted_from = serializers.DateField(required=False, allow_null=True, default=None,
                                        help_text="Niêm yết công khai từ ngày.")
    posted_to = serializers.DateField(required=False, allow_null=True, default=None,
                                      help_text="Niêm yết công khai đến ngày.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text="Phiên bản đã đọc, khi sửa biên bản đã có: bản đã bị người khác sửa thì trả 409.")


class RecognitionDecisionSerializer(serializers.ModelSerializer):
    corrects = serializers.PrimaryKeyRelatedField(read_only=True, help_text="Quyết định được đính chính (nếu có).")

    class Meta:
        model = RecognitionDecision
        fields = ["id", "number", "decision_date", "kind", "corrects", "note", "recorded_at"]
        read_only_fields = fields


class ReviewRoundSerializer(serializers.ModelSerializer):
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    level_above = serializers.CharField(
        read_only=True, help_text="Cấp trên của xã với kỳ rà soát này: district (đến năm 2024), province (từ 2025).")
    decision_recorded = serializers.SerializerMethodField(
        help_text="false với đợt đã khoá mà chưa ghi quyết định công nhận (đợt huyện phê duyệt trước đây).")
    recognition = serializers.CharField(source="recognition_label", read_only=True,
                                        help_text="Công nhận theo quyết định nào, hoặc vì sao chưa ghi quyết định.")
    decisions = RecognitionDecisionSerializer(many=True, read_only=True)
    village_meetings = VillageMeetingSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewRound
        fields = ["id", "commune", "year", "status", "return_reason", "reopen_reason", "submitted_at", "opinion_date",
                  "opinion", "approved_at", "decision_number", "decision_date", "decision_recorded", "recognition",
                  "decisions", "level_above", "village_meetings"]
        read_only_fields = fields

    def get_decision_recorded(self, review_round) -> bool:
        return not review_round.decision_unrecorded


class SubmitSerializer(serializers.Serializer):
    reported_on = serializers.DateField(required=False, allow_null=True, default=None,
                                        help_text="Ngày báo cáo lên cấp trên, nếu đã báo cáo trên giấy (mặc định hôm nay).")


class OpinionSerializer(serializers.Serializer):
    opinion_date = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text="Ngày cấp trên có ý kiến.")
    opinion = serializers.CharField(required=False, allow_blank=True, default="", help_text="Nội dung ý kiến.")


class CorrectionSerializer(serializers.Serializer):
    decision_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="Sai sót được đính chính (bắt buộc).")


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
                    .prefetch_related("village_meetings", "decisions").order_by("-year", "commune"))
        commune = self.request.query_params.get("commune")
        return queryset.filter(commune_id__in=codes_under([commune])) if commune else queryset

    def _answer(self, review_round):
        fresh = self.get_queryset().get(pk=review_round.pk)
        return Response(ReviewRoundSerializer(fresh).data)

    def _move(self, request, service, step, body=None):
        """Role first (403, review.rounds.check_step_role), then the body (400), then the service."""
        review_round = self.get_object()
        check_step_role(request.user, review_round, step)
        kwargs = {}
        if body is not None:
            serializer = body(data=request.data)
            serializer.is_valid(raise_exception=True)
            kwargs = dict(serializer.validated_data)
        service(acting_user=request.user, review_round=review_round, **kwargs)
        return self._answer(review_round)

    @extend_schema(request=SubmitSerializer, responses=ReviewRoundSerializer)
    @action(detail=True, methods=["post"], serializer_class=SubmitSerializer)
    def submit(self, request, pk=None):
        """The commune reports its result to the level above and asks its opinion (the district up to the 2024
        review, the province from 2025), today or on `reported_on`."""
        return self._move(request, round_submit, "submit", SubmitSerializer)

    @extend_schema(request=OpinionSerializer, responses=ReviewRoundSerializer)
    @action(detail=True, methods=["post"], serializer_class=OpinionSerializer)
    def opinion(self, request, pk=None):
        """The level above records its opinion on a submitted round (date, content); the chairman recognises."""
        return self._move(request, round_opinion, "opinion", OpinionSerializer)

    @extend_schema(request=RecognitionSerializer, responses=ReviewRoundSerializer)
    @action(detail=True, methods=["post"], serializer_class=RecognitionSerializer)
    def recognise(self, request, pk=None):
        """The commune chairman recognises the round by a decision (number, date): the round locks; a round
        recognised before is recognised again by an amending decision. Refused (403) to other roles; (400)
        without the decision, out of the order of Decision 24 Art. 4 (a village without meeting or posting, a
        meeting without the majority, a decision before the report up or before the level above answered or
        its days passed), and, under `confirm_unassessed`, while households of the commune are unassessed."""
        return self._move(request, round_recognise, "recognise", RecognitionSerializer)

    @extend_schema(request=CorrectionSerializer, responses=ReviewRoundSerializer)
    @action(detail=True, methods=["post"], serializer_class=CorrectionSerializer)
    def correct(self, request, pk=None):
        """The chairman corrects the number or date of the decision in force, entered wrongly (recorded as a
        correction beside it), or records the decision of a round approved without one."""
        return self._move(request, round_decision_correct, "correct", CorrectionSerializer)

    @extend_schema(request=None, responses={400: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Gone: the level above never locks a round. Always 400, saying what to do instead (opinion, return;
        the chairman's recognise)."""
        self.get_object()
        return Response({"status": [APPROVE_GONE]}, status=status.HTTP_400_BAD_REQUEST)

    @action(detail=True, methods=["post"], url_path="return", serializer_class=ReasonSerializer)
    def return_round(self, request, pk=None):
        """The level above returns a submitted round to the commune, with a reason."""
        return self._move(request, round_return, "return", ReasonSerializer)

    @action(detail=True, methods=["post"], serializer_class=ReasonSerializer)
    def reopen(self, request, pk=None):
        """The level above reopens a recognised round, with a reason; its decisions stay."""
        return self._move(request, round_reopen, "reopen", ReasonSerializer)

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
        check_meeting_role(request.user)  # a role that records no meeting: 403 before its body is read
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
