"""Spending by program: quantity, amount and households reached against the budget (disbursement rate)."""
from collections import defaultdict

from django.db.models import Count, F, Sum

from core.formatting import rate
from households.models import Household
from programs.models import BudgetAllocation, Program, Trainee
from reports.cache import cached_report, scope_signature
from reports.scope import ReportScope
from reports.year_aggregates import SPENDING_READS, year_aggregate
from review.placement import could_be_placed_in, placed_households, register_communes


def _benefit_totals(scope, year):
    """The year's benefits per commune where each household lived that year (review.placement) and program:
    [{"year_commune", "program", "quantity", "amount", "households"}], and the households reached per commune
    ({"year_commune", "households"}, a household counted once whatever its programs) — kept across data versions,
    recomputed for the communes a write touched (reports.year_aggregates)."""
    def compute(communes=None):
        households = Household.objects.visible_to(scope.user)
        if communes is not None:  # a write's communes: their candidates only (review.placement)
            households = households.filter(could_be_placed_in(communes, year))
        placed = placed_households(year, households).filter(
            year_commune__in=scope.communes if communes is None else communes, benefits__year=year)
        return {"programs": list(placed.values("year_commune", program=F("benefits__program_id")).annotate(
                    quantity=Sum("benefits__quantity"), amount=Sum("benefits__amount"),
                    households=Count("id", distinct=True)).order_by()),
                "reached": list(placed.values("year_commune").annotate(
                    households=Count("id", distinct=True)).order_by())}

    def partial(kept, communes, households):
        # a benefit names its household (commune None): it lies where the household lives that year; a result
        # written moves its household between the result's commune and its register's
        placed = set(placed_households(year, Household.objects.filter(id__in=list(households)))
                     .values_list("year_commune", flat=True))
        touched = ((set(communes) - {None}) | placed | register_communes(households, year)) & set(scope.communes)
        fresh = compute(touched) if touched else {"programs": [], "reached": []}
        return {part: [row for row in kept[part] if row["year_commune"] not in touched] + fresh[part]
                for part in ("programs", "reached")}

    parts = (scope_signature(scope.user), sorted(scope.communes))
    return year_aggregate("spending.benefits", year, parts, compute, partial, reads=SPENDING_READS)


@cached_report
def spending_summary(*, user, area_code, year, comparable=False):
    scope = ReportScope(user, area_code, year, comparable)
    benefits = _benefit_totals(scope, year)
    by_program = defaultdict(lambda: {"quantity": 0, "amount": 0, "households": 0})
    for row in benefits["programs"]:  # a household lies in one commune a year: its counts add up
        for name in ("quantity", "amount", "households"):
            by_program[row["program"]][name] += row[name]
    budgets = dict(BudgetAllocation.objects.filter(year=year, area_id__in=scope.units_within())
                   .values_list("program_id").annotate(total=Sum("amount")))
    programs = {program.code: program for program in Program.objects.filter(code__in=set(by_program) | set(budgets))}
    rows = {}
    for code, figures in by_program.items():
        rows[code] = {"program": {"code": code, "name": programs[code].name}, "unit": programs[code].unit, **figures}
    # Vocational training reaches people as trainees of the year's courses, not as benefit rows: they count
    # here too (in people), so this table and the training table agree.
    trainees = (Trainee.objects.visible_to(user).filter(course__year=year, course__commune_id__in=scope.communes)
                .values("course__program_id", "course__program__name", "course__program__unit")
                .annotate(people=Count("id"), households=Count("member__household", distinct=True))
                .order_by("course__program_id"))
    for row in trainees:
        target = rows.setdefault(row["course__program_id"], {
            "program": {"code": row["course__program_id"], "name": row["course__program__name"]},
            "unit": row["course__program__unit"], "quantity": 0, "amount": 0, "households": 0})
        target["quantity"] += row["people"]
        target["households"] += row["households"]
    for code in set(budgets) - set(rows):
        rows[code] = {"program": {"code": code, "name": programs[code].name}, "unit": programs[code].unit,
                      "quantity": 0, "amount": 0, "households": 0}
    for code, row in rows.items():
        row["budget"] = budgets.get(code, 0)
        row["disbursement_rate"] = rate(row["amount"], row["budget"])
        row["area"] = f"{code} – {row['program']['name']}"
    ordered = [rows[code] for code in sorted(rows)]
    # A household reached by benefits and training counts once: those reached by benefits (per commune, above),
    # and the trainees' households that had no benefit of the year placed in the report's communes.
    trained = Trainee.objects.visible_to(user).filter(course__year=year, course__commune_id__in=scope.communes)
    benefited = placed_households(year, Household.objects.visible_to(user).filter(
        pk__in=trained.values("member__household"))).filter(
        year_commune__in=scope.communes, benefits__year=year).values("pk")
    households = sum(row["households"] for row in benefits["reached"]) + (
        trained.exclude(member__household__in=benefited).values("member__household").distinct().count())
    # Quantities add up only in one unit (lượt, mô hình and người are not one number).
    units = {r["unit"] for r in ordered}
    total = {"quantity": sum(r["quantity"] for r in ordered) if len(units) == 1 else None,
             "unit": units.pop() if len(units) == 1 else "", "amount": sum(r["amount"] for r in ordered),
             "households": households, "budget": sum(r["budget"] for r in ordered)}
    total["disbursement_rate"] = rate(total["amount"], total["budget"])
    return {"year": year, "area": scope.area_dict(), "issuer": scope.issuer(), "rows": ordered, "total": total,
            "denominators": {"disbursement_rate": "số tiền đã hỗ trợ / kế hoạch vốn"}}
