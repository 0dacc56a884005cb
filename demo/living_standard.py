"""One household of average living standard in xã Đăk Tô (23401), through the procedure as Decision 24/2021/QĐ-TTg
runs it (living_standard): a farming household applies, the commune officer determines its income of the last 12
months with the social assistance left out, the commune chairman recognises it by a decision from the 15th.
Idempotent: nothing is added once the household has its decision."""
import datetime

from django.contrib.auth import get_user_model

from households.models import FARM_LIVELIHOODS, Household, HouseholdStatus
from living_standard.models import LivingStandardDecision
from living_standard.services import decision_record, determination_save, request_save

COMMUNE = "23401"
REQUESTED, DETERMINED, DECIDED = datetime.date(2026, 11, 2), datetime.date(2026, 11, 9), datetime.date(2026, 11, 16)
SOCIAL_ASSISTANCE = 12 * 500_000  # a monthly social allowance of one member over the year: left out of the income
# Rural lines of the lists in force in November 2026 (review year 2025, Decree 07/2021): above 1,500,000, at or
# under 2,250,000 đồng/person/month.
INCOME_PER_CAPITA = 1_900_000


def _candidate():
    households = (Household.objects.filter(commune_id=COMMUNE, status=HouseholdStatus.ACTIVE,
                                           livelihood__in=FARM_LIVELIHOODS, assessments__year=2025,
                                           assessments__classification="not_poor")
                  .order_by("code"))
    return households.first()


def seed_living_standard() -> int:
    """Request, determination and decision for one farming household; returns the decisions created (0 or 1)."""
    if LivingStandardDecision.objects.filter(commune_id=COMMUNE).exists():
        return 0
    household = _candidate()
    if household is None:
        return 0
    users = get_user_model().objects
    officer, chair = users.get(username="commune"), users.get(username="chair")
    members = household.members.count() or 1
    request = request_save(acting_user=officer, household=household, requested_on=REQUESTED,
                           note="Đơn đề nghị xét hộ có mức sống trung bình (dữ liệu mẫu)")
    determination = determination_save(
        acting_user=officer, request=request, determined_on=DETERMINED, members=members,
        total_income=INCOME_PER_CAPITA * 12 * members + SOCIAL_ASSISTANCE, social_assistance=SOCIAL_ASSISTANCE)
    decision_record(acting_user=chair, determination=determination, decision_number="318/QĐ-UBND",
                    decision_date=DECIDED)
    return 1
