"""The poverty report as of a date: the lists in force that day (those of the previous review year) amended by
the regular (in-year) reviews effective by then, in columns of their own; the annual columns unchanged.

Hand-computed fixture (district 901, lists of the 2024 review, recognised 15/12/2024):
- 90101 (urban): P1, P2 poor, N1 near-poor, X not poor. In 2025: P1 escapes (01/03), P2 becomes near-poor
  (01/04), N1 becomes poor (01/05), X becomes near-poor (01/08).
- 90102 (rural): P3 poor, N2 near-poor. In 2025: N2 escapes (01/02); P3 escapes (01/03) and falls back into
  poverty (01/06): no change by 30/06.
As of 30/06/2025: 90101 poor 2 − 2 escaped + 1 recognised = 1; near-poor 1 − 0 − 1 (to poor) + 1 = 1.
90102 poor 1; near-poor 1 − 1 escaped = 0. As of 01/09/2025 X counts too: 90101 near-poor 2.
"""
import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from areas.services import areas_import_text
from reports.in_year import poverty_report
from review.models import ReviewRound
from review.regular import regular_recognise
from review.services import assessment_save, round_recognise
from tests.factories import HouseholdFactory
from tests.reports.sheets import Sheet, workbook
from tests.review.procedure import report_up

D = datetime.date
POOR = {"income_per_capita": 1_000_000, "deprivations": ["1", "4", "9"]}
NEAR = {"income_per_capita": 1_000_000}
RICH = {"income_per_capita": 9_000_000}


def household(code, commune, inputs, admin):
    made = HouseholdFactory(code=code, commune_id=commune)
    assessment_save(acting_user=admin, household=made, year=2024, **inputs)
    return made


def recognise_2024(admin, commune):
    review_round = ReviewRound.objects.get(commune_id=commune, year=2024)
    report_up(review_round, user=admin)  # meetings, posting, report up and opinion, in order
    round_recognise(acting_user=admin, review_round=ReviewRound.objects.get(pk=review_round.pk),
                    decision_number="1/QĐ-UBND", decision_date=D(2024, 12, 15), confirm_unassessed=True)


def regular(admin, made, classification, day):
    return regular_recognise(acting_user=admin, household=made, classification=classification, effective_on=day,
                             decision_number=f"{day:%m%d}/QĐ-UBND", decision_date=day)


@pytest.fixture
def in_year(users):
    admin = users["admin"]
    h = {
        "P1": household("AS-P1", "90101", POOR, admin), "P2": household("AS-P2", "90101", POOR, admin),
        "N1": household("AS-N1", "90101", NEAR, admin), "X": household("AS-X", "90101", RICH, admin),
        "P3": household("AS-P3", "90102", POOR, admin), "N2": household("AS-N2", "90102", NEAR, admin),
    }
    recognise_2024(admin, "90101")
    recognise_2024(admin, "90102")
    regular(admin, h["P1"], "not_poor", D(2025, 3, 1))
    regular(admin, h["P2"], "near_poor", D(2025, 4, 1))
    regular(admin, h["N1"], "poor", D(2025, 5, 1))
    regular(admin, h["X"], "near_poor", D(2025, 8, 1))
    regular(admin, h["N2"], "not_poor", D(2025, 2, 1))
    regular(admin, h["P3"], "not_poor", D(2025, 3, 1))
    regular(admin, h["P3"], "poor", D(2025, 6, 1))
    return h


CHANGES = ("poor_recognised_in_year", "poor_escaped_in_year", "near_poor_recognised_in_year",
           "near_poor_escaped_in_year", "near_poor_to_poor_in_year", "poor_as_of", "near_poor_as_of")


def figures(row, names=CHANGES):
    return tuple(row[name] for name in names)


@pytest.mark.django_db
def test_in_year_changes_against_the_hand_computed_fixture(users, in_year):
    report = poverty_report(user=users["district"], area_code="901", year=2030, as_of="2025-06-30")
    assert (report["year"], report["as_of"]) == (2024, "2025-06-30")  # the date picks the lists of 2024
    rows = {row["area"]["code"]: row for row in report["rows"]}
    assert figures(rows["90101"]) == (1, 2, 1, 0, 1, 1, 1)
    assert figures(rows["90102"]) == (0, 0, 0, 1, 0, 1, 0)
    assert figures(report["total"]) == (1, 2, 1, 1, 1, 2, 1)
    # The annual columns are the annual results, year-end to year-end.
    assert (rows["90101"]["poor"], rows["90101"]["near_poor"], report["total"]["poor"]) == (2, 1, 3)
    assert rows["90101"]["poor_as_of_rate"] == Decimal("25.00")  # 1 of 4 households
    later = poverty_report(user=users["district"], area_code="901", year=2024, as_of="01/09/2025")
    assert figures({row["area"]["code"]: row for row in later["rows"]}["90101"]) == (1, 2, 2, 0, 1, 1, 2)
    early = poverty_report(user=users["district"], area_code="901", year=2024, as_of=D(2025, 2, 15))
    assert figures(early["total"]) == (0, 0, 0, 1, 0, 3, 1)


