"""Who may receive a support: households (or their members) picked by place, class and age."""
from households.models import Household, Member


def benefit_candidates(*, user, year, commune_code, village_code=None, classifications=(), member_age_min=None,
                       member_age_max=None) -> list[tuple]:
    """[(household, member or None)] in the user's scope.

    With an age range, one row per member of that age in `year` (e.g. every child aged 3-5 for preschool
    lunches); without, one row per household. Classifications filter on that year's review result.
    """
    households = Household.objects.visible_to(user).active().filter(commune_id=commune_code)
    if village_code:
        households = households.filter(village_id=village_code)
    if classifications:
        households = households.filter(assessments__year=year, assessments__classification__in=classifications)
    if member_age_min is None and member_age_max is None:
        return [(household, None) for household in households.order_by("code")]
    members = Member.objects.filter(household__in=households.values("pk")).select_related("household")
    if member_age_min is not None:
        members = members.filter(birth_year__lte=year - member_age_min)
    if member_age_max is not None:
        members = members.filter(birth_year__gte=year - member_age_max)
    return [(member.household, member) for member in members.order_by("household__code", "birth_year")]
