"""One worker with low income in xã Đăk Tô (23401), through the procedure (low_income): a member of a household that
is neither poor nor near-poor applies, the commune officer determines the worker's income per month at or below the
line of the area, the commune chairman confirms the worker on the commune's list. Idempotent: nothing is added
once the commune has a confirmation."""
import datetime

from django.contrib.auth import get_user_model

from households.models import Household, HouseholdStatus
from low_income import rules
from low_income.models import LowIncomeConfirmation
from low_income.services import application_save, confirmation_record, determination_save, threshold_on
from review.selectors import class_in_force_on

COMMUNE = "23401"
APPLIED, DETERMINED, DECIDED = datetime.date(2026, 11, 3), datetime.date(2026, 11, 10), datetime.date(2026, 11, 17)
BELOW_THE_LINE = 250_000  # the worker earns this much less than the line of the area


def _candidate():
    """The first member of an active household of the commune whose class in force is not poor or near-poor."""
    households = Household.objects.filter(commune_id=COMMUNE, status=HouseholdStatus.ACTIVE, members__isnull=False,
                                          assessments__year=2025, assessments__classification="not_poor")
    for household in households.distinct().order_by("code")[:20]:
        if not rules.class_error(class_in_force_on(household, APPLIED)[0]):
            return household.members.order_by("pk").first()
    return None


def seed_low_income() -> int:
    """Application, determination and confirmation for one worker; returns the confirmations created (0 or 1)."""
    if LowIncomeConfirmation.objects.filter(commune_id=COMMUNE).exists():
        return 0
    member = _candidate()
    if member is None:
        return 0
    users = get_user_model().objects
    officer, chair = users.get(username="commune"), users.get(username="chair")
    application = application_save(acting_user=officer, member=member, applied_on=APPLIED,
                                   note="Đơn đề nghị xác định người lao động có thu nhập thấp (dữ liệu mẫu)")
    line = rules.line_for(threshold_on(APPLIED), member.household.commune.is_urban)
    determination = determination_save(acting_user=officer, application=application, determined_on=DETERMINED,
                                       income_per_month=line - BELOW_THE_LINE)
    confirmation_record(acting_user=chair, determination=determination, decision_number="325/QĐ-UBND",
                        decision_date=DECIDED)
    return 1
