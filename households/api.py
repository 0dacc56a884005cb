"""REST API for areas, ethnic groups, households, members, standards, assessments and review rounds."""
from django.db import transaction
from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from households.models import (
    AdministrativeUnit, Assessment, EthnicGroup, Household, Member, PovertyStandard, Relation, ReviewRound,
)
from households.review_services import (
    assessment_delete, assessment_save, round_approve, round_reopen, round_return, round_submit,
)
from households.scoping import visible_area_codes
from households.services import household_create, household_sync_head, household_update
from poverty_tracker.api.base import EditorOrReadOnly, ModelCleanSerializer, ScopedSlugField, ScopedViewSet

AREA = dict(slug_field="code", queryset=AdministrativeUnit.objects.all())


def area_codes_under(code):
    """The code and every unit under it, now or in the past (one query per tree level)."""
    from households.models import AdministrativeUnitVersion

    codes, frontier = {code}, {code}
    while frontier:
        frontier = (set(AdministrativeUnit.objects.filter(Q(parent_id__in=frontier) | Q(successor_id__in=frontier))
                        .values_list("code", flat=True))
                    | set(AdministrativeUnitVersion.objects.filter(parent_id__in=frontier).values_list("unit_id", flat=True))
                    ) - codes
        codes |= frontier
    return codes


# --- reference data ---------------------------------------------------------------------------------

class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AdministrativeUnit
        fields = ["code", "name", "level", "kind", "parent", "is_urban", "valid_from", "valid_to", "successor"]


