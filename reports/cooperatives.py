"""Cooperative groups and community projects by commune; commendations of the year."""
import datetime

from django.db.models import Count

from programs.models import Commendation, CommunityProject, CooperativeGroup
from reports.cache import cached_report
from reports.scope import ReportScope


@cached_report
def cooperatives_summary(*, user, area_code, year, comparable=False):
    scope = ReportScope(user, area_code, year, comparable)
    end = datetime.date(year, 12, 31)
    # Groups and projects may hold households of other communes: only the reader's part counts (their pages do so).
    groups = (CooperativeGroup.objects.visible_to(user).filter(commune_id__in=scope.communes, founded_on__lte=end)
              .values("commune_id").annotate(groups=Count("id", distinct=True),
                                             members=CooperativeGroup.objects.members_count(user, on=end)))
    projects = dict(
        (row["commune_id"], row) for row in
        CommunityProject.objects.visible_to(user).filter(commune_id__in=scope.communes, year__lte=year)
        .values("commune_id").annotate(projects=Count("id", distinct=True), project_households=CommunityProject.objects.households_count(user))
    )
    commended = dict(Commendation.objects.visible_to(user).filter(year=year, household__commune_id__in=scope.communes)
                     .values_list("household__commune_id").annotate(n=Count("id")))
    # One row per commune of the report's map: records of a merged commune count in its successor, so this
    # sheet and the poverty sheet of the same package speak of the same units.
    rows = {}

    def row_for(commune_code):
        code, label = scope.commune_on_map(commune_code)
        return rows.setdefault(code, {"commune": code, "area": label, "groups": 0, "members": 0, "projects": 0,
                                      "project_households": 0, "commendations": 0})

    for row in groups:
        target = row_for(row["commune_id"])
        target["groups"] += row["groups"]
        target["members"] += row["members"]
    for code, row in projects.items():
        target = row_for(code)
        target["projects"] += row["projects"]
        target["project_households"] += row["project_households"]
    for code, count in commended.items():
        row_for(code)["commendations"] += count
    ordered = [rows[code] for code in sorted(rows)]
    total = {key: sum(row[key] for row in ordered)
             for key in ("groups", "members", "projects", "project_households", "commendations")}
    return {"year": year, "area": scope.area_dict(), "issuer": scope.issuer(), "rows": ordered, "total": total}
