"""Village posting lists (issue #15): the preliminary list (after the village meeting, marked "DỰ KIẾN") and the
recognised list of each village, as the printed page and as Excel — the People's Committee of the commune as
named that year, the national motto, the title, the posting dates, the rows, number formats, the signatures."""
import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from areas.models import AdministrativeUnit, AdministrativeUnitVersion
from households.models import EthnicGroup
from review.models import ReviewRound
from review.services import round_recognise, village_meeting_save
from tests.factories import HouseholdFactory
from tests.review.conftest import assess, everyone, reviewers  # noqa: F401 (fixtures, arguments below: F811)
from tests.review.procedure import report_up

# ruff: noqa: F811

PAGE = "/review/90101/2024/posting/"
XLSX = "/reports/posting/90101/2024/"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


@pytest.fixture
def village_two(areas):
    return AdministrativeUnit.objects.create(code="90101-02", name="Hai", kind="thôn", level="village",
                                             parent_id="90101")


@pytest.fixture
def review_2024(assess, everyone, village_two):
    """Commune 90101, review of 2024. Thôn Một: a poor household (newly poor, indicators 1, 4, 9), a near-poor
    one (stayed near-poor, indicator 4), a not-poor one (never listed) and one that escaped poverty; Thôn Hai:
    one poor household. Thôn Một recorded its meeting and posting (6–10/11/2024), Thôn Hai did not."""
    group = EthnicGroup.objects.get(code="14")
    poor = HouseholdFactory(code="PL-02", head_name="Y Bơi", ethnic_group=group)
    near = HouseholdFactory(code="PL-01", head_name="A Thảo", ethnic_group=group)
    rich = HouseholdFactory(code="PL-03", head_name="Không Ai")
    escaped = HouseholdFactory(code="PL-04", head_name="Đinh Thoát")
    two = HouseholdFactory(code="PL-21", head_name="Y Hai", village_id="90101-02")
    assess(near, 2023, income=1_000_000, deprivations=["4"])
    assess(escaped, 2023, income=1_000_000, deprivations=["1", "2", "3"])
    assess(poor, 2024, income=1_000_000, deprivations=["9", "1", "4"])
    assess(near, 2024, income=1_100_000, deprivations=["4"])
    assess(rich, 2024, income=9_000_000, deprivations=[])
    assess(escaped, 2024, income=9_000_000, deprivations=[])
    review_round = assess(two, 2024, income=900_000, deprivations=["5", "6", "7", "8"]).review_round
    village_meeting_save(acting_user=everyone["commune"], review_round=review_round, village="90101-01",
                         meeting_date=datetime.date(2024, 11, 5), attendees=40, in_favour=31,
                         posted_from=datetime.date(2024, 11, 6), posted_to=datetime.date(2024, 11, 10))
    return review_round, group


def recognise(everyone, review_round):
    report_up(review_round, user=everyone["admin"])  # meetings, posting, report up and opinion, in order
    round_recognise(acting_user=everyone["chair"], review_round=review_round, decision_number="88/QĐ-UBND",
                    decision_date=datetime.date(2024, 12, 16), confirm_unassessed=True)


