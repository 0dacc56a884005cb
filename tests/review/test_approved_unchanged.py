"""An approved (recognised) year is a legal record: nothing changes it, derived fields included.

Re-classification after a line changes and the movement refresh after an earlier year is corrected skip
assessments of approved rounds, and say which rounds (commune, year) would change and must be reopened
(with a reason) to apply it: the service returns them, the admin action, the worksheet and the API say so.
"""
import pytest
from rest_framework.test import APIClient

from review.models import Assessment, PovertyStandard, StandardLine
from review.services import (
    assessment_delete,
    movements_recompute,
    round_reopen,
    year_reclassify,
)
from tests.factories import HouseholdFactory
from tests.review.procedure import recognise_in_order

POOR, RICH = 1_200_000, 5_000_000
THREE = ["1", "4", "9"]


def approve(users, review_round):
    recognise_in_order(review_round)  # the chairman locks it, in the order of Art. 4


def snapshot(assessment):
    """Everything an approved result is: every stored field and the length of its audit trail."""
    stored = Assessment.objects.get(pk=assessment.pk)
    values = {f.attname: getattr(stored, f.attname) for f in Assessment._meta.concrete_fields}
    return values, stored.history.count()


@pytest.fixture
def two_years(assess, users):
    """A household of 90102 poor in 2023 and 2024, both rounds approved (2024: stayed poor)."""
    household = HouseholdFactory(code="APP-1", commune_id="90102")
    first = assess(household, 2023, income=POOR, deprivations=THREE)
    second = assess(household, 2024, income=POOR, deprivations=THREE)
    approve(users, first.review_round)
    approve(users, second.review_round)
    return household, first, Assessment.objects.get(pk=second.pk)


# --- re-classification after a line changes ----------------------------------------------------------

@pytest.mark.django_db
def test_reclassify_leaves_approved_rounds_and_names_them(assess, users):
    approved_household = HouseholdFactory(code="APP-A", commune_id="90102")
    open_household = HouseholdFactory(code="OPEN-B", commune_id="90201")
    approved = assess(approved_household, 2024, income=1_600_000, deprivations=THREE)  # rural: not poor
    still_open = assess(open_household, 2024, income=1_600_000, deprivations=THREE)
    approve(users, approved.review_round)
    before = snapshot(approved)
    line = StandardLine.objects.get(standard__code="ND07-2021", area_type="rural")
    line.income_line = 1_700_000
    line.save()

    result = year_reclassify(acting_user=users["admin"], year=2024)

    assert snapshot(approved) == before  # class, movement, version and audit trail untouched
    assert Assessment.objects.get(pk=still_open.pk).classification == "poor"
    assert result.changed == 1
    assert result.held_back == [("90102", 2024)]


@pytest.mark.django_db
def test_movement_recompute_leaves_a_later_approved_year(assess, users, two_years):
    household, first, second = two_years
    round_reopen(acting_user=users["district"], review_round=first.review_round, reason="Sai thu nhập")
    before = snapshot(second)
    line = StandardLine.objects.get(standard__code="ND07-2021", area_type="rural")
    line.income_line = 1_000_000  # 2023 becomes not poor: 2024 would read "newly poor"
    line.save()

    result = year_reclassify(acting_user=users["admin"], year=2023)

    assert snapshot(second) == before
    assert result.changed == 1 and Assessment.objects.get(pk=first.pk).classification == "not_poor"
    assert result.held_back == [("90102", 2024)]
    assert movements_recompute(from_year=2023, acting_user=users["admin"]) == [("90102", 2024)]
    assert snapshot(second) == before


