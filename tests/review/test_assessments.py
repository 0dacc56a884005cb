"""Assessments through the review services: classification stored, movements kept right, bad input refused."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from review.models import Assessment, ReviewRound, StandardLine
from review.services import assessment_delete, year_reclassify
from tests.factories import HouseholdFactory

POOR_INCOME, NEAR_INCOME, RICH_INCOME = 1_200_000, 1_400_000, 5_000_000
THREE = ["1", "4", "9"]


@pytest.mark.django_db
def test_first_assessment_opens_the_round_and_is_classified(assess, household):
    assessment = assess(household, 2024, income=POOR_INCOME, deprivations=THREE)
    assert (assessment.classification, assessment.movement) == ("poor", "newly_poor")
    assert assessment.standard.code == "ND07-2021"
    assert assessment.is_ethnic_minority is True and assessment.is_urban is True  # 90101 is a thị trấn
    assert assessment.deprivation_codes == ["1", "4", "9"]
    review_round = ReviewRound.objects.get(commune_id="90101", year=2024)
    assert review_round.status == "open" and assessment.review_round == review_round
    # urban line is 2,000,000: 2,000,000 with two deprivations is near-poor, 2,000,001 is not poor (never
    # "average": that is recognised by its own procedure)
    assert assess(household, 2024, income=2_000_000, deprivations=["1", "2"]).classification == "near_poor"
    assert assess(household, 2024, income=2_000_001, deprivations=["1", "2"]).classification == "not_poor"
    assert Assessment.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kwargs, field, message", [
    ({"income": -1}, "income_per_capita", "không được âm"),
    ({"b1": None, "income": None}, "income_per_capita", "thu nhập bình quân hoặc điểm B1"),
    ({"income": 1, "deprivations": ["13"]}, "deprivations", "không thuộc chuẩn ND07-2021"),
    ({"income": 1, "year": 2012}, "year", "Không có chuẩn nghèo"),
])
def test_bad_input_names_the_field_and_stores_nothing(assess, household, kwargs, field, message):
    year = kwargs.pop("year", 2024)
    with pytest.raises(ValidationError) as error:
        assess(household, year, **kwargs)
    assert message in " ".join(error.value.message_dict[field])
    assert not Assessment.objects.exists() and not ReviewRound.objects.exists()


@pytest.mark.django_db
def test_second_assessment_for_same_year_is_refused_when_creating(assess, household):
    assess(household, 2024, income=POOR_INCOME)
    with pytest.raises(ValidationError, match="đã có kết quả rà soát năm 2024"):
        assess(household, 2024, income=RICH_INCOME, create_only=True)
    assert Assessment.objects.get().income_per_capita == POOR_INCOME


@pytest.mark.django_db
def test_household_outside_scope_and_read_only_leader(assess, users):
    foreign = HouseholdFactory(commune_id="90201")
    with pytest.raises(ValidationError, match="không thuộc địa bàn"):
        assess(foreign, 2024, income=POOR_INCOME, user=users["commune"])
    own = HouseholdFactory()
    with pytest.raises(PermissionDenied, match="chỉ được xem"):
        assess(own, 2024, income=POOR_INCOME, user=users["leader"])
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_movements_follow_the_years_and_an_earlier_correction(assess, household):
    assess(household, 2022, income=POOR_INCOME, deprivations=THREE)             # newly poor
    assess(household, 2023, income=RICH_INCOME)                                 # escaped
    assess(household, 2024, income=POOR_INCOME, deprivations=THREE)             # fell back
    assess(household, 2025, income=NEAR_INCOME, deprivations=["1"])             # escaped to near-poor
    moves = dict(Assessment.objects.values_list("year", "movement"))
    assert moves == {2022: "newly_poor", 2023: "escaped", 2024: "relapsed", 2025: "escaped_to_near_poor"}
    # 2022 is corrected later: the household was never poor that year
    assess(household, 2022, income=RICH_INCOME)
    moves = dict(Assessment.objects.values_list("year", "movement"))
    assert moves == {2022: "none", 2023: "none", 2024: "newly_poor", 2025: "escaped_to_near_poor"}
    # and deleting 2024 leaves 2025 near-poor without a poor year before it
    assessment_delete(acting_user=household_admin(assess), assessment=Assessment.objects.get(year=2024))
    assert dict(Assessment.objects.values_list("year", "movement"))[2025] == "newly_near_poor"
    history = Assessment.objects.get(year=2023).history.first()
    assert history.history_change_reason == "Tính lại biến động do năm trước thay đổi"


def household_admin(assess):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="admin")


@pytest.mark.django_db
def test_reclassifying_a_year_is_one_call_with_bounded_queries(assess, users):
    def make(count, start):
        for number in range(count):
            household = HouseholdFactory(code=f"RC-{start + number}", commune_id="90102")
            assess(household, 2023, income=1_600_000, deprivations=THREE)
            assess(household, 2024, income=1_600_000, deprivations=THREE)

    make(3, 0)
    assert set(Assessment.objects.values_list("classification", flat=True)) == {"not_poor"}
    line = StandardLine.objects.get(standard__code="ND07-2021", area_type="rural")
    line.income_line = 1_700_000
    line.save()
    with CaptureQueriesContext(connection) as small:
        assert year_reclassify(acting_user=users["admin"], year=2023).changed == 3
    make(12, 100)
    line.income_line = 1_500_000
    line.save()
    year_reclassify(acting_user=users["admin"], year=2023)  # back to not poor for the first three
    line.income_line = 1_700_000
    line.save()
    with CaptureQueriesContext(connection) as large:
        assert year_reclassify(acting_user=users["admin"], year=2023).changed == 15
    assert len(large) == len(small)
    poor_2023 = Assessment.objects.filter(year=2023, classification="poor").count()
    assert poor_2023 == 15
    # the first three were assessed for 2024 under the old line (not poor) and not re-classified: escaped;
    # the twelve later ones were poor in both years under the new line
    moves = dict(Assessment.objects.filter(year=2024).values_list("household__code", "movement"))
    assert {code: move for code, move in moves.items() if code.startswith("RC-") and int(code[3:]) < 3} == {
        "RC-0": "escaped", "RC-1": "escaped", "RC-2": "escaped"}
    assert {move for code, move in moves.items() if int(code[3:]) >= 100} == {"stayed_poor"}


@pytest.mark.django_db
def test_admin_action_reclassifies_after_a_line_changes(assess, client, users, household):
    from review.models import PovertyStandard

    assess(household, 2024, income=1_900_000, deprivations=["1", "4", "9"])  # urban line 2,000,000: poor
    line = StandardLine.objects.get(standard__code="ND07-2021", area_type="urban")
    line.income_line = 1_800_000
    line.save()
    client.force_login(users["admin"])
    standard = PovertyStandard.objects.get(code="ND07-2021")
    client.post("/admin/review/povertystandard/", {"action": "reclassify_years", "_selected_action": [standard.pk]})
    assert Assessment.objects.get().classification == "not_poor"
