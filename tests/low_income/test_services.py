"""The procedure through its services: application → determination → the commune's confirmation → the list;
refused for a member of a poor or near-poor household, above the line of the area (rural 2,250,000, urban
3,000,000 as seeded), out of scope, by a role that does not confirm; audited."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from low_income.models import LowIncomeDetermination, LowIncomeThreshold
from low_income.selectors import worker_list
from low_income.services import application_save, confirmation_record, determination_save
from review.assessments import assessment_save
from tests.low_income.conftest import APPLIED, DECIDED, DETERMINED


def determine(user, member, income):
    application = application_save(acting_user=user, member=member, applied_on=APPLIED)
    return determination_save(acting_user=user, application=application, determined_on=DETERMINED,
                              income_per_month=income)


@pytest.mark.django_db
def test_a_worker_of_a_non_poor_household_at_the_line_is_determined_and_listed(users, chair, worker):
    determination = determine(users["commune"], worker, 3_000_000)  # urban: on the line
    assert (determination.income_line, determination.is_urban, determination.household_class) == (
        3_000_000, True, "not_poor")
    confirmation = confirmation_record(acting_user=chair, determination=determination, decision_number="20/QĐ-UBND",
                                       decision_date=DECIDED)
    assert (confirmation.member, confirmation.household, confirmation.commune_id) == (
        worker, worker.household, "90101")
    assert list(worker_list(users["district"], commune_id="90101", year=2026, month=11)) == [confirmation]
    assert list(worker_list(users["district"], commune_id="90101", year=2026, month=10)) == []
    assert list(worker_list(users["other_commune"], year=2026)) == []  # the scoping door
    assert [row.history_user.username for row in confirmation.history.all()] == ["chair"]
    assert [row.history_user.username for row in determination.history.all()] == ["commune"]


@pytest.mark.django_db
def test_above_the_line_is_refused(users, worker):
    with pytest.raises(ValidationError) as refused:
        determine(users["commune"], worker, 3_000_001)
    assert "cao hơn mức 3.000.000 đồng/tháng của khu vực đô thị" in refused.value.message_dict["income_per_month"][0]
    assert not LowIncomeDetermination.objects.exists()


@pytest.mark.django_db
def test_the_rural_line(users, rural_worker):
    officer = users["other_commune"]
    with pytest.raises(ValidationError) as refused:
        determine(officer, rural_worker, 2_250_001)
    assert "cao hơn mức 2.250.000 đồng/tháng của khu vực nông thôn" in refused.value.message_dict[
        "income_per_month"][0]
    application = rural_worker.low_income_applications.get()
    determination = determination_save(acting_user=officer, application=application, determined_on=DETERMINED,
                                       income_per_month=2_250_000)
    assert (determination.income_line, determination.is_urban) == (2_250_000, False)


@pytest.mark.django_db
def test_a_member_of_a_near_poor_household_is_refused(users, worker):
    result = assessment_save(acting_user=users["admin"], household=worker.household, year=2025,
                             income_per_capita=1_000_000)
    assert result.classification in ("poor", "near_poor")
    with pytest.raises(ValidationError) as refused:
        determine(users["commune"], worker, 1_000_000)
    assert "Hộ đang là hộ" in refused.value.message_dict["application"][0]
    assert not LowIncomeDetermination.objects.exists()


@pytest.mark.django_db
def test_the_lines_are_data(users, worker):
    LowIncomeThreshold.objects.update(urban_line=3_500_000)
    assert determine(users["commune"], worker, 3_400_000).income_line == 3_500_000
    LowIncomeThreshold.objects.update(valid_from=DECIDED)  # no line covers the application day
    with pytest.raises(ValidationError) as refused:
        determination_save(acting_user=users["commune"], application=application_save(
            acting_user=users["commune"], member=worker, applied_on=APPLIED), determined_on=DETERMINED,
            income_per_month=1)
    assert "Chưa có mức thu nhập thấp" in refused.value.message_dict["income_per_month"][0]


@pytest.mark.django_db
def test_out_of_scope_and_roles(users, chair, worker):
    with pytest.raises(ValidationError):
        application_save(acting_user=users["other_commune"], member=worker, applied_on=APPLIED)
    with pytest.raises(PermissionDenied):
        application_save(acting_user=users["leader"], member=worker, applied_on=APPLIED)
    determination = determine(users["commune"], worker, 2_000_000)
    with pytest.raises(PermissionDenied):  # the commune's chairman confirms the list
        confirmation_record(acting_user=users["commune"], determination=determination, decision_number="1",
                            decision_date=DECIDED)
