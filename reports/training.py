"""Vocational training by year (every trainee of the year's courses is enrolled, whatever their status)."""
from django.db.models import Count, Q

from programs.models import TrainingCourse
from reports.cache import cached_report
from reports.scope import ReportScope


@cached_report
def training_summary(*, user, area_code, year, comparable=False):
    scope = ReportScope(user, area_code, year, comparable)
    rows = list(
        TrainingCourse.objects.visible_to(user).filter(year__lte=year, commune_id__in=scope.communes)
        .values("year").annotate(courses=Count("id", distinct=True), enrolled=Count("trainees"),
                                 graduated=Count("trainees", filter=Q(trainees__status="graduated")),
                                 dropped=Count("trainees", filter=Q(trainees__status="dropped")))
        .order_by("year")
    )
    for row in rows:
        row["area"] = str(row["year"])
    total = {key: sum(row[key] for row in rows) for key in ("courses", "enrolled", "graduated", "dropped")}
    return {"year": year, "area": scope.area_dict(), "issuer": scope.issuer(), "rows": rows, "total": total}
