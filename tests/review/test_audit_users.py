"""Every write of an assessment names its user in the audit trail, bulk writes of derived fields included:
re-classification after a line change, and the refresh of later years' movements after a correction."""
import pytest

from review.models import Assessment, StandardLine
from review.services import assessment_delete, movements_recompute, year_reclassify
from tests.factories import HouseholdFactory

POOR, RICH = 1_200_000, 5_000_000
THREE = ["1", "4", "9"]


def writers(assessment, reason_part):
    """(user, reason) of the history rows of `assessment` whose reason contains `reason_part`."""
    return [(row.history_user.username if row.history_user else None, row.history_change_reason)
            for row in Assessment.objects.get(pk=assessment.pk).history.all()
            if reason_part in (row.history_change_reason or "")]


@pytest.mark.django_db
def test_reclassification_names_its_user(assess, users):
    household = HouseholdFactory(code="AUD-1", commune_id="90102")
    first = assess(household, 2023, income=1_600_000, deprivations=THREE)   # not poor
    second = assess(household, 2024, income=1_600_000, deprivations=THREE)  # not poor, no movement
    line = StandardLine.objects.get(standard__code="ND07-2021", area_type="rural")
    line.income_line = 1_700_000  # 2023 (only it is re-classified) becomes poor: 2024 escaped
    line.save()
    year_reclassify(acting_user=users["admin"], year=2023)
    assert writers(first, "Phân loại lại năm 2023") == [("admin", "Phân loại lại năm 2023")]
    assert Assessment.objects.get(pk=second.pk).movement == "escaped"
    assert writers(second, "Tính lại biến động năm 2024") == [("admin", "Tính lại biến động năm 2024")]


@pytest.mark.django_db
def test_movement_recompute_names_its_user(assess, users):
    household = HouseholdFactory(code="AUD-2", commune_id="90102")
    assess(household, 2023, income=POOR, deprivations=THREE)
    later = assess(household, 2024, income=POOR, deprivations=THREE)
    Assessment.objects.filter(pk=later.pk).update(movement="none")  # out of step, as after a raw repair
    movements_recompute(from_year=2024, acting_user=users["district"])
    assert Assessment.objects.get(pk=later.pk).movement == "stayed_poor"
    assert [user for user, _ in writers(later, "Tính lại biến động")] == ["district"]


@pytest.mark.django_db
def test_refresh_after_a_correction_names_the_officer(assess, users):
    household = HouseholdFactory(code="AUD-3", commune_id="90102")
    assess(household, 2023, income=POOR, deprivations=THREE)
    later = assess(household, 2024, income=POOR, deprivations=THREE)
    assess(household, 2023, income=RICH, user=users["district"])                   # 2024: newly poor
    assert [user for user, _ in writers(later, "do năm trước thay đổi")] == ["district"]
    assess(household, 2023, income=POOR, deprivations=THREE, user=users["admin"])   # 2024: stayed poor
    assessment_delete(acting_user=users["district"],                                # 2024: newly poor
                      assessment=Assessment.objects.get(household=household, year=2023))
    assert Assessment.objects.get(pk=later.pk).movement == "newly_poor"
    assert [user for user, _ in writers(later, "do năm trước thay đổi")] == ["district", "admin", "district"]


@pytest.mark.django_db
def test_no_history_row_of_an_assessment_lacks_a_user(assess, users):
    household = HouseholdFactory(code="AUD-4", commune_id="90102")
    for year, income in [(2022, POOR), (2023, RICH), (2024, POOR), (2022, RICH)]:
        assess(household, year, income=income, deprivations=THREE, user=users["district"])
    line = StandardLine.objects.get(standard__code="ND07-2021", area_type="rural")
    line.income_line = 6_000_000
    line.save()
    year_reclassify(acting_user=users["admin"], year=2022)
    assert not Assessment.history.filter(history_user__isnull=True).exists()
