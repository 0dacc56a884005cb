"""One answer to "where, when" (issue 28): a household belongs to review year Y when it was on the register by the
close of Y's window (14 December) or was reviewed in Y, and is placed in the commune and village of its result of
Y, else in the commune its village belonged to then. The worksheet, the recognition's confirmation, the list to
review and the progress board count the same households; the board lists the communes of the year's review only.
"""
import datetime
import re

import pytest

from areas.models import AdministrativeUnit
from review.models import ReviewRound
from review.placement import households_of_year, households_placed_in, registration_cutoff, review_communes
from review.rounds import round_recognise
from review.selectors import unassessed_households
from tests.factories import HouseholdFactory

LATE = datetime.date(2026, 12, 5)  # registered today, the day the issue was found


@pytest.fixture
def merged(areas):
    """Xã Tân Cảnh (90103) with its village, under district 901 until 30 June 2025, then merged into 90101 (its
    village with it)."""
    commune = AdministrativeUnit.objects.create(code="90103", name="Tân Cảnh", level="commune", kind="xã",
                                                parent_id="901", valid_to=datetime.date(2025, 6, 30),
                                                successor_id="90101")
    village = AdministrativeUnit.objects.create(code="90103-01", name="Tân Tiến", level="village", kind="thôn",
                                                parent_id="90101")
    village.versions.create(valid_from=None, valid_to=datetime.date(2025, 6, 30), name="Tân Tiến", kind="thôn",
                            parent_id="90103")
    village.versions.create(valid_from=datetime.date(2025, 7, 1), valid_to=None, name="Tân Tiến", kind="thôn",
                            parent_id="90101")
    return commune


def places(year, codes):
    return dict(households_of_year(year).filter(code__in=codes).values_list("code", "year_commune"))


@pytest.mark.django_db
def test_a_household_registered_after_the_window_belongs_to_the_next_review(areas):
    assert registration_cutoff(2025) == datetime.date(2025, 12, 14)
    HouseholdFactory(code="OLD", registered_on=datetime.date(2015, 1, 1))
    HouseholdFactory(code="ON-TIME", registered_on=datetime.date(2025, 12, 14))
    HouseholdFactory(code="LATE", registered_on=LATE)
    assert set(places(2024, ["OLD", "ON-TIME", "LATE"])) == {"OLD"}
    assert set(places(2025, ["OLD", "ON-TIME", "LATE"])) == {"OLD", "ON-TIME"}
    assert set(places(2026, ["OLD", "ON-TIME", "LATE"])) == {"OLD", "ON-TIME", "LATE"}


@pytest.mark.django_db
def test_a_household_is_placed_where_it_was_reviewed_else_where_its_village_was(assess, merged):
    reviewed = HouseholdFactory(code="TC-REVIEWED", commune_id="90103", village_id="90103-01")
    assess(reviewed, 2024, income=1_200_000)  # Tân Cảnh's 2024 round
    HouseholdFactory(code="TC-NOT", commune_id="90101", village_id="90103-01")
    HouseholdFactory(code="DT-1", commune_id="90101")
    type(reviewed).objects.filter(pk=reviewed.pk).update(commune_id="90101")  # filed under Đắk Tô since the reform
    codes = ["TC-REVIEWED", "TC-NOT", "DT-1"]
    assert places(2024, codes) == {"TC-REVIEWED": "90103", "TC-NOT": "90103", "DT-1": "90101"}
    assert places(2025, codes) == {"TC-REVIEWED": "90101", "TC-NOT": "90101", "DT-1": "90101"}
    assert set(households_placed_in(["90103"], 2024).values_list("code", flat=True)) == {"TC-REVIEWED", "TC-NOT"}


@pytest.mark.django_db
def test_the_review_of_2025_has_no_commune_merged_away_before_it_opened(merged):
    assert "90103" in set(review_communes(2024).values_list("code", flat=True))
    assert "90103" not in set(review_communes(2025).values_list("code", flat=True))
    assert "90101" in set(review_communes(2025).values_list("code", flat=True))


# --- item 5: a household registered after a year does not count against it --------------------------------

@pytest.mark.django_db
def test_the_worksheet_does_not_count_a_household_registered_after_the_year(client, users, assess):
    reviewed = HouseholdFactory(code="WS-DONE")
    assess(reviewed, 2025, income=1_200_000)
    HouseholdFactory(code="WS-OPEN")
    HouseholdFactory(code="WS-LATE", registered_on=LATE)
    client.force_login(users["district"])
    page = client.get("/review/90101/2025/").content.decode()
    assert re.search(r"Còn <b>1</b> hộ chưa rà soát năm 2025: WS-OPEN\.", page), page
    assert "WS-LATE" not in page
    page_2026 = client.get("/review/90101/2026/").content.decode()
    assert "WS-LATE" in page_2026  # it belongs to the 2026 review, registered before its window closed


@pytest.mark.django_db
def test_the_recognition_does_not_ask_to_confirm_a_household_registered_after_the_year(assess, everyone):
    from tests.review.test_recognition import decision, submitted_round

    review_round = submitted_round(assess, everyone, 2025)
    HouseholdFactory(code="RC-LATE", registered_on=LATE)
    assert not unassessed_households(review_round).exists()
    round_recognise(acting_user=everyone["chair"], review_round=review_round, **decision(2025))
    assert ReviewRound.objects.get(pk=review_round.pk).status == "approved"
    HouseholdFactory(code="RC-OPEN")
    other = ReviewRound.objects.get(pk=review_round.pk)
    assert list(unassessed_households(other).values_list("code", flat=True)) == ["RC-OPEN"]


# --- item 3 and 5: the progress board ----------------------------------------------------------------------

def board_rows(client, year):
    """The page, and the communes whose worksheet it links to."""
    page = client.get("/review/progress/", {"year": year}).content.decode()
    return page, re.findall(r'href="/review/(\d+)/%d/"' % year, page)


@pytest.mark.django_db
def test_the_2025_board_lists_no_merged_commune_and_every_link_opens(client, users, merged):
    client.force_login(users["district"])
    _page, rows_2024 = board_rows(client, 2024)
    assert "90103" in rows_2024  # Tân Cảnh held its 2024 review
    page, rows_2025 = board_rows(client, 2025)
    assert "90103" not in rows_2025 and "Tân Cảnh" not in page
    assert {"90101", "90102"} <= set(rows_2025)
    for code in rows_2025:
        assert client.get(f"/review/{code}/2025/").status_code == 200, code


@pytest.mark.django_db
def test_the_board_counts_the_households_of_the_years_review(client, users):
    HouseholdFactory(code="PB-1")
    HouseholdFactory(code="PB-LATE", registered_on=LATE)
    client.force_login(users["district"])

    def registered(year):
        page = client.get("/review/progress/", {"year": year}).content.decode()
        row = page[page.index('href="/review/90101/%d/"' % year) - 2000:page.index('href="/review/90101/%d/"' % year)]
        return re.findall(r'data-value="(\d+)" data-col="registered"', row)[-1]

    assert registered(2025) == "1"
    assert registered(2026) == "2"


@pytest.mark.django_db
def test_a_past_result_is_still_recorded_through_the_service_and_then_belongs(assess, areas):
    """A household entered after the year is not on that year's worksheet; a result of the year recorded through
    the service (admin, API, import) moves its registration back, and it then belongs to the year."""
    household = HouseholdFactory(code="PAST", registered_on=LATE)
    assert "PAST" not in places(2024, ["PAST"])
    assess(household, 2024, income=1_200_000)
    assert places(2024, ["PAST"]) == {"PAST": "90101"}
