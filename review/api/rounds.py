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
from review.models import MAX_MEETING_ATTENDEES, ReviewRound, VillageMeeting
from review.rounds import round_approve, round_recognise, round_reopen, round_return, round_submit


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
