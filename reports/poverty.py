"""Poverty summary (Kon Tum "Biểu số 05" columns) per child area and in total, for an area and a year.

Columns: Kon Tum's published table, plus the near-poor flows. Neither list is confirmed against the forms of
Appendix VII of Circular 07/2021/TT-BLĐTBXH (7.8–7.10 replaced by Circular 02/2022/TT-BLĐTBXH), whose
column lists could not be read: the columns are data in reports/registry.py.

Constant queries whatever the size: assessments of the year and of the year before aggregated by commune
in SQL, the declared household counts, the fallback count of registered households and the first review
year of the year's standard; the ≤ few hundred commune rows are then added up into the report's rows with
the administrative map of the year.

Definitions (domain file, "Status changes" and "Rates"):
- households: the commune's declared total for the year where one exists, else the households of the year's
  review placed in it (review.placement: on the register by the close of the year's window or reviewed that
  year; placed by that year's assessment, else by the commune their village belonged to that year);
- poor_start / near_poor_start: households poor / near-poor in the previous year's review;
- escaped: poor last year and not poor this year (movements `escaped` and `escaped_to_near_poor`);
- rates are over all households; the ethnic-minority poverty rate is over ethnic-minority households;
- poverty_reduction = start-of-year rate − end-of-year rate, in percentage points;
- near-poor flows: escaped_near_poor (near-poor last year, neither poor nor near-poor now), near_poor_to_poor
  (near-poor last year, poor now), newly_near_poor, escaped_to_near_poor (poor last year, near-poor now), so
  that near_poor = near_poor_start − escaped_near_poor − near_poor_to_poor + newly_near_poor
  + escaped_to_near_poor wherever every household of last year's lists was reviewed again.

No start-of-year figure without a previous year's result: in the first review year of a standard (the
previous year's lists were drawn by another standard) and in a year with no result the year before anywhere
in the report, the start-of-year counts, their rates and the poverty reduction are None ("—" in the sheet);
a row one of whose communes has results this year but none last year (a commune whose first year in the
register this is) shows none either, and the total then shows none, rather than a reduction against zero.
"""
import contextlib
import contextvars
from collections import defaultdict

from django.db.models import Count, Q

from core.formatting import points, rate
from households.models import Household
from reports.cache import cached_report, scope_signature
from reports.models import HouseholdCount
from reports.scope import ReportScope
from reports.year_aggregates import year_aggregate
from review.models import ESCAPE_MOVEMENTS, Assessment, Classification, Movement, PovertyStandard
from review.placement import could_be_placed_in, households_placed_in, register_communes

POOR, NEAR_POOR = Classification.POOR, Classification.NEAR_POOR

# The report's figures by their column keys (reports/registry.py), each a condition on the year's assessments.
COUNTS = {
    "poor": Q(classification=POOR),
    "near_poor": Q(classification=NEAR_POOR),
    "escaped": Q(movement__in=ESCAPE_MOVEMENTS),
    "newly_poor": Q(movement=Movement.NEWLY_POOR),
    "relapsed": Q(movement=Movement.RELAPSED),
    "near_poor_to_poor": Q(movement=Movement.NEAR_POOR_TO_POOR),
    "escaped_near_poor": Q(movement=Movement.ESCAPED_NEAR_POOR),
    "newly_near_poor": Q(movement=Movement.NEWLY_NEAR_POOR),
    "escaped_to_near_poor": Q(movement=Movement.ESCAPED_TO_NEAR_POOR),
    "poor_ethnic_minority": Q(classification=POOR, is_ethnic_minority=True),
    "near_poor_ethnic_minority": Q(classification=NEAR_POOR, is_ethnic_minority=True),
    "poor_no_labour_capacity": Q(classification=POOR, no_labour_capacity=True),
    "near_poor_no_labour_capacity": Q(classification=NEAR_POOR, no_labour_capacity=True),
    "poor_meritorious": Q(classification=POOR, has_meritorious_member=True),
    "near_poor_meritorious": Q(classification=NEAR_POOR, has_meritorious_member=True),
    "poor_social_protection": Q(classification=POOR, has_social_protection_member=True),
    "near_poor_social_protection": Q(classification=NEAR_POOR, has_social_protection_member=True),
}
START_COUNTS = {"poor_start": "poor", "near_poor_start": "near_poor"}  # last year's counts of these
DENOMINATORS = ("households", "ethnic_minority_households", "households_start")
FIGURES = (*DENOMINATORS, *COUNTS, *START_COUNTS)
START_FIGURES = (*START_COUNTS, "households_start")  # None where there is no previous year's result


