"""The list to review (Decision 24/2021/QĐ-TTg): the households on the poor and near-poor lists in force
(the last annual result amended by the regular reviews since) plus those that applied. The worksheet shows it
first, with each household's class in force; the progress board counts against it."""
import datetime
import re

import pytest

from households.models import Household, HouseholdStatus
from review.regular import regular_recognise
from review.requests import request_save
from review.selectors import households_to_review
from review.services import round_recognise
from tests.factories import HouseholdFactory
from tests.review.procedure import regular_steps, report_up

D = datetime.date


@pytest.fixture
def commune_2024(assess, everyone):
    """Commune 90101 after its recognised 2024 review, with requests and regular reviews in 2025."""
    h = {code: HouseholdFactory(code=code) for code in
         ("L-A-POOR", "L-B-NEAR", "L-C-RICH", "L-D-AVG", "L-E-APPLIED", "L-F-ESCAPED", "L-G-FELL", "L-H-LEFT",
          "L-I-OTHER")}
    h["L-I-OTHER"].commune_id, h["L-I-OTHER"].village_id = "90102", "90102-01"
    h["L-I-OTHER"].save()
    poor = {"income": 1_000_000, "deprivations": ["1", "4", "9"]}
    review_round = assess(h["L-A-POOR"], 2024, **poor).review_round
    assess(h["L-B-NEAR"], 2024, income=1_000_000)
    assess(h["L-C-RICH"], 2024, income=9_000_000)
    stored_average = assess(h["L-D-AVG"], 2024, income=2_500_000)  # urban 90101: above the 2,000,000 line
    # a result the old rule stored as "average" (under 3,000,000): kept, and on no list to review
    type(stored_average).objects.filter(pk=stored_average.pk).update(classification="average")
    assess(h["L-F-ESCAPED"], 2024, **poor)
    assess(h["L-G-FELL"], 2024, income=9_000_000)
    assess(h["L-H-LEFT"], 2024, **poor)
    assess(h["L-I-OTHER"], 2024, **poor)
    report_up(review_round, user=everyone["admin"])  # meetings, posting, report up and opinion, in order
    review_round.refresh_from_db()
    round_recognise(acting_user=everyone["chair"], review_round=review_round, decision_number="9/QĐ-UBND",
                    decision_date=D(2024, 12, 15), confirm_unassessed=True)
    chair = everyone["chair"]
    asked = request_save(acting_user=everyone["commune"], household=h["L-F-ESCAPED"],
                         data={"requested_on": D(2025, 2, 20), "kind": "leave"})
    regular_steps(asked)  # survey, meeting, posting: then the decision may answer it
    regular_recognise(acting_user=chair, household=h["L-F-ESCAPED"], classification="not_poor",
                      effective_on=D(2025, 3, 1), decision_number="3/QĐ-UBND", decision_date=D(2025, 3, 1),
                      request=asked)  # its request is decided: it puts the household on no list
    regular_recognise(acting_user=chair, household=h["L-G-FELL"], classification="poor",
                      effective_on=D(2025, 4, 1), decision_number="4/QĐ-UBND", decision_date=D(2025, 4, 1))
    request_save(acting_user=everyone["commune"], household=h["L-E-APPLIED"], data={"requested_on": D(2025, 9, 20)})
    request_save(acting_user=everyone["commune"], household=h["L-C-RICH"], data={"requested_on": D(2025, 12, 20)})
    h["L-H-LEFT"].status, h["L-H-LEFT"].left_on = HouseholdStatus.MOVED, D(2025, 6, 1)
    h["L-H-LEFT"].save()
    return h


@pytest.mark.django_db
def test_the_list_to_review_is_the_lists_in_force_plus_the_households_that_applied(commune_2024):
    listed = households_to_review("90101", 2025).order_by("code")
    assert [(h.code, h.class_in_force) for h in listed] == [
        ("L-A-POOR", "poor"), ("L-B-NEAR", "near_poor"), ("L-E-APPLIED", "not_poor"), ("L-G-FELL", "poor")]
    # Escaped in 2025 by a regular review: off the list; its request dated after 14/12 counts for 2026.
    assert "L-C-RICH" in set(households_to_review("90101", 2026).values_list("code", flat=True))
    assert not households_to_review("90102", 2025).exclude(code="L-I-OTHER").exists()


def worksheet_rows(html):
    """(code, class in force, marked) of each row, in the page's order."""
    rows = re.findall(r"<tr class=\"[^\"]*\" data-row[^>]*>(.*?)</tr>", html, re.S)
    result = []
    for row in rows:
        code = re.search(r"<td[^>]*>([A-Z0-9-]+)<input", row).group(1)
        in_force = re.search(r'data-in-force="(\w+)"', row).group(1)
        result.append((code, in_force, "Trong danh sách rà soát" in row))
    return result


@pytest.mark.django_db
def test_the_worksheet_shows_the_list_first_with_the_class_in_force(client, everyone, commune_2024):
    client.force_login(everyone["commune"])
    page = client.get("/review/90101/2025/").content.decode()
    rows = worksheet_rows(page)
    assert rows[:4] == [("L-A-POOR", "poor", True), ("L-B-NEAR", "near_poor", True),
                        ("L-E-APPLIED", "not_poor", True), ("L-G-FELL", "poor", True)]
    assert rows[4:] == [("L-C-RICH", "not_poor", False), ("L-D-AVG", "average", False),
                        ("L-F-ESCAPED", "not_poor", False)]
    assert "theo QĐ rà soát thường xuyên" in page and "có đơn đề nghị" in page
    assert re.search(r'id="review-list">Danh sách rà soát: <b>4</b> hộ', page)
    only = worksheet_rows(client.get("/review/90101/2025/", {"listed": "1"}).content.decode())
    assert [code for code, _, _ in only] == ["L-A-POOR", "L-B-NEAR", "L-E-APPLIED", "L-G-FELL"]


@pytest.mark.django_db
def test_the_progress_board_counts_against_the_list_to_review(client, everyone, commune_2024, assess):
    assess(commune_2024["L-A-POOR"], 2025, income=1_000_000, deprivations=["1", "4", "9"])
    assess(commune_2024["L-C-RICH"], 2025, income=9_000_000)  # reviewed, but not on the 2025 list
    client.force_login(everyone["district"])
    page = client.get("/review/progress/", {"year": 2025}).content.decode()
    row = re.search(r"\(90101\)</td>(.*?)</tr>", page, re.S).group(1)

    def cell(name):
        return re.search(rf'data-value="([^"]*)" data-col="{name}"', row).group(1)

    registered = Household.objects.filter(commune_id="90101", status=HouseholdStatus.ACTIVE).count()
    assert (cell("to-review"), cell("to-review-assessed"), cell("share")) == ("4", "1", "25")
    assert (cell("assessed"), cell("registered")) == ("2", str(registered))