class AreaFilter(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent_id")
    valid_on = filters.DateFilter(method="filter_valid_on")

    class Meta:
        model = AdministrativeUnit
        fields = ["level", "parent", "valid_on"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AreaSerializer
    lookup_field = "code"
    filterset_class = AreaFilter

    def get_queryset(self):
        queryset = AdministrativeUnit.objects.select_related("parent", "successor").order_by("code")
        codes = visible_area_codes(self.request.user)
        if codes is None:
            return queryset
        ancestors = set()
        for unit in AdministrativeUnit.objects.filter(code__in=codes).values_list("parent_id", flat=True):
            if unit:
                ancestors.add(unit)
        frontier = set(ancestors)
        while frontier:
            frontier = set(AdministrativeUnit.objects.filter(code__in=frontier).exclude(parent=None)
                           .values_list("parent_id", flat=True)) - ancestors
            ancestors |= frontier
        return queryset.filter(code__in=set(codes) | ancestors)


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

class MemberSummary(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "full_name", "gender", "birth_year", "relation_to_head"]


class HouseholdSerializer(serializers.ModelSerializer):
    commune = ScopedSlugField(**AREA)
    village = ScopedSlugField(required=False, allow_null=True, **AREA)
    ethnic_group = EthnicCodeField()
    members = MemberSummary(many=True, read_only=True)
    version = serializers.IntegerField(required=False, help_text="Phiên bản đã đọc: sai thì trả 409.")

    class Meta:
        model = Household
        fields = ["code", "commune", "village", "head_name", "ethnic_group", "address", "status", "members",
                  "version"]

    def create(self, validated_data):
        validated_data.pop("version", None)
        return household_create(acting_user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        expected = validated_data.pop("version", None)
        return household_update(acting_user=self.context["request"].user, household=instance,
                                expected_version=expected, **validated_data)


class HouseholdFilter(filters.FilterSet):
    commune = filters.CharFilter(method="filter_commune", help_text="Mã bất kỳ đơn vị: mọi hộ thuộc đơn vị đó.")
    village = filters.CharFilter(field_name="village_id")
    ethnic_group = filters.CharFilter(method="filter_ethnic_group")
    search = filters.CharFilter(method="filter_search")
    year = filters.NumberFilter(method="filter_noop")
    classification = filters.CharFilter(method="filter_classification")

    class Meta:
        model = Household
        fields = ["commune", "village", "ethnic_group", "status"]

    def filter_commune(self, queryset, name, value):
        return queryset.filter(commune_id__in=area_codes_under(value))

    def filter_ethnic_group(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(ethnic_group_id=value.zfill(2) if value.isdigit() else value)

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


class MemberSerializer(ModelCleanSerializer):
    household = ScopedSlugField(slug_field="code", queryset=Household.objects.all())
    ethnic_group = EthnicCodeField()

    class Meta:
        model = Member
        fields = ["id", "household", "full_name", "gender", "birth_year", "ethnic_group", "relation_to_head",
                  "national_id"]

    def save(self, **kwargs):
        member = super().save(**kwargs)
        household_sync_head(household=member.household)
        return member


class MemberViewSet(ScopedViewSet):
    queryset = Member.objects.all()
    serializer_class = MemberSerializer
    select_related = ("household", "ethnic_group")
    filterset_fields = ["relation_to_head"]

    def get_queryset(self):
        return super().get_queryset().order_by("pk")

    def perform_destroy(self, instance):
        if instance.relation_to_head == Relation.HEAD:
            raise ValidationError({"relation_to_head": ["Không xoá chủ hộ: hãy đổi chủ hộ trước."]})
        with transaction.atomic():
            instance.delete()


# --- the review -------------------------------------------------------------------------------------

class AssessmentSerializer(serializers.ModelSerializer):
    household = ScopedSlugField(slug_field="code", queryset=Household.objects.all())
    deprivations = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                         source="deprivation_codes")
    standard = serializers.SlugRelatedField(slug_field="code", read_only=True)
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Assessment
        fields = ["id", "household", "year", "income_per_capita", "b1_score", "deprivations", "no_labour_capacity",
                  "has_meritorious_member", "standard", "commune", "classification", "movement", "version"]
        read_only_fields = ["classification", "movement"]
        validators = []  # one per household and year: the service says so with a clear message

    def _save(self, validated_data, household, year, expected, create_only):
        return assessment_save(
            acting_user=self.context["request"].user, household=household, year=year,
            income_per_capita=validated_data.get("income_per_capita"), b1_score=validated_data.get("b1_score"),
            deprivations=validated_data.get("deprivation_codes", []),
            no_labour_capacity=validated_data.get("no_labour_capacity", False),
            has_meritorious_member=validated_data.get("has_meritorious_member", False),
            expected_version=expected, create_only=create_only,
        )

    def create(self, validated_data):
        return self._save(validated_data, validated_data["household"], validated_data["year"], None, True)

    def update(self, instance, validated_data):
        merged = {"income_per_capita": instance.income_per_capita, "b1_score": instance.b1_score,
                  "deprivation_codes": instance.deprivation_codes,
                  "no_labour_capacity": instance.no_labour_capacity,
                  "has_meritorious_member": instance.has_meritorious_member, **validated_data}
        if validated_data.get("household", instance.household) != instance.household or \
                validated_data.get("year", instance.year) != instance.year:
            raise ValidationError({"year": ["Không đổi hộ hoặc năm của một kết quả: hãy xoá và tạo mới."]})
        return self._save(merged, instance.household, instance.year, validated_data.get("version"), False)


class AssessmentFilter(filters.FilterSet):
    commune = filters.CharFilter(method="filter_commune")
    household = filters.CharFilter(field_name="household__code")

    class Meta:
        model = Assessment
        fields = ["year", "commune", "classification", "household", "movement"]

    def filter_commune(self, queryset, name, value):
        return queryset.filter(commune_id__in=area_codes_under(value))


class AssessmentViewSet(ScopedViewSet):
    queryset = Assessment.objects.all()
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    select_related = ("household", "standard", "commune")

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "household__code")

    def perform_destroy(self, instance):
        assessment_delete(acting_user=self.request.user, assessment=instance)

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
    filterset_fields = ["year", "status"]

    def get_queryset(self):
        queryset = ReviewRound.objects.visible_to(self.request.user).select_related("commune").order_by("-year", "commune")
        commune = self.request.query_params.get("commune")
        return queryset.filter(commune_id__in=area_codes_under(commune)) if commune else queryset

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



class ImportUpload(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportView(viewsets.ViewSet):
    """POST multipart `file` (+ `dry_run=true`): counts per kind and every error, all or nothing."""

    permission_classes = [EditorOrReadOnly]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportUpload

    @extend_schema(request=ImportUpload, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def create(self, request):
        import tempfile

        from households.importing.service import households_import

        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["Hãy gửi tệp .xlsx trong trường multipart “file”."]}, status=400)
        dry_run = str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes", "on")
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            result = households_import(acting_user=request.user, path=handle.name, filename=upload.name,
                                       dry_run=dry_run, size=upload.size)
        return Response(result.as_dict(), status=400 if result.errors else 200)

