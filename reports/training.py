"""Vocational training by year (every trainee of the year's courses is enrolled, whatever their status). A course
may hold trainees of other communes: only the reader's part counts, as the course's pages and API show it."""
from django.db.models import Count

from programs.models import TraineeStatus, TrainingCourse
from reports.cache import cached_report
from reports.scope import ReportScope


@cached_report
def training_summary(*, user, area_code, year, comparable=False):
    scope = ReportScope(user, area_code, year, comparable)
    trainees = TrainingCourse.objects.trainees_count  # of the reader's part of a course spanning communes
    rows = list(
        TrainingCourse.objects.visible_to(user).filter(year__lte=year, commune_id__in=scope.communes)
        .values("year").annotate(courses=Count("id", distinct=True), enrolled=trainees(user),
                                 graduated=trainees(user, TraineeStatus.GRADUATED),
                                 dropped=trainees(user, TraineeStatus.DROPPED))
        .order_by("year")
    )
    for row in rows:
        row["area"] = str(row["year"])
    total = {key: sum(row[key] for row in rows) for key in ("courses", "enrolled", "graduated", "dropped")}
    return {"year": year, "area": scope.area_dict(), "issuer": scope.issuer(), "rows": rows, "total": total}
