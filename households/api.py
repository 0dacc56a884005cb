"""API of the register: ethnic groups, households, members."""
from django.db import transaction
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from areas.models import AdministrativeUnit, codes_under
from core.api.base import ChangesCarryVersion, ScopedSlugField, ScopedViewSet, WritesWhatItShows
from households.models import EthnicGroup, Household, Member, Relation, national_id_validator
from households.services import household_create, household_update, member_delete, member_save

AREA = dict(slug_field="code", queryset=AdministrativeUnit.objects.all())


class EthnicGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = EthnicGroup
        fields = ["code", "name", "is_minority"]


class EthnicGroupViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = EthnicGroup.objects.all()
    serializer_class = EthnicGroupSerializer
    lookup_field = "code"
    pagination_class = None


class EthnicCodeField(serializers.SlugRelatedField):
    """121-TCTK code; "1" is read as "01" (Excel drops leading zeros)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=EthnicGroup.objects.all(), **kwargs)

    def to_internal_value(self, data):
        text = str(data).strip()
        return super().to_internal_value(text.zfill(2) if text.isdigit() else text)


class MemberSummary(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "full_name", "gender", "birth_year", "relation_to_head"]


class HouseholdSerializer(ChangesCarryVersion, WritesWhatItShows, serializers.ModelSerializer):
    commune = ScopedSlugField(**AREA)
    village = ScopedSlugField(required=False, allow_null=True, **AREA)
    ethnic_group = EthnicCodeField()
    members = MemberSummary(many=True, read_only=True)
    livelihood = serializers.ChoiceField(
        choices=Household._meta.get_field("livelihood").choices, required=False,
        help_text="Sinh kế chính: agriculture, forestry, fishery, salt (hộ trên chuẩn nghèo được xét mức sống trung "
                  "bình) hoặc other (hộ không nghèo). Bỏ trống khi tạo: other ở phường/thị trấn, agriculture ở xã.")
    version = serializers.IntegerField(required=False, help_text="Phiên bản đã đọc (bắt buộc khi sửa): sai thì 409.")

    class Meta:
        model = Household
        fields = ["code", "commune", "village", "head_name", "ethnic_group", "address", "status", "livelihood",
                  "members", "version"]

    def create(self, validated_data):
        validated_data.pop("version", None)
        return household_create(acting_user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        version = validated_data.pop("version")
        return household_update(acting_user=self.context["request"].user, household=instance,
                                expected_version=version, **validated_data)


ETHNIC_FILTER_HELP = ("Mã 121-TCTK (14) hoặc tên dân tộc, viết thế nào cũng được: “Xơ Đăng”, “xo dang”, “Xơ-đăng” "
                      "(không phân biệt dấu, hoa thường, gạch nối, dấu cách).")


def filter_ethnic_group(queryset, name, value):
    """Households or members of the groups `value` names (EthnicGroupQuerySet.matching)."""
    return queryset.filter(ethnic_group__in=EthnicGroup.objects.matching(value))


class MemberFilter(filters.FilterSet):
    ethnic_group = filters.CharFilter(method=filter_ethnic_group, help_text=ETHNIC_FILTER_HELP)

    class Meta:
        model = Member
        fields = ["relation_to_head", "ethnic_group"]


class HouseholdFilter(filters.FilterSet):
    commune = filters.CharFilter(method="filter_commune", help_text="Mã bất kỳ đơn vị: mọi hộ thuộc đơn vị đó.")
    village = filters.CharFilter(field_name="village_id")
    ethnic_group = filters.CharFilter(method=filter_ethnic_group, help_text=ETHNIC_FILTER_HELP)
    search = filters.CharFilter(method="filter_search")
    year = filters.NumberFilter(method="filter_noop")
    classification = filters.CharFilter(method="filter_classification")

    class Meta:
        model = Household
        fields = ["commune", "village", "ethnic_group", "status"]

    def filter_commune(self, queryset, name, value):
        return queryset.filter(commune_id__in=codes_under([value]))

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_classification(self, queryset, name, value):
        year = self.data.get("year")
        if not year or not str(year).isdigit():
            raise ValidationError({"year": ["Lọc theo phân loại cần năm (?year=YYYY)."]})
        return queryset.filter(assessments__year=int(year), assessments__classification=value)


class HouseholdViewSet(ScopedViewSet):
    queryset = Household.objects.all()
    serializer_class = HouseholdSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = HouseholdFilter
    select_related = ("commune", "village", "ethnic_group")
    prefetch_related = ("members",)

    def get_queryset(self):
        return super().get_queryset().order_by("code")

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance._history_user = self.request.user
            instance.members.all().delete()
            instance.delete()


class ScopedMemberField(serializers.PrimaryKeyRelatedField):
    """A member by id among those the user may see: another commune's member and a missing id get the same
    answer, so the API cannot be used to find out which ids exist."""

    default_error_messages = {
        "does_not_exist": "Không có thành viên {pk_value} trong địa bàn của bạn.",
        "incorrect_type": "Mã thành viên phải là một số nguyên.",
    }

    def get_queryset(self):
        request = self.context.get("request")
        members = Member.objects.select_related("household")
        return members.visible_to(request.user) if request is not None else members.none()

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class MemberSerializer(ChangesCarryVersion, WritesWhatItShows, serializers.ModelSerializer):
    household = ScopedSlugField(slug_field="code", queryset=Household.objects.all())
    ethnic_group = EthnicCodeField()
    version = serializers.IntegerField(required=False, help_text="Phiên bản đã đọc (bắt buộc khi sửa): sai thì 409.")

    class Meta:
        model = Member
        fields = ["id", "household", "full_name", "gender", "birth_year", "birth_date", "ethnic_group",
                  "relation_to_head", "national_id", "has_disability", "is_meritorious", "is_social_protection",
                  "has_labour_capacity", "version"]
        validators = []  # the service validates the row (and its constraints) as stored plus the changes
        # a national ID another member holds: the service's rule (households.identity) says so in its words
        extra_kwargs = {"national_id": {"validators": [national_id_validator]}}

    def create(self, validated_data):
        validated_data.pop("version", None)
        return member_save(acting_user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        version = validated_data.pop("version")
        return member_save(acting_user=self.context["request"].user, member=instance, expected_version=version,
                           **validated_data)


class MemberViewSet(ScopedViewSet):
    queryset = Member.objects.all()
    serializer_class = MemberSerializer
    select_related = ("household", "ethnic_group")
    filterset_class = MemberFilter

    def get_queryset(self):
        return super().get_queryset().order_by("pk")

    def perform_destroy(self, instance):
        if instance.relation_to_head == Relation.HEAD:
            raise ValidationError({"relation_to_head": ["Không xoá chủ hộ: hãy đổi chủ hộ trước."]})
        member_delete(acting_user=self.request.user, member=instance)
