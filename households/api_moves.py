"""API of splits and joins (tách hộ, nhập hộ): POST records one through households.moves; GET lists them.

An event is seen from either of its households; the other one, outside the reader's areas, is not named
(`null`). Events are records: not changed or deleted over the API (a wrong move is corrected by another)."""
from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from areas.models import AdministrativeUnit
from areas.scoping import can_see_area
from core.api.base import EditorOrReadOnly, ScopedSlugField, WritesWhatItShows
from households.models import Household, HouseholdEvent, MemberMove, MoveKind, Relation
from households.moves import events_of, household_join, household_split

HOUSEHOLD = dict(slug_field="code", queryset=Household.objects.all())


class MoverSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Mã (id) nhân khẩu của hộ đi.")
    relation_to_head = serializers.ChoiceField(choices=Relation.choices, help_text="Quan hệ với chủ hộ của hộ đến.")


class MovedSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)

    class Meta:
        model = MemberMove
        fields = ["id", "full_name", "relation_before", "relation_after"]


@extend_schema_field({"type": "string", "nullable": True,
                      "description": "Mã hộ; null khi hộ thuộc đơn vị khác (ngoài địa bàn của bạn)."})
class SideField(ScopedSlugField):
    """A household of the event by code for writing; read back only when the reader may see it."""

    def to_representation(self, value):
        request = self.context.get("request")
        if request is not None and not can_see_area(request.user, value.commune_id):
            return None
        return value.code


class HouseholdEventSerializer(WritesWhatItShows, serializers.ModelSerializer):
    source = SideField(help_text="Mã hộ đi.", **HOUSEHOLD)
    target = SideField(required=False, help_text="Nhập hộ: mã hộ đến (hộ có sẵn). Tách hộ: hộ mới (chỉ đọc).",
                       **HOUSEHOLD)
    code = serializers.CharField(write_only=True, required=False, max_length=30,
                                 help_text="Tách hộ: mã của hộ mới (cùng xã với hộ đi).")
    village = ScopedSlugField(write_only=True, required=False, allow_null=True, slug_field="code",
                              queryset=AdministrativeUnit.objects.filter(level="village"),
                              help_text="Tách hộ: thôn của hộ mới (bỏ trống: thôn của hộ đi).")
    address = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=300)
    members = MoverSerializer(many=True, write_only=True, required=False,
                              help_text="Người chuyển và quan hệ với chủ hộ đến. Tách hộ: bắt buộc, đúng một "
                                        "“head”. Nhập hộ: bỏ trống là cả hộ (quan hệ “other”).")
    moved = MovedSerializer(source="moves", many=True, read_only=True)
    reason = serializers.CharField(max_length=300)

    class Meta:
        model = HouseholdEvent
        fields = ["id", "kind", "date", "reason", "source", "target", "code", "village", "address", "members",
                  "moved", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # the service checks the event (households.moves.move_errors)

    def validate(self, attrs):
        kind = attrs.get("kind")
        if kind == MoveKind.SPLIT and not attrs.get("code"):
            raise serializers.ValidationError({"code": ["Tách hộ cần mã của hộ mới."]})
        if kind == MoveKind.SPLIT and not attrs.get("members"):
            raise serializers.ValidationError({"members": ["Tách hộ cần danh sách người tách đi."]})
        if kind == MoveKind.JOIN and not attrs.get("target"):
            raise serializers.ValidationError({"target": ["Nhập hộ cần mã hộ đến."]})
        return attrs

    def create(self, validated_data):
        user = self.context["request"].user
        movers = validated_data.get("members")
        relations = {item["id"]: item["relation_to_head"] for item in movers} if movers else None
        common = dict(acting_user=user, source=validated_data["source"], date=validated_data["date"],
                      reason=validated_data["reason"])
        if validated_data["kind"] == MoveKind.SPLIT:
            return household_split(**common, relations=relations, code=validated_data["code"],
                                   village=validated_data.get("village"), address=validated_data.get("address", ""))
        return household_join(**common, target=validated_data["target"], relations=relations)


class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class HouseholdEventFilter(filters.FilterSet):
    household = filters.CharFilter(method="filter_household", help_text="Mã hộ (hộ đi hoặc hộ đến).")
    year = YearFilter(field_name="date__year", min_value=2000, max_value=2100, help_text="Năm của ngày tách, nhập hộ.")

    class Meta:
        model = HouseholdEvent
        fields = ["kind", "household", "year"]

    def filter_household(self, queryset, name, value):
        return events_of(queryset, value, self.request.user)


class HouseholdEventViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    """Splits (tách hộ: people of a household found a new one) and joins (nhập hộ: people move into an existing
    household; one left empty is merged). Both households must be in your areas. Each person keeps their record,
    national ID and history."""

    queryset = HouseholdEvent.objects.all()
    serializer_class = HouseholdEventSerializer
    permission_classes = [EditorOrReadOnly]
    filterset_class = HouseholdEventFilter

    def get_queryset(self):
        return (HouseholdEvent.objects.visible_to(self.request.user).select_related("source", "target")
                .prefetch_related("moves").order_by("-date", "-pk"))

    def perform_create(self, serializer):
        serializer.save()  # the service runs its own transaction
