"""The import template follows the year's standard: one column per indicator of the review year asked (12 under
Decree 07/2021, 13 from the 2026 review under Decree 351/2025), default the review open now; its guide says
which indicators they are and names the scores as the circular does (điểm A, điểm B beside B1/B2)."""
import datetime
import io

import pytest
from openpyxl import load_workbook

from importing.template import template_bytes, template_year


def sheets(content):
    workbook = load_workbook(io.BytesIO(content))
    headers = [cell.value for cell in workbook["Rà soát"][1]]
    guide = {row[1]: row[2] for row in workbook["Hướng dẫn"].iter_rows(min_row=2, values_only=True) if row[1]}
    return [header for header in headers if header.startswith("Chỉ số")], guide


@pytest.mark.django_db
def test_the_2026_template_has_decree_351s_13_indicators():
    columns, guide = sheets(template_bytes(2026))
    assert columns == [f"Chỉ số {code}" for code in range(1, 14)]
    text = guide["Chỉ số 1 … Chỉ số 13"]
    assert text.startswith("13 chỉ số thiếu hụt của Chuẩn nghèo đa chiều giai đoạn 2026–2030")
    assert "12. Sử dụng dịch vụ số, tiếp cận Internet" in text and "13. Xử lý rác thải sinh hoạt" in text
    assert "Phương tiện phục vụ tiếp cận thông tin" not in text  # information devices dropped
    assert "kiểm chứng" not in text


@pytest.mark.django_db
def test_the_2025_template_keeps_decree_07s_12_indicators():
    columns, guide = sheets(template_bytes(2025))
    assert columns == [f"Chỉ số {code}" for code in range(1, 13)]
    assert "12. Phương tiện phục vụ tiếp cận thông tin" in guide["Chỉ số 1 … Chỉ số 12"]


@pytest.mark.django_db
def test_the_guide_names_the_scores_as_the_circular_does():
    _, guide = sheets(template_bytes(2025))
    assert guide["Điểm B1"].startswith("Điểm A (điểm thu nhập của phiếu B, cán bộ gọi là B1)")
    assert "Điểm B (điểm thiếu hụt, cán bộ gọi là B2) = 10 điểm mỗi chỉ số thiếu hụt" in guide["Chỉ số 1 … Chỉ số 12"]


def test_the_default_year_is_the_review_open_now():
    assert template_year(today=datetime.date(2026, 12, 5)) == 2026
    assert template_year(today=datetime.date(2026, 12, 15)) == 2027  # the 2026 window closed on 14 December
    assert template_year(2025, today=datetime.date(2026, 12, 5)) == 2025


@pytest.mark.django_db
def test_the_page_offers_the_template_of_the_year_asked(client, users):
    client.force_login(users["commune"])
    response = client.get("/import/template.xlsx?year=2026")
    assert response.status_code == 200 and "mau-nhap-ho-ngheo-2026" in response["Content-Disposition"]
    assert len(sheets(response.content)[0]) == 13
    assert len(sheets(client.get("/import/template.xlsx?year=2025").content)[0]) == 12