@pytest.mark.django_db
def test_admin_action_says_which_approved_rounds_were_left(assess, client, users):
    approved = assess(HouseholdFactory(code="APP-A", commune_id="90102"), 2024, income=1_600_000, deprivations=THREE)
    approve(users, approved.review_round)
    line = StandardLine.objects.get(standard__code="ND07-2021", area_type="rural")
    line.income_line = 1_700_000
    line.save()
    client.force_login(users["admin"])
    standard = PovertyStandard.objects.get(code="ND07-2021")
    response = client.post("/admin/review/povertystandard/",
                           {"action": "reclassify_years", "_selected_action": [standard.pk]}, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert any("xã 90102 năm 2024" in message and "mở lại" in message and "lý do" in message for message in shown), \
        shown
    assert Assessment.objects.get(pk=approved.pk).classification == "not_poor"


# --- the movement refresh after an earlier year is corrected -----------------------------------------

@pytest.mark.django_db
def test_correcting_a_reopened_year_leaves_the_approved_next_year(assess, users, two_years):
    household, first, second = two_years
    round_reopen(acting_user=users["district"], review_round=first.review_round, reason="Sai thu nhập")
    before = snapshot(second)

    corrected = assess(household, 2023, income=RICH, user=users["district"])

    assert snapshot(second) == before
    assert Assessment.objects.get(pk=second.pk).movement == "stayed_poor"
    assert corrected.classification == "not_poor"
    assert corrected.held_back_rounds == [("90102", 2024)]


@pytest.mark.django_db
def test_deleting_in_a_reopened_year_leaves_the_approved_next_year(users, two_years):
    household, first, second = two_years
    round_reopen(acting_user=users["district"], review_round=first.review_round, reason="Nhập nhầm hộ")
    before = snapshot(second)
    held_back = assessment_delete(acting_user=users["district"], assessment=Assessment.objects.get(pk=first.pk))
    assert snapshot(second) == before
    assert held_back == [("90102", 2024)]


@pytest.mark.django_db
def test_reopening_the_later_year_applies_the_movement(assess, users, two_years):
    household, first, second = two_years
    round_reopen(acting_user=users["district"], review_round=first.review_round, reason="Sai thu nhập")
    assess(household, 2023, income=RICH, user=users["district"])
    round_reopen(acting_user=users["district"], review_round=second.review_round, reason="Năm 2023 đã sửa")
    stored = Assessment.objects.get(pk=second.pk)
    assert stored.movement == "newly_poor"
    last = stored.history.first()
    assert last.history_user.username == "district" and "Năm 2023 đã sửa" in last.history_change_reason


@pytest.mark.django_db
def test_worksheet_and_api_say_the_approved_year_was_left(client, users, two_years):
    household, first, second = two_years
    round_reopen(acting_user=users["district"], review_round=first.review_round, reason="Sai thu nhập")
    client.force_login(users["district"])
    prefix = f"h{household.pk}"
    response = client.post("/review/90102/2023/", {
        f"{prefix}-version": str(Assessment.objects.get(pk=first.pk).version), f"{prefix}-income": "5.000.000",
    }, follow=True)
    shown = " ".join(str(message) for message in response.context["messages"])
    assert "Đã lưu 1 hộ" in shown and "xã 90102 năm 2024" in shown and "mở lại" in shown
    assert Assessment.objects.get(pk=second.pk).movement == "stayed_poor"

    api = APIClient()
    api.force_authenticate(users["district"])
    current = Assessment.objects.get(pk=first.pk)
    back = api.patch(f"/api/v1/assessments/{current.pk}/", {"income_per_capita": 6_000_000,
                                                             "version": current.version}, format="json")
    assert back.status_code == 200
    assert any("xã 90102 năm 2024" in warning for warning in back.json()["warnings"])
    assert Assessment.objects.get(pk=second.pk).movement == "stayed_poor"
    deleted = api.delete(f"/api/v1/assessments/{current.pk}/")
    assert deleted.status_code == 200
    assert any("xã 90102 năm 2024" in warning for warning in deleted.json()["warnings"])


@pytest.mark.django_db
def test_open_years_still_follow_a_correction(assess, users):
    """The skip is for approved rounds only: open later years are refreshed as before."""
    household = HouseholdFactory(code="OPEN-1", commune_id="90102")
    assess(household, 2023, income=POOR, deprivations=THREE)
    later = assess(household, 2024, income=POOR, deprivations=THREE)
    corrected = assess(household, 2023, income=RICH)
    assert Assessment.objects.get(pk=later.pk).movement == "newly_poor"
    assert corrected.held_back_rounds == []