def _group_fields(scope, prefix=""):
    return [f"{prefix}commune_id"] + ([f"{prefix}village_id"] if scope.by_village else [])


_shared = contextvars.ContextVar("poverty_shared_queries", default=None)


@contextlib.contextmanager
def shared_queries():
    """Inside this block, summaries share their per-commune aggregates: the dashboard asks for eight
    summaries over seven years, and each year's two heavy aggregates are then read once instead of up to
    four times (this year, last year's start, and the same on today's map)."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def _once(kind, scope, year, compute, partial=None):
    """A year's aggregate: read once per page (`shared_queries`), and kept across requests and data versions
    while no write touches its year, or recomputed for the communes a write touched (`partial`,
    `reports.year_aggregates.year_aggregate`)."""
    def lasting():
        parts = (scope_signature(scope.user), sorted(scope.communes), scope.by_village)
        return year_aggregate(f"poverty.{kind}", year, parts, compute, partial)

    memo = _shared.get()
    if memo is None:
        return lasting()
    key = (kind, scope.user.pk, frozenset(scope.communes), year, scope.by_village)
    if key not in memo:
        memo[key] = lasting()
    return memo[key]


def _recomputed(rows, field, communes, compute):
    """`rows` (per commune, or per village) with those of `communes` computed again by `compute(communes)`."""
    return [row for row in rows if row[field] not in communes] + (compute(communes) if communes else [])


def _assessment_counts(scope, year):
    def compute(communes=None):
        queryset = Assessment.objects.visible_to(scope.user).filter(
            year=year, commune_id__in=scope.communes if communes is None else communes)
        aggregates = {name: Count("id", filter=condition) for name, condition in COUNTS.items()}
        return list(queryset.values(*_group_fields(scope)).annotate(**aggregates).order_by())

    def partial(rows, communes, households):
        return _recomputed(rows, "commune_id", set(communes) & set(scope.communes), compute)
    return _once("assessments", scope, year, compute, partial)


def _registered_counts(scope, year):
    """Households living in the area during `year` (by the register's dates, or reviewed that year),
    placed by that year's assessment."""
    def compute(communes=None):
        return list(_registered_counts_query(scope, year, communes))

    def partial(rows, communes, households):
        # a result written or removed moves its household between its result's commune and its register's
        touched = (set(communes) | register_communes(households, year)) & set(scope.communes)
        return _recomputed(rows, "year_commune", touched, compute)
    return _once("registered", scope, year, compute, partial)


def registered_households(scope, year):
    """The households of the review of `year` placed in the scope's communes that year, each annotated with the
    commune and village of that year (`year_commune`, `year_village`): the denominators of every rate. The one
    placement rule (review.placement): belonging to the year's review, placed by its result, else by the
    commune its village belonged to then."""
    return households_placed_in(scope.communes, year, Household.objects.visible_to(scope.user))


def _registered_counts_query(scope, year, communes=None):
    households = Household.objects.visible_to(scope.user)
    if communes is not None:  # a write's communes: their candidates only (not the province's households placed)
        households = households.filter(could_be_placed_in(communes, year))
    queryset = households_placed_in(scope.communes if communes is None else communes, year, households)
    fields = ["year_commune"] + (["year_village"] if scope.by_village else [])
    return queryset.values(*fields).annotate(
        households=Count("id"), ethnic_minority_households=Count("id", filter=Q(ethnic_group__is_minority=True))
    ).order_by()


def _denominators(scope, year):
    """{row: {"households": n, "ethnic_minority_households": n}} from declarations, else the register."""
    totals = defaultdict(lambda: defaultdict(int))
    declared = {}
    if not scope.by_village:
        declared = {
            row["commune_id"]: row for row in HouseholdCount.objects.filter(
                year=year, commune_id__in=scope.communes
            ).values("commune_id", "households", "ethnic_minority_households")
        }
        for commune, row in declared.items():
            target = totals[scope.row_of(commune)]
            target["households"] += row["households"]
            target["ethnic_minority_households"] += row["ethnic_minority_households"]
    for row in _registered_counts(scope, year):
        if row["year_commune"] in declared:
            continue
        target = totals[scope.row_of(row["year_commune"], row.get("year_village"))]
        target["households"] += row["households"]
        target["ethnic_minority_households"] += row["ethnic_minority_households"]
    return totals


def with_rates(figures):
    result = dict(figures)
    households = figures.get("households", 0)
    result["poor_rate"] = rate(figures.get("poor", 0), households)
    result["near_poor_rate"] = rate(figures.get("near_poor", 0), households)
    result["poor_start_rate"] = rate(figures.get("poor_start", 0), figures.get("households_start", 0))
    result["near_poor_start_rate"] = rate(figures.get("near_poor_start", 0), figures.get("households_start", 0))
    result["ethnic_minority_poor_rate"] = rate(
        figures.get("poor_ethnic_minority", 0), figures.get("ethnic_minority_households", 0)
    )
    result["ethnic_minority_share_of_poor"] = rate(figures.get("poor_ethnic_minority", 0), figures.get("poor", 0))
    result["poverty_reduction"] = points(result["poor_start_rate"], result["poor_rate"])
    return result


def first_year_of_standard(year):
    """Whether `year` is the first review year of its standard (None: no standard covers the year); read once
    per year inside `shared_queries()`."""
    memo = _shared.get()
    key = ("first_year_of_standard", year)
    if memo is not None and key in memo:
        return memo[key]
    first = PovertyStandard.objects.for_year(year).values_list("first_year", flat=True).first()
    answer = None if first is None else first == year
    if memo is not None:
        memo[key] = answer
    return answer


def rows_without_start(scope, year, this_year, last_year):
    """(rows with no start-of-year figures, whether the total has none) from the per-commune aggregates of
    this year and last year: see the module's docstring."""
    if not last_year or first_year_of_standard(year):
        return None, True  # None: every row
    reviewed_before = {scope.commune_on_map(record["commune_id"])[0] for record in last_year}
    missing = {
        scope.row_of(record["commune_id"], record.get("village_id")) for record in this_year
        if scope.commune_on_map(record["commune_id"])[0] not in reviewed_before
    }
    return missing, bool(missing)


@cached_report
def poverty_summary(*, user, area_code, year, comparable=False, map_year=None):
    """{"year", "area", "rows": [{"area", ...figures}], "total": {...}, "denominators": {...}}."""
    scope = ReportScope(user, area_code, year, comparable, map_year=map_year)
    rows = defaultdict(lambda: defaultdict(int))
    for code in scope.rows_expected():
        rows[code]  # every child area gets a row, even with nothing recorded
    this_year, last_year = _assessment_counts(scope, year), _assessment_counts(scope, year - 1)
    for record in this_year:
        target = rows[scope.row_of(record["commune_id"], record.get("village_id"))]
        for name in COUNTS:
            target[name] += record[name]
    for record in last_year:
        target = rows[scope.row_of(record["commune_id"], record.get("village_id"))]
        for name, last_year_name in START_COUNTS.items():
            target[name] += record[last_year_name]
    for code, values in _denominators(scope, year).items():
        for name, value in values.items():
            rows[code][name] += value
    for code, values in _denominators(scope, year - 1).items():
        rows[code]["households_start"] += values["households"]

    rows.pop(None, None)  # records outside the map of the year (should not happen; never counted twice)
    total = {name: sum(row.get(name, 0) for row in rows.values()) for name in FIGURES}
    missing, total_missing = rows_without_start(scope, year, this_year, last_year)
    for code, values in rows.items():
        if missing is None or code in missing:
            values.update(dict.fromkeys(START_FIGURES))
    if total_missing:
        total.update(dict.fromkeys(START_FIGURES))
    ordered = sorted(rows.items(), key=lambda item: item[0])
    return {
        "year": year,
        "comparable": comparable,
        "area": scope.area_dict(),
        "issuer": scope.issuer(),
        "rows": [
            {"area": scope.row_label(code), **with_rates({name: values.get(name, 0) for name in FIGURES})}
            for code, values in ordered
        ],
        "total": with_rates(total),
        "denominators": {
            "poor_rate": "hộ nghèo / tổng số hộ",
            "near_poor_rate": "hộ cận nghèo / tổng số hộ",
            "ethnic_minority_poor_rate": "hộ nghèo DTTS / tổng số hộ DTTS",
            "ethnic_minority_share_of_poor": "hộ nghèo DTTS / tổng số hộ nghèo",
            "poverty_reduction": "tỷ lệ hộ nghèo đầu kỳ − tỷ lệ hộ nghèo cuối kỳ (điểm %)",
        },
    }


def poverty_series(*, user, area_code, years):
    """Totals for several years on today's map (comparable series across the 2025 reform)."""
    with shared_queries():
        return [
            {"year": year, **poverty_summary(user=user, area_code=area_code, year=year, comparable=True)["total"]}
            for year in years
        ]
