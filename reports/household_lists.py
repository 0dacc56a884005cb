"""The household lists a commune posts: poor, near-poor, escaped and newly poor, for an area and a year.

With `indicator` (?indicator=9), the list of one deprivation instead: the poor and near-poor households of
the year deprived of that indicator of the year's standard (e.g. 9, the drinking-water source), for a
programme to target them; each household listed once, under its class. Not an official form.
"""
import heapq

from django.db.models import Case, CharField, F, FilteredRelation, OuterRef, Q, Subquery, Value, When

from areas.map import report_day
from areas.models import AdministrativeUnit, unit_label
from households.models import Gender, Household, HouseholdStatus, Member, Relation
from households.moves import households_on, moved_after
from reports.deprivation import deprived_of, year_indicators
from reports.params import BadParameter
from reports.scope import ReportScope
from review.models import Assessment, Classification, Movement, ReviewRound, RoundStatus
from review.placement import households_placed_in

# A household that moved this year is listed under its movement, with the summary's own words (a relapsed
# household is "Hộ tái nghèo", not "new"); one that stayed, under its class.
FLOWS = [Movement.NEWLY_POOR, Movement.RELAPSED, Movement.NEAR_POOR_TO_POOR, Movement.ESCAPED,
         Movement.ESCAPED_TO_NEAR_POOR, Movement.ESCAPED_NEAR_POOR, Movement.NEWLY_NEAR_POOR]


def list_name_of_movement():
    return Case(
        *[When(movement=flow, then=Value(flow.label)) for flow in FLOWS],
        When(classification=Classification.POOR, then=Value(Classification.POOR.label)),
        When(classification=Classification.NEAR_POOR, then=Value(Classification.NEAR_POOR.label)),
        output_field=CharField(),
    )


def list_name_of_class():
    return Case(
        *[When(classification=c, then=Value(c.label)) for c in (Classification.POOR, Classification.NEAR_POOR)],
        output_field=CharField(),
    )


def list_rows(*, user, area_code, year, comparable=False, indicator=None):
    """A generator of rows (streams for 100,000+ households): one row per household and list it is on; with
    `indicator`, the poor and near-poor households deprived of it, under their class."""
    scope = ReportScope(user, area_code, year, comparable)
    queryset = Assessment.objects.visible_to(user).filter(year=year, commune_id__in=scope.communes)
    if indicator:
        queryset = queryset.filter(
            deprived_of(indicator), classification__in=[Classification.POOR, Classification.NEAR_POOR]
        ).annotate(list_name=list_name_of_class())
    else:
        queryset = queryset.exclude(
            classification__in=[Classification.AVERAGE, Classification.NOT_POOR], movement=Movement.NONE
        ).annotate(list_name=list_name_of_movement())
    queryset = (
        queryset
        .order_by("commune_id", "village_id", "household__code")
        .values_list("household__code", "household__head_name", "commune_id", "village__kind", "village__name",
                     "list_name", "income_per_capita", "deprivation_count", "household__ethnic_group__name")
    )
    communes = {}
    for code, head, commune, kind, village, list_name, income, deprivations, ethnic in queryset.iterator(
            chunk_size=5000):
        if commune not in communes:
            communes[commune] = scope.commune_on_map(commune)[1]
        yield {"code": code, "area": head, "commune": communes[commune], "village": unit_label(kind, village) if village else "",
               "list": list_name,
               "income": income, "deprivations": deprivations, "ethnic_group": ethnic}


def household_lists(*, user, area_code, year, comparable=False, indicator=None):
    scope = ReportScope(user, area_code, year, comparable)
    indicators = year_indicators(year)
    result = {"year": year, "area": scope.area_dict(), "issuer": scope.issuer(), "indicators": indicators,
              "indicator": None, "total": None}
    code = str(indicator).strip() if indicator is not None else ""
    if code:
        chosen = next((item for item in indicators if item["code"] == code), None)
        if chosen is None:
            raise BadParameter(f"Chỉ số “{code}” không có trong chuẩn nghèo áp dụng cho năm rà soát {year}: hãy chọn "
                               "một chỉ số trong danh sách.")
        result["indicator"] = chosen
        result["title"] = (f"Danh sách hộ nghèo, hộ cận nghèo thiếu hụt chỉ số {chosen['code']}. {chosen['name']} "
                           f"theo kết quả rà soát năm {year}")
        result["notes"] = [
            f"Các hộ nghèo, hộ cận nghèo theo kết quả rà soát năm {year} thiếu hụt chỉ số {chosen['code']}. "
            f"{chosen['name']} ({chosen['dimension']}), để các chương trình, chính sách hỗ trợ đúng đối tượng.",
            "Không phải biểu mẫu chính thức.",
        ]
    result["rows"] = list_rows(user=user, area_code=area_code, year=year, comparable=comparable,
                               indicator=code or None)
    return result


