"""Report endpoints: the same rows as the pages, as JSON (rates as two-place decimal strings) or Excel."""
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from areas.models import AdministrativeUnit
from core.api.base import ModelCleanSerializer, ScopedSlugField, ScopedViewSet, WritesWhatItShows
from reports.cache import reading_from_replica
from reports.excel import tables_response
from reports.in_year import lists_year, parse_as_of
from reports.models import HouseholdCount
from reports.params import BadParameter, parse_year
from reports.registry import REPORTS, report_table


def plain(value):
    """Decimals as "34.49" (exact, as the contract says), containers walked."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


REPORT_PARAMETERS = [
    OpenApiParameter("year", int, required=True, description="Năm báo cáo, ví dụ 2024"),
    OpenApiParameter("area", str, required=True, description="Mã đơn vị hành chính"),
    OpenApiParameter("comparable", str, enum=["1"], description="1: theo địa giới hiện nay"),
    OpenApiParameter("format", str, enum=["json", "xlsx"], description="xlsx: tệp Excel của báo cáo"),
]


class ReportView(APIView):
    """GET ?year=YYYY&area=CODE [&format=xlsx]."""

    slug = None
    shape = staticmethod(lambda result: result)

    @extend_schema(parameters=REPORT_PARAMETERS, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT,
                                                             404: OpenApiTypes.OBJECT})
    def get(self, request):
        with reading_from_replica():
            return self._answer(request)

    def _answer(self, request):
        try:
            year = parse_year(request.query_params.get("year"), None)
        except BadParameter as error:
            return Response({"year": [str(error)]}, status=400)
        area = (request.query_params.get("area") or "").strip()
        report = REPORTS[self.slug]
        options = {}
        if "as_of" in report.parameters and (request.query_params.get("as_of") or "").strip():
            # As of a date (reports/in_year.py): the date decides the review year whose lists are in force.
            try:
                day = parse_as_of(request.query_params["as_of"])
            except BadParameter as error:
                return Response({"as_of": [str(error)]}, status=400)
            if year is not None and year != lists_year(day):
                return Response({"as_of": [
                    f"Ngày {day:%d/%m/%Y} áp dụng danh sách theo kết quả rà soát năm {lists_year(day)}, không phải năm "
                    f"{year}: hãy gửi year={lists_year(day)} hoặc bỏ year."]}, status=400)
            year, options["as_of"] = lists_year(day), day.isoformat()
        errors = {}
        if year is None:
            errors["year"] = ["Bắt buộc: ?year=YYYY."]
        if not area:
            errors["area"] = ["Bắt buộc: ?area=MÃ đơn vị."]
        if errors:
            return Response(errors, status=400)
        try:
            result = report.build(user=request.user, area_code=area, year=year,
                                  comparable=request.query_params.get("comparable") == "1", **options)
        except BadParameter as error:
            return Response({"area": [str(error)]}, status=400)
        if request.query_params.get("format") == "xlsx":
            suffix = f"-{options['as_of']}" if options.get("as_of") else ""
            return tables_response([report_table(report, result, year)], f"{self.slug}-{area}-{year}{suffix}")
        result["rows"] = list(result["rows"])
        return Response(plain(self.shape(result)))


def _poverty_shape(result):
    shaped = {"year": result["year"], "area": result["area"], "rows": result["rows"], "total": result["total"],
              "denominators": result["denominators"],
              # null when final; else the review year's count of recognised communes (reports/provisional.py)
              "provisional": result.get("provisional")}
    if result.get("as_of"):  # asked as of a date: the date, and what the in-year columns mean
        shaped.update(as_of=result["as_of"], title=result["title"], notes=result.get("notes", []))
    return shaped


POVERTY_PARAMETERS = [
    OpenApiParameter("year", int, description="Năm rà soát, ví dụ 2024 (bắt buộc, trừ khi có as_of)"),
    *REPORT_PARAMETERS[1:],
    OpenApiParameter("as_of", OpenApiTypes.DATE, description=(
        "Tại ngày (YYYY-MM-DD): danh sách đang áp dụng ngày đó (kết quả rà soát năm trước của ngày đó) và các "
        "quyết định rà soát thường xuyên có hiệu lực đến ngày đó, thêm các cột biến động trong năm.")),
]


class PovertyReport(ReportView):
    """GET ?year=YYYY&area=CODE [&as_of=YYYY-MM-DD] [&format=xlsx]."""

    slug = "poverty"
    shape = staticmethod(_poverty_shape)

    @extend_schema(parameters=POVERTY_PARAMETERS, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT,
                                                              404: OpenApiTypes.OBJECT})
    def get(self, request):
        return super().get(request)


class SpendingReport(ReportView):
    slug = "spending"


class TrainingReport(ReportView):
    slug = "training"


class CooperativesReport(ReportView):
    slug = "cooperatives"


class DeprivationReport(ReportView):
    slug = "deprivation"


class DeprivationByAreaReport(ReportView):
    """Poor and near-poor households deprived of each indicator, per child area (route: api/urls.py)."""
    slug = "deprivation-by-area"


class EthnicGroupsReport(ReportView):
    """Households, poor and near-poor households and rates per ethnic group (route: api/urls.py)."""
    slug = "ethnic-groups"


class HouseholdCountSerializer(WritesWhatItShows, ModelCleanSerializer):
    commune = ScopedSlugField(slug_field="code", queryset=AdministrativeUnit.objects.communes())

    class Meta:
        model = HouseholdCount
        fields = ["id", "commune", "year", "households", "ethnic_minority_households"]
        validators = []


class HouseholdCountViewSet(ScopedViewSet):
    queryset = HouseholdCount.objects.all()
    serializer_class = HouseholdCountSerializer
    select_related = ("commune",)
    filterset_fields = ["year"]

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "commune_id")


