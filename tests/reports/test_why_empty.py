"""Issue 26.5: an empty report says why, in a sentence naming the year and the area (reports.why_empty), on the
report pages and the dashboard; a report with something to show says nothing of the kind."""
import re

import pytest

from review.models import ReviewRound, RoundStatus
from review.services import assessment_save
from tests.factories import HouseholdFactory


def reason(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200
    found = re.search(r'<p class="notice" id="empty-reason">(.*?)</p>', response.content.decode(), re.S)
    return found.group(1) if found else None


@pytest.fixture
def reviewed_2024(users):
    """90101: one household reviewed in 2024, above the near-poor line; none reviewed in 2025."""
    household = HouseholdFactory(code="WHY-1")
    assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=9_000_000)
    return users


@pytest.mark.django_db
def test_a_year_without_a_review_says_so_on_reports_and_the_dashboard(reviewed_2024, client):
    client.force_login(reviewed_2024["commune"])
    expected = ("Năm 2025 chưa có hộ nào được rà soát ở Thị trấn Đắk Tô: các xã chưa ghi kết quả rà soát năm 2025 "
                "(phiếu rà soát của xã).")
    for slug in ("poverty", "lists", "deprivation", "ethnic-groups", "members"):
        assert reason(client, f"/reports/{slug}/", area="90101", year=2025) == expected, slug
    assert reason(client, "/", area="90101", year=2025) == expected


@pytest.mark.django_db
def test_a_list_without_a_household_says_why(reviewed_2024, client):
    client.force_login(reviewed_2024["commune"])
    assert reason(client, "/reports/lists/", area="90101", year=2024) == (
        "Năm 2024 chưa có hộ nào trong danh sách hộ nghèo, cận nghèo, thoát nghèo, nghèo mới của Thị trấn Đắk Tô: "
        "các hộ đã rà soát năm 2024 không thuộc danh sách nào.")
    assert reason(client, "/reports/lists/", area="90101", year=2024, indicator="9") == (
        "Năm 2024 chưa có hộ nào trong danh sách hộ nghèo, cận nghèo, thoát nghèo, nghèo mới của Thị trấn Đắk Tô: "
        "không hộ nghèo, hộ cận nghèo nào thiếu hụt chỉ số 9. Nguồn nước sinh hoạt.")
    # reviewed but the spending of the year is empty: the programme table says so in its own words
    assert reason(client, "/reports/spending/", area="90101", year=2024) == (
        "Năm 2024 chưa có lượt hỗ trợ hay kế hoạch vốn nào của Thị trấn Đắk Tô.")
    assert reason(client, "/reports/training/", area="90101", year=2024) == (
        "Năm 2024 chưa có lớp đào tạo nghề nào của Thị trấn Đắk Tô.")
    assert reason(client, "/reports/poverty/", area="90101", year=2024) is None  # reviewed: its table stands
    assert reason(client, "/", area="90101", year=2024) is None


@pytest.mark.django_db
def test_the_members_list_waits_for_the_recognition(users, client):
    household = HouseholdFactory(code="WHY-POOR")
    assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=1_000_000,
                    deprivations=["1", "4", "9"])
    client.force_login(users["commune"])
    assert reason(client, "/reports/members/", area="90101", year=2024) == (
        "Năm 2024 chưa có hộ nào trong danh sách nhân khẩu hộ nghèo, hộ cận nghèo được công nhận của Thị trấn Đắk "
        "Tô: danh sách chỉ có khi Chủ tịch UBND xã công nhận kết quả rà soát (đang rà soát: 0/1 xã đã công nhận).")
    assert reason(client, "/reports/lists/", area="90101", year=2024) is None  # the poor household is listed
    ReviewRound.objects.filter(year=2024).update(status=RoundStatus.APPROVED)
    assert reason(client, "/reports/members/", area="90101", year=2024) is None
