"""The average-living-standard procedure through its services: request → determination → the chairman's decision →
the recognised list; refused for a household that does not live from farming, forestry, fishery or salt-making,
out of scope, by a role that does not recognise, and below or above the band; audited."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from living_standard.models import LivingStandardDecision
from living_standard.selectors import recognised_list
from living_standard.services import decision_record, determination_save, request_save
from review.models import StandardLine
from tests.living_standard.conftest import DECIDED, DETERMINED, REQUESTED

# Four members, 2,500,000 đồng/person/month without the social assistance (urban band 2,000,001–3,000,000),
# 3,100,000 with it: above the average line.
TOTAL, SOCIAL = 148_800_000, 28_800_000


def determine(users, farm, **kwargs):
    request = request_save(acting_user=users["commune"], household=farm, requested_on=REQUESTED)
    values = {"determined_on": DETERMINED, "total_income": TOTAL, "social_assistance": SOCIAL, **kwargs}
    return determination_save(acting_user=users["commune"], request=request, **values)


@pytest.mark.django_db
def test_request_determination_decision_and_the_list(users, chair, farm):
    request = request_save(acting_user=users["commune"], household=farm, requested_on=REQUESTED, note="Đơn  số 1")
    assert (request.commune_id, request.livelihood, request.note) == ("90101", "agriculture", "Đơn số 1")
    determination = determination_save(acting_user=users["commune"], request=request, determined_on=DETERMINED,
                                       total_income=TOTAL, social_assistance=SOCIAL)
    assert (determination.members, determination.income_per_capita, determination.meets) == (4, 2_500_000, True)
    assert (determination.income_line, determination.average_line, determination.is_urban) == (
        2_000_000, 3_000_000, True)
    assert determination.standard.code == "ND07-2021"  # the lists in force in November 2026: review year 2025
    decision = decision_record(acting_user=chair, determination=determination, decision_number="15/QĐ-UBND",
                               decision_date=DECIDED)
    assert (decision.household, decision.commune_id, decision.decision_number) == (farm, "90101", "15/QĐ-UBND")
    assert list(recognised_list(users["district"], commune_id="90101", year=2026, month=11)) == [decision]
    assert list(recognised_list(users["district"], commune_id="90101", year=2026, month=10)) == []
    assert list(recognised_list(users["other_commune"], year=2026)) == []  # the scoping door
    # audited: each record names who wrote it
    assert [row.history_user.username for row in decision.history.all()] == ["chair"]
    assert [row.history_user.username for row in determination.history.all()] == ["commune"]


@pytest.mark.django_db
def test_a_household_not_living_from_farming_is_refused(users, shop):
    with pytest.raises(ValidationError) as refused:
        request_save(acting_user=users["commune"], household=shop, requested_on=REQUESTED)
    assert "chỉ hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp, diêm nghiệp" in refused.value.message_dict["household"][0]


@pytest.mark.django_db
def test_social_assistance_is_excluded_from_the_income(users, chair, farm):
    with_it = determine(users, farm, social_assistance=0)  # the same total, nothing excluded: 3,100,000
    assert (with_it.income_per_capita, with_it.meets) == (3_100_000, False)
    with pytest.raises(ValidationError) as refused:
        decision_record(acting_user=chair, determination=with_it, decision_number="1", decision_date=DECIDED)
    assert "không đạt mức sống trung bình" in refused.value.message_dict["determination"][0]
    assert not LivingStandardDecision.objects.exists()


@pytest.mark.django_db
def test_only_the_chairman_of_the_commune_decides_and_from_the_15th(users, chair, farm):
    determination = determine(users, farm)
    with pytest.raises(PermissionDenied):
        decision_record(acting_user=users["commune"], determination=determination, decision_number="1",
                        decision_date=DECIDED)
    with pytest.raises(ValidationError) as early:
        decision_record(acting_user=chair, determination=determination, decision_number="1",
                        decision_date=DECIDED.replace(day=12))
    assert "từ ngày 15" in early.value.message_dict["decision_date"][0]
    decision_record(acting_user=chair, determination=determination, decision_number="1", decision_date=DECIDED)
    with pytest.raises(ValidationError):  # one decision per determination
        decision_record(acting_user=chair, determination=determination, decision_number="2", decision_date=DECIDED)


@pytest.mark.django_db
def test_out_of_scope_and_read_only_roles_write_nothing(users, farm):
    with pytest.raises(ValidationError):
        request_save(acting_user=users["other_commune"], household=farm, requested_on=REQUESTED)
    with pytest.raises(PermissionDenied):
        request_save(acting_user=users["leader"], household=farm, requested_on=REQUESTED)


@pytest.mark.django_db
def test_a_standard_without_an_average_line_asks_the_administrator(users, farm):
    StandardLine.objects.filter(standard__code="ND07-2021", area_type="urban").update(average_line=None)
    with pytest.raises(ValidationError) as refused:
        determine(users, farm)
    assert "chưa có chuẩn mức sống trung bình cho khu vực đô thị" in refused.value.message_dict["total_income"][0]