def register_rows(*, user, area_code, year, comparable=False):
    """The register of the year: every household of the year's review in the area, in the commune and village
    of that year (review.placement: its result's, else where its village was; a household registered after the
    year's window closed is not in it), with its result of the year."""
    scope = ReportScope(user, area_code, year, comparable)
    village = AdministrativeUnit.objects.filter(code=OuterRef("year_village"))
    queryset = (
        households_placed_in(scope.communes, year, Household.objects.visible_to(user))
        .annotate(village_kind=Subquery(village.values("kind")[:1]), village_name=Subquery(village.values("name")[:1]))
        .order_by("year_commune", "code")
        .values_list("code", "head_name", "year_commune", "village_kind", "village_name", "ethnic_group__name",
                     "status", "that_year__classification")
    )
    labels = {Classification.POOR: "Hộ nghèo", Classification.NEAR_POOR: "Hộ cận nghèo",
              Classification.AVERAGE: "Trên chuẩn cận nghèo", Classification.NOT_POOR: "Không nghèo",
              None: "Chưa rà soát"}
    communes = {}  # commune code -> its label on the report's map (merged communes under their successor)
    for code, head, commune, kind, village_name, ethnic, status, classification in queryset.iterator(chunk_size=5000):
        if commune not in communes:
            communes[commune] = scope.commune_on_map(commune)[1]
        yield {"code": code, "area": head, "area_name": head, "commune": communes[commune],
               "village": unit_label(kind, village_name) if village_name else "",
               "ethnic_group": ethnic, "status": HouseholdStatus(status).label, "list": labels[classification]}


def household_register(*, user, area_code, year, comparable=False):
    scope = ReportScope(user, area_code, year, comparable)
    return {"year": year, "area": scope.area_dict(), "issuer": scope.issuer(),
            "rows": register_rows(user=user, area_code=area_code, year=year, comparable=comparable), "total": None}


def member_rows(*, user, area_code, year, comparable=False):
    """Every member of the households on the year's recognised poor and near-poor lists (approved rounds):
    what health-insurance cards and other per-person support are issued from. Streams, head first.

    Each person once, in the household they belonged to on 31 December of the year (households.moves.households_on:
    one who moved by a split or join since is listed where they were, with the relation of then, not also where
    they are); a national ID is one member (the register's unique rule), so no ID is listed twice."""
    scope = ReportScope(user, area_code, year, comparable)
    approved = list(ReviewRound.objects.filter(year=year, commune_id__in=scope.communes, status=RoundStatus.APPROVED)
                    .values_list("pk", flat=True))  # a few hundred communes at most
    day = report_day(year)
    recognised = Q(household__assessments__year=year, household__assessments__review_round_id__in=approved,
                   household__assessments__classification__in=[Classification.POOR, Classification.NEAR_POOR])
    queryset = (
        Member.objects.visible_to(user).exclude(moved_after(day))
        .annotate(that_year=FilteredRelation("household__assessments", condition=recognised))
        .filter(that_year__isnull=False)
        .annotate(head_first=Case(When(relation_to_head=Relation.HEAD, then=Value(0)), default=Value(1)))
        .order_by("that_year__commune_id", F("that_year__village_id").asc(nulls_first=True), "household__code",
                  "head_first", "pk")
        .values_list("pk", "household__code", "full_name", "gender", "birth_date", "birth_year", "relation_to_head",
                     "national_id", "ethnic_group__name", "that_year__commune_id", "that_year__village_id",
                     "that_year__village__kind", "that_year__village__name", "that_year__classification")
    )
    stayed = (row for row in queryset.iterator(chunk_size=5000))
    moved = _moved_member_rows(user, scope, year, approved, day)
    communes = {}
    for (_, code, name, gender, birth_date, birth_year, relation, national_id, ethnic, commune, _, kind, village,
         classification) in heapq.merge(stayed, moved, key=_member_order):
        if commune not in communes:
            communes[commune] = scope.commune_on_map(commune)[1]
        yield {"code": code, "area_name": name, "gender": Gender(gender).label if gender else "",
               "birth": f"{birth_date:%d/%m/%Y}" if birth_date else (str(birth_year) if birth_year else ""),
               "relation": Relation(relation).label, "national_id": national_id or "", "ethnic_group": ethnic,
               "commune": communes[commune], "village": unit_label(kind, village) if village else "",
               "list": Classification(classification).label}


def _member_order(row):
    """commune, village, household code, head first, member id: the list's order."""
    return row[9], row[10] or "", row[1], row[6] != Relation.HEAD, row[0]


def _moved_member_rows(user, scope, year, approved, day):
    """The rows of members who moved after `day`, under the household (and relation) of that day, in list order."""
    placed = households_on(day)
    if not placed:
        return []
    lists = {row[0]: row[1:] for row in Assessment.objects.visible_to(user).filter(
        year=year, review_round_id__in=approved, commune_id__in=scope.communes,
        household_id__in={household for household, _ in placed.values()},
        classification__in=[Classification.POOR, Classification.NEAR_POOR]).values_list(
        "household_id", "household__code", "commune_id", "village_id", "village__kind", "village__name",
        "classification")}
    people = [pk for pk, (household, _) in placed.items() if household in lists]
    rows = []
    for pk, name, gender, birth_date, birth_year, national_id, ethnic in Member.objects.filter(pk__in=people).values_list(
            "pk", "full_name", "gender", "birth_date", "birth_year", "national_id", "ethnic_group__name"):
        household, relation = placed[pk]
        code, commune, village_id, kind, village, classification = lists[household]
        rows.append((pk, code, name, gender, birth_date, birth_year, relation, national_id, ethnic, commune,
                     village_id, kind, village, classification))
    return sorted(rows, key=_member_order)


def household_members(*, user, area_code, year, comparable=False):
    scope = ReportScope(user, area_code, year, comparable)
    return {"year": year, "area": scope.area_dict(), "issuer": scope.issuer(),
            "rows": member_rows(user=user, area_code=area_code, year=year, comparable=comparable), "total": None}
