"""Cooperative groups and community projects by commune; commendations of the year."""
import datetime

from django.db.models import Count, Q

from programs.models import Commendation, CommunityProject, CooperativeGroup
from reports.cache import cached_report
from reports.scope import ReportScope


@cached_report
def cooperatives_summary(*, user, area_code, year, comparable=False):
    scope = ReportScope(user, area_code, year, comparable)
    end = datetime.date(year, 12, 31)
    active = Q(memberships__joined_on__lte=end) & (Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=end))
    groups = (CooperativeGroup.objects.visible_to(user).filter(commune_id__in=scope.communes, founded_on__lte=end)
              .values("commune_id", "commune__name").annotate(groups=Count("id", distinct=True),
                                                             members=Count("memberships", filter=active)))
    projects = dict(
        (row["commune_id"], row) for row in
        CommunityProject.objects.visible_to(user).filter(commune_id__in=scope.communes, year__lte=year)
        .values("commune_id").annotate(projects=Count("id", distinct=True), project_households=Count("households"))
    )
    commended = dict(Commendation.objects.visible_to(user).filter(year=year, household__commune_id__in=scope.communes)
                     .values_list("household__commune_id").annotate(n=Count("id")))
    rows = {}
    for row in groups:
        rows[row["commune_id"]] = {"commune": row["commune_id"], "area": row["commune__name"], "groups": row["groups"],
                                   "members": row["members"]}
    for code in set(projects) | set(commended):
        rows.setdefault(code, {"commune": code, "area": scope.row_label(code)["name"], "groups": 0, "members": 0})
    for code, row in rows.items():
        row["projects"] = projects.get(code, {}).get("projects", 0)
        row["project_households"] = projects.get(code, {}).get("project_households", 0)
        row["commendations"] = commended.get(code, 0)
    ordered = [rows[code] for code in sorted(rows)]
    total = {key: sum(row[key] for row in ordered)
             for key in ("groups", "members", "projects", "project_households", "commendations")}
    return {"year": year, "area": {"code": scope.area.code, "name": scope.area.name}, "rows": ordered, "total": total}
