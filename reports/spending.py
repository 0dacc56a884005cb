"""Spending by program: quantity, amount and households reached against the budget (disbursement rate)."""
from django.db.models import Count, Sum

from core.formatting import rate
from programs.models import Benefit, BudgetAllocation, Program, Trainee
from reports.cache import cached_report
from reports.scope import ReportScope
from review.placement import placed_households


@cached_report
def spending_summary(*, user, area_code, year, comparable=False):
    scope = ReportScope(user, area_code, year, comparable)
    # A benefit of the year lies where its household was that year (review.placement), as the register has it.
    reached = placed_households(year).filter(year_commune__in=scope.communes).values("pk")
    benefits = (Benefit.objects.visible_to(user).filter(year=year, household__in=reached)
                .values("program_id", "program__name", "program__unit")
                .annotate(quantity=Sum("quantity"), amount=Sum("amount"), households=Count("household", distinct=True))
                .order_by("program_id"))
    budgets = dict(BudgetAllocation.objects.filter(year=year, area_id__in=scope.units_within())
                   .values_list("program_id").annotate(total=Sum("amount")))
    rows = {}
    for row in benefits:
        rows[row["program_id"]] = {
            "program": {"code": row["program_id"], "name": row["program__name"]}, "unit": row["program__unit"],
            "quantity": row["quantity"], "amount": row["amount"], "households": row["households"],
        }
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
    if budgets:
        for program in Program.objects.filter(code__in=set(budgets) - set(rows)):
            rows[program.code] = {"program": {"code": program.code, "name": program.name}, "unit": program.unit,
                                  "quantity": 0, "amount": 0, "households": 0}
    for code, row in rows.items():
        row["budget"] = budgets.get(code, 0)
        row["disbursement_rate"] = rate(row["amount"], row["budget"])
        row["area"] = f"{code} – {row['program']['name']}"
    ordered = [rows[code] for code in sorted(rows)]
    households = Benefit.objects.visible_to(user).filter(
        year=year, household__in=reached).values("household").order_by().union(
        Trainee.objects.visible_to(user).filter(course__year=year, course__commune_id__in=scope.communes)
        .values("member__household").order_by()).count()  # UNION: a household reached twice counts once
    # Quantities add up only in one unit (lượt, mô hình and người are not one number).
    units = {r["unit"] for r in ordered}
    total = {"quantity": sum(r["quantity"] for r in ordered) if len(units) == 1 else None,
             "unit": units.pop() if len(units) == 1 else "", "amount": sum(r["amount"] for r in ordered),
             "households": households, "budget": sum(r["budget"] for r in ordered)}
    total["disbursement_rate"] = rate(total["amount"], total["budget"])
    return {"year": year, "area": scope.area_dict(), "issuer": scope.issuer(), "rows": ordered, "total": total,
            "denominators": {"disbursement_rate": "số tiền đã hỗ trợ / kế hoạch vốn"}}