@pytest.mark.django_db
def test_by_village_and_without_a_date(users, in_year):
    commune = poverty_report(user=users["admin"], area_code="90101", year=2024, as_of="2025-06-30")
    village = next(row for row in commune["rows"] if row["area"]["code"] == "90101-01")
    assert figures(village) == (1, 2, 1, 0, 1, 1, 1)
    plain = poverty_report(user=users["admin"], area_code="901", year=2024)
    assert "as_of" not in plain and "poor_as_of" not in plain["total"]


@pytest.mark.django_db
def test_the_page_the_excel_and_the_api_carry_the_in_year_columns(client, users, in_year):
    client.force_login(users["district"])
    page = client.get("/reports/poverty/", {"area": "901", "year": "2025", "as_of": "2025-06-30"})
    text = page.content.decode()
    assert page.status_code == 200
    for label in ("Hộ nghèo mới công nhận trong năm", "Hộ thoát nghèo trong năm", "Hộ cận nghèo mới công nhận trong năm",
                  "Hộ thoát cận nghèo trong năm", "Hộ nghèo tại ngày 30/06/2025", "Hộ cận nghèo tại ngày 30/06/2025"):
        assert label in text
    assert "biến động trong năm 2025 đến ngày 30/06/2025" in text
    sheet = Sheet(workbook(client.get("/reports/poverty/", {"area": "901", "as_of": "2025-06-30",
                                                            "format": "xlsx"})).active, "Đơn vị")
    standing = "Tại ngày 30/06/2025"
    changes = "Biến động trong năm 2025 đến ngày 30/06/2025 (rà soát thường xuyên)"
    assert sheet.cell("Tổng cộng", standing, "Hộ nghèo tại ngày 30/06/2025").value == 2
    assert sheet.cell("Tổng cộng", changes, "Hộ thoát nghèo trong năm").value == 2
    assert sheet.cell("Tổng cộng", "Hộ nghèo", "Cuối kỳ").value == 3

    api = APIClient()
    api.force_authenticate(users["district"])
    answer = api.get("/api/v1/reports/poverty/", {"area": "901", "as_of": "2025-06-30"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["year"], body["as_of"], body["total"]["poor_as_of"], body["total"]["poor_as_of_rate"]) == (
        2024, "2025-06-30", 2, body["total"]["poor_as_of_rate"])
    assert isinstance(body["total"]["poor_as_of_rate"], str)  # rates as two-place strings, as every rate
    excel = api.get("/api/v1/reports/poverty/", {"area": "901", "as_of": "2025-06-30", "format": "xlsx"})
    assert Sheet(workbook(excel).active, "Đơn vị").cell("Tổng cộng", standing, "Hộ cận nghèo tại ngày 30/06/2025"
                                                        ).value == 1


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", ["2025-02-30", "hôm qua", "1999-01-01", "9999-12-31"])
def test_a_bad_date_is_a_400_naming_it(client, users, as_of):
    client.force_login(users["district"])
    page = client.get("/reports/poverty/", {"area": "901", "as_of": as_of})
    assert page.status_code == 400 and "as_of" in page.content.decode()
    api = APIClient()
    api.force_authenticate(users["district"])
    answer = api.get("/api/v1/reports/poverty/", {"area": "901", "as_of": as_of})
    assert answer.status_code == 400 and "as_of" in answer.json()


@pytest.mark.django_db
def test_the_api_refuses_a_year_the_date_contradicts(users):
    api = APIClient()
    api.force_authenticate(users["district"])
    answer = api.get("/api/v1/reports/poverty/", {"area": "901", "year": 2025, "as_of": "2025-06-30"})
    assert answer.status_code == 400 and "year=2024" in answer.json()["as_of"][0]
    assert api.get("/api/v1/reports/poverty/", {"area": "901", "year": 2024, "as_of": "2025-06-30"}).status_code == 200


MORE_COMMUNES = """code,name,level,kind,parent_code,valid_from,valid_to,successor_code,note
90103,Xã Bốn,commune,xã,901,,,,
90104,Xã Năm,commune,xã,901,,,,
90105,Xã Sáu,commune,xã,901,,,,
90103-01,Thôn Bốn,village,thôn,90103,,,,
90104-01,Thôn Năm,village,thôn,90104,,,,
90105-01,Thôn Sáu,village,thôn,90105,,,,
"""


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_communes(users, in_year, settings):
    settings.REPORT_CACHE_SECONDS = 0
    admin = users["admin"]

    def run():  # a fresh user each time: the scope is computed once per user object
        district = get_user_model().objects.get(username="district")
        return poverty_report(user=district, area_code="901", year=2024, as_of="2025-06-30")

    run()  # warm what is read once per process (content types, the map's first build)
    with CaptureQueriesContext(connection) as small:
        run()
    areas_import_text(MORE_COMMUNES)
    for commune in ("90103", "90104", "90105"):
        made = household(f"AS-{commune}", commune, POOR, admin)
        recognise_2024(admin, commune)
        regular(admin, made, "not_poor", D(2025, 3, 1))
    with CaptureQueriesContext(connection) as large:
        report = run()
    assert report["total"]["poor_escaped_in_year"] == 2 + 3 and len(report["rows"]) >= 5
    assert len(large) == len(small), [query["sql"][:120] for query in large.captured_queries]