def book(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def page_text(response):
    return re.sub(r"\s+", " ", response.content.decode())


# --- Excel ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_preliminary_workbook_of_a_village(client, everyone, review_2024):
    _, group = review_2024
    client.force_login(everyone["commune"])
    workbook = book(client.get(XLSX, {"village": "90101-01", "stage": "preliminary"}))
    assert workbook.sheetnames == ["Thôn Một"]
    sheet = workbook["Thôn Một"]
    # The issuing body (the commune's People's Committee, kind written out) and the motto, each half merged.
    assert (sheet["A1"].value, sheet["D1"].value) == ("ỦY BAN NHÂN DÂN", MOTTO[0])
    assert (sheet["A2"].value, sheet["D2"].value) == ("THỊ TRẤN ĐẮK TÔ", MOTTO[1])
    assert {"A1:C1", "D1:H1", "A2:C2", "D2:H2"} <= {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A3"].value == "DỰ KIẾN"
    assert sheet["A4"].value == "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO (DỰ KIẾN) NĂM 2024"
    assert sheet["A5"].value == "Thôn Một — Thị trấn Đắk Tô"
    assert sheet["A6"].value is None  # no recognition decision yet
    assert sheet["A7"].value == "Niêm yết từ ngày 06/11/2024 đến ngày 10/11/2024"
    assert [c.value for c in sheet[9]] == ["STT", "Mã hộ", "Họ tên chủ hộ", "Dân tộc", "Phân loại", "Biến động",
                                           "Số chỉ số thiếu hụt", "Chỉ số thiếu hụt"]
    assert [c.value for c in sheet[10]] == [f"({n})" for n in range(1, 9)]
    assert sheet.print_title_rows == "$9:$10"  # the table head repeats on every printed page
    # Poor first, then near-poor, each in code order; the not-poor household is not listed.
    rows = [[c.value for c in sheet[n]] for n in (11, 12)]
    assert rows == [
        [1, "PL-02", "Y Bơi", group.name, "Hộ nghèo", "Hộ nghèo phát sinh mới", 3, "1, 4, 9"],
        [2, "PL-01", "A Thảo", group.name, "Hộ cận nghèo", "Hộ cận nghèo cũ", 1, "4"],
    ]
    # Every data cell carries its column's number format.
    assert [sheet.cell(11, n).number_format for n in range(1, 9)] == ["#,##0", "@", "@", "@", "@", "@", "#,##0", "@"]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Không Ai" not in values
    # Households that left the lists this year, in their own table.
    assert "HỘ THOÁT NGHÈO, THOÁT CẬN NGHÈO NĂM 2024" in values
    left = next(n for n in range(13, sheet.max_row + 1) if sheet.cell(n, 2).value == "PL-04")
    assert [c.value for c in sheet[left]][:6] == [1, "PL-04", "Đinh Thoát", group.name, "Thoát nghèo",
                                                  "Hộ thoát nghèo"]
    assert "Tổng số: 2 hộ nghèo, hộ cận nghèo; 1 hộ thoát nghèo, thoát cận nghèo." in values
    # The signatures: the village head on the left, the commune chairman for the committee on the right.
    assert {"TRƯỞNG THÔN", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Ký, ghi rõ họ tên, đóng dấu)"} <= set(values)
    assert sheet.page_setup.orientation == "portrait" and str(sheet.page_setup.paperSize) == "9"


@pytest.mark.django_db
def test_the_whole_commune_has_a_sheet_per_village_with_dotted_dates_where_no_posting_was_recorded(
        client, everyone, review_2024):
    _, group = review_2024
    client.force_login(everyone["district"])
    workbook = book(client.get(XLSX))
    assert workbook.sheetnames == ["Thôn Một", "Thôn Hai"]
    sheet = workbook["Thôn Hai"]
    assert sheet["A7"].value == "Niêm yết từ ngày ……/……/……… đến ngày ……/……/………"
    assert [c.value for c in sheet[11]] == [1, "PL-21", "Y Hai", group.name, "Hộ nghèo", "Hộ nghèo phát sinh mới",
                                            4, "5, 6, 7, 8"]
    assert [c.value for c in sheet[12]] == [None] * 8  # one household: the table ends there


@pytest.mark.django_db
def test_the_recognised_list_exists_only_once_the_chairman_recognised(client, everyone, review_2024):
    review_round, _ = review_2024
    client.force_login(everyone["commune"])
    refused = client.get(XLSX, {"village": "90101-01", "stage": "recognised"})
    assert refused.status_code == 400 and "chưa được công nhận" in refused.content.decode()
    assert client.get(PAGE, {"stage": "recognised"}).status_code == 400
    assert client.get(PAGE, {"stage": "final"}).status_code == 400  # an unknown stage, said plainly
    recognise(everyone, review_round)
    sheet = book(client.get(XLSX, {"village": "90101-01", "stage": "recognised"}))["Thôn Một"]
    assert sheet["A3"].value is None  # no "DỰ KIẾN" mark
    assert sheet["A4"].value == "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO (ĐƯỢC CÔNG NHẬN) NĂM 2024"
    assert sheet["A6"].value == ("(Kèm theo Quyết định số 88/QĐ-UBND ngày 16/12/2024 của Chủ tịch Ủy ban nhân dân "
                                 "Thị trấn Đắk Tô)")
    # The recorded posting was the preliminary result's: the recognised list's posting is filled in by hand.
    assert sheet["A7"].value == "Niêm yết từ ngày ……/……/……… đến ngày ……/……/………"
    assert [sheet.cell(n, 2).value for n in (11, 12)] == ["PL-02", "PL-01"]


@pytest.mark.django_db
def test_the_issuing_body_is_the_commune_as_named_in_that_year(client, everyone, review_2024):
    AdministrativeUnitVersion.objects.create(unit_id="90101", valid_from=None, valid_to=datetime.date(2025, 6, 30),
                                             name="Tân Cảnh", kind="xã", parent_id="901")
    client.force_login(everyone["commune"])
    sheet = book(client.get(XLSX, {"village": "90101-01"}))["Thôn Một"]
    assert sheet["A2"].value == "XÃ TÂN CẢNH"
    assert sheet["A5"].value == "Thôn Một — Xã Tân Cảnh"
    page = page_text(client.get(PAGE, {"village": "90101-01"}))
    assert "ỦY BAN NHÂN DÂN<br>XÃ TÂN CẢNH" in page


@pytest.mark.django_db
def test_another_communes_officer_gets_404_and_an_unknown_village_too(client, everyone, review_2024):
    client.force_login(everyone["other_commune"])
    for url in (PAGE, XLSX, f"{PAGE}?village=90101-01", f"{XLSX}?village=90101-01&stage=recognised"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Y Bơi" not in response.content.decode()
    client.force_login(everyone["commune"])
    assert client.get(PAGE, {"village": "90201-01"}).status_code == 404  # a village of another commune
    assert client.get(XLSX, {"village": "nope"}).status_code == 404
    assert client.get("/review/90101/2012/posting/").status_code == 404  # no standard covers 2012


# --- the printed page ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_posting_page_prints_header_motto_title_dates_rows_and_signatures(client, everyone, review_2024):
    client.force_login(everyone["commune"])
    page = page_text(client.get(PAGE, {"village": "90101-01"}))
    assert "ỦY BAN NHÂN DÂN<br>THỊ TRẤN ĐẮK TÔ" in page
    assert "<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b>" in page
    assert '<p class="stage-mark">DỰ KIẾN</p>' in page
    assert "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO (DỰ KIẾN) NĂM 2024" in page
    assert "Niêm yết từ ngày 06/11/2024 đến ngày 10/11/2024" in page
    table = page.split('class="data posting"')[1].split("</table>")[0]
    assert re.findall(r"<td>(PL-\d+)</td>", table) == ["PL-02", "PL-01"]
    assert "<td>1, 4, 9</td>" in table and "Hộ nghèo phát sinh mới" in table
    assert "Không Ai" not in page
    assert "TRƯỞNG THÔN" in page and "TM. ỦY BAN NHÂN DÂN<br>CHỦ TỊCH" in page
    assert 'value="recognised"' not in page  # not offered before recognition
    assert 'href="/reports/posting/90101/2024/?stage=preliminary&amp;village=90101-01"' in page


@pytest.mark.django_db
def test_the_page_offers_the_recognised_list_after_recognition_and_sends_excel_to_the_reports(
        client, everyone, review_2024):
    review_round, _ = review_2024
    recognise(everyone, review_round)
    client.force_login(everyone["commune"])
    page = page_text(client.get(PAGE, {"stage": "recognised"}))
    assert 'value="recognised" selected' in page and "DỰ KIẾN</p>" not in page
    assert page.count('class="printout posting-village"') == 2  # every village, each on its own pages
    assert "Kèm theo Quyết định số 88/QĐ-UBND ngày 16/12/2024" in page
    redirect = client.get(PAGE, {"stage": "recognised", "village": "90101-02", "format": "xlsx"})
    assert redirect.status_code == 302
    assert redirect["Location"] == "/reports/posting/90101/2024/?stage=recognised&village=90101-02"
    lists = page_text(client.get("/review/90101/2024/lists/"))
    assert 'href="/review/90101/2024/posting/?stage=preliminary"' in lists
    assert 'href="/review/90101/2024/posting/?stage=recognised"' in lists
    assert ReviewRound.objects.get(pk=review_round.pk).is_locked


@pytest.mark.django_db
def test_a_village_the_reform_moved_is_posted_under_the_commune_it_belonged_to_that_year(client, everyone,
                                                                                       moved_village):
    client.force_login(everyone["district"])
    assert book(client.get(XLSX)).sheetnames == ["Thôn Một"]  # 90101's 2024 list: not the moved village
    assert book(client.get("/reports/posting/90102/2024/")).sheetnames == ["Thôn Hai", "Thôn Năm"]
    assert "Thôn Năm" in book(client.get("/reports/posting/90101/2025/")).sheetnames


@pytest.mark.django_db
def test_households_whose_result_names_no_village_are_listed_apart_not_dropped(client, everyone, assess, areas):
    assess(HouseholdFactory(code="PL-NV", head_name="Không Thôn", village_id=None), 2024, income=900_000,
           deprivations=["1", "2", "3"])
    client.force_login(everyone["commune"])
    workbook = book(client.get(XLSX))
    assert workbook.sheetnames == ["Thôn Một", "Hộ chưa ghi thôn"]
    assert workbook["Hộ chưa ghi thôn"]["B11"].value == "PL-NV"
    assert "Không Thôn" in page_text(client.get(PAGE))


@pytest.mark.django_db
def test_the_lists_page_asks_for_meetings_only_of_the_villages_under_the_commune_that_year(client, everyone,
                                                                                          moved_village):
    """A village the 2025 reform moved into the commune had no meeting to hold in its 2024 review."""
    client.force_login(everyone["district"])
    assert "90102-05" not in page_text(client.get("/review/90101/2024/lists/"))
    assert "90102-05" in page_text(client.get("/review/90101/2025/lists/"))
    assert "90102-05" in page_text(client.get("/review/90102/2024/lists/"))
