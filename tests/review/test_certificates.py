"""The household certificate (Giấy chứng nhận hộ nghèo, hộ cận nghèo, Mẫu số 03): issued and numbered when the
commune chairman recognises the round, one per household for a standard's period; the printed page as the form:
the legal bases of its standard, the number and date of issue, the head's national ID, "nơi thường trú", birth
years by sex, and one cell per year labelled by the year its list applies, filled only once recognised."""
import datetime
import re
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from areas.models import AdministrativeUnitVersion
from households.models import Gender, Member, Relation
from review.certificates import certificates_issue, certificates_issue_for_household
from review.models import Assessment, Certificate, Indicator, PovertyStandard
from review.services import round_recognise, round_reopen, round_submit
from tests.factories import HouseholdFactory, MemberFactory
from tests.review.procedure import hold_meetings, procedure_days

POOR = {"income": 1_000_000, "deprivations": ["1", "4", "9"]}
NEAR_POOR = {"income": 1_000_000, "deprivations": []}
NOT_POOR = {"income": 9_000_000, "deprivations": []}


def recognise(everyone, review_round, year, day=None):
    """The round in the order of Art. 4 (meetings, posting, report up in November), then the decision."""
    hold_meetings(review_round, user=everyone["commune"])
    round_submit(acting_user=everyone["commune"], review_round=review_round,
                 reported_on=procedure_days(year)["reported"])
    return round_recognise(acting_user=everyone["chair"], review_round=review_round,
                           decision_number=f"12/QĐ-UBND-{year}", decision_date=day or datetime.date(year, 12, 12),
                           confirm_unassessed=True)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def round_2024(assess, everyone):
    """Households of 90101 created out of code order: a poor, a near-poor and a not-poor one, assessed 2024."""
    households = {
        "C": HouseholdFactory(code="CN-C"), "A": HouseholdFactory(code="CN-A"), "B": HouseholdFactory(code="CN-B"),
    }
    assess(households["C"], 2024, **POOR)
    assess(households["A"], 2024, **NEAR_POOR)
    review_round = assess(households["B"], 2024, **NOT_POOR).review_round
    return households, review_round


@pytest.mark.django_db
def test_recognition_numbers_a_certificate_for_each_poor_and_near_poor_household_in_code_order(everyone, round_2024):
    households, review_round = round_2024
    assert not Certificate.objects.exists()  # nothing before the chairman's decision
    recognise(everyone, review_round, 2024)
    issued = {c.household.code: c for c in Certificate.objects.select_related("household")}
    assert {code: c.number for code, c in issued.items()} == {"CN-A": 1, "CN-C": 2}  # CN-B is not poor
    standard = PovertyStandard.objects.for_year(2024).get()
    assert all(c.standard == standard and c.commune_id == "90101" for c in issued.values())
    assert {c.issued_on for c in issued.values()} == {datetime.date(2024, 12, 12)}  # the decision's date
    history = Certificate.history.filter(household__code="CN-A").get()
    assert (history.history_type, history.history_user) == ("+", everyone["chair"])
    assert "12/QĐ-UBND-2024" in history.history_change_reason


@pytest.mark.django_db
def test_a_household_keeps_its_certificate_through_the_period_and_new_ones_take_the_next_number(
        assess, everyone, round_2024):
    households, review_round = round_2024
    recognise(everyone, review_round, 2024)
    # Reopened and recognised again: nobody gets a second certificate, numbers unchanged.
    round_reopen(acting_user=everyone["district"], review_round=review_round, reason="Sửa thu nhập")
    recognise(everyone, review_round, 2024)
    assert sorted(Certificate.objects.values_list("household__code", "number")) == [("CN-A", 1), ("CN-C", 2)]
    # 2025, same standard: CN-B becomes poor (next number), CN-C stays poor (keeps number 2).
    assess(households["C"], 2025, **POOR)
    round_2025 = assess(households["B"], 2025, **POOR).review_round
    recognise(everyone, round_2025, 2025)
    assert sorted(Certificate.objects.values_list("household__code", "number")) == [
        ("CN-A", 1), ("CN-B", 3), ("CN-C", 2)]
    assert Certificate.objects.get(household__code="CN-B").issued_on == datetime.date(2025, 12, 12)


@pytest.mark.django_db
def test_numbers_run_per_commune_and_per_standard(assess, everyone, round_2024):
    _, review_round = round_2024
    recognise(everyone, review_round, 2024)
    other = HouseholdFactory(code="CN-OTHER", commune_id="90102")
    other_round = assess(other, 2024, **POOR).review_round
    other_round.decision_number, other_round.decision_date = "9/QĐ-UBND", datetime.date(2024, 12, 20)
    certificates_issue(review_round=other_round, acting_user=everyone["admin"])  # dated by the decision
    assert Certificate.objects.get(household=other).number == 1  # its own commune starts at 1
    # The next standard (review years from 2026) numbers from 1 again in 90101.
    later = PovertyStandard.objects.for_year(2026).get()
    certificate, created = certificates_issue_for_household(HouseholdFactory(code="CN-D"), later, "90101",
                                                            datetime.date(2027, 3, 1))
    assert (certificate.number, created) == (1, True)


@pytest.mark.django_db
def test_issue_for_a_household_regular_review_returns_the_held_one_or_the_next_number(everyone, round_2024):
    households, review_round = round_2024
    recognise(everyone, review_round, 2024)
    standard = PovertyStandard.objects.for_year(2024).get()
    held, created = certificates_issue_for_household(households["C"], standard, "90101", datetime.date(2025, 3, 2))
    assert (held.number, held.issued_on, created) == (2, datetime.date(2024, 12, 12), False)
    new, created = certificates_issue_for_household(households["B"], standard, "90101", datetime.date(2025, 3, 2),
                                                    acting_user=everyone["admin"])
    assert (new.number, new.issued_on, created) == (3, datetime.date(2025, 3, 2), True)
    assert Certificate.history.get(household=households["B"]).history_user == everyone["admin"]


@pytest.mark.django_db
def test_issuing_takes_the_same_queries_for_3_or_30_households(assess, everyone):
    def issue(prefix, count, year):
        review_round = None
        for n in range(count):
            review_round = assess(HouseholdFactory(code=f"{prefix}-{n:03d}", commune_id="90102"), year, **POOR).review_round
        review_round.decision_number, review_round.decision_date = "1/QĐ-UBND", datetime.date(year, 12, 15)
        with CaptureQueriesContext(connection) as queries:
            created = certificates_issue(review_round=review_round, acting_user=everyone["admin"])
        assert len(created) == count
        return len(queries)

    assert issue("Q3", 3, 2022) == issue("Q30", 30, 2023)


# --- the printed certificate -------------------------------------------------------------------------

@pytest.fixture
def family(assess, everyone):
    """A poor household of 90101 with 8 members, its address already naming its village, assessed 2022–2024,
    recognised in 2023; the commune was a thị trấn named "Đắk Tô" until the 2025 reform renamed it."""
    AdministrativeUnitVersion.objects.create(unit_id="90101", valid_from=None, valid_to=datetime.date(2025, 6, 30),
                                             name="Đắk Tô Cũ", kind="thị trấn", parent_id="901")
    household = HouseholdFactory(code="GCN-001", head_name="Nguyễn Văn Chủ", address="Tổ 3, Thôn Một")
    Member.objects.filter(household=household).update(national_id="062190001234")
    for n, (gender, year) in enumerate([(Gender.FEMALE, 1982), (Gender.MALE, 2004), (Gender.FEMALE, 2006),
                                        (Gender.MALE, 2008), (Gender.FEMALE, 2010), (Gender.MALE, 2012),
                                        (Gender.FEMALE, 1950)]):
        MemberFactory(household=household, full_name=f"Thành Viên {n}", gender=gender, birth_year=year,
                      relation_to_head=Relation.SPOUSE if n == 0 else Relation.CHILD)
    assess(household, 2022, income=1_000_000, deprivations=["1", "4", "9"])
    poor_2023 = assess(household, 2023, income=1_000_000, deprivations=["2", "7", "10", "12"])
    recognise(everyone, poor_2023.review_round, 2023, day=datetime.date(2023, 12, 20))
    near_2024 = assess(household, 2024, income=1_200_000, deprivations=["4"])
    return household, Assessment.objects.get(pk=poor_2023.pk), near_2024


def cell(page, list_year):
    """The row of the cell labelled `list_year`."""
    return page.split(f'id="grid-{list_year}"')[1].split('<tr id="grid-')[0].split("</tbody></table>")[0]


def circled(row):
    return sorted(re.findall(r'<td class="deprived">(\d+)</td>', row), key=int)


@pytest.mark.django_db
def test_the_certificate_is_the_form_mau_so_03(client, everyone, family):
    household, poor_2023, near_2024 = family
    client.force_login(everyone["commune"])
    page = text(client.get(f"/review/certificate/{poor_2023.pk}/"))
    assert "GIẤY CHỨNG NHẬN HỘ NGHÈO, HỘ CẬN NGHÈO</h1>" in page
    assert '<div id="certificate-number">Số: 1/GCN-HN.HCN</div>' in page
    assert "Đắk Tô Cũ, ngày 20 tháng 12 năm 2023" in page  # the date of issue, under the commune's 2023 name
    assert "ỦY BAN NHÂN DÂN<br>THỊ TRẤN ĐẮK TÔ CŨ" in page
    # The legal bases the form names: the Law on Local Government 2015, its 2019 amendment, the standard's decree.
    bases = page.split('id="bases">')[1].split("</p>")[0]
    assert "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;" in bases
    assert ("Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa "
            "phương ngày 22 tháng 11 năm 2019;") in bases
    assert "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ" in bases
    assert "351/2025" not in page  # the decree that later extended Decree 07 is not this certificate's basis
    assert "Chủ tịch Ủy ban nhân dân Thị trấn Đắk Tô Cũ chứng nhận:" in bases
    assert '<b id="head-name">Nguyễn Văn Chủ</b>' in page
    assert 'Số CCCD/CMND: <span id="head-national-id">062190001234</span>' in page
    # "Nơi thường trú", the address naming its village once and the commune added.
    assert 'Nơi thường trú: <span id="address">Tổ 3, Thôn Một, Thị trấn Đắk Tô</span>' in page
    assert "Nơi cư trú" not in page and page.count("Thôn Một") == 1
    members = page.split('id="members"')[1].split("</table>")[0]
    assert members.count("<tr>") == 2 + 8
    assert '<td class="num male-year">1980</td><td class="num female-year"></td>' in members
    assert '<td class="num male-year"></td><td class="num female-year">1950</td>' in members
    # The yearly cells: the form's four columns, no others.
    head = page.split('id="grid"')[1].split("</thead>")[0]
    assert re.findall(r"<th(?: [^>]*)?>(.*?)</th>", head) == [
        "Năm", "Hộ nghèo (N),<br>hộ cận nghèo (CN)", "Chỉ số thiếu hụt các dịch vụ xã hội cơ bản của hộ gia đình",
        "Xác nhận của Chủ tịch UBND thị trấn<br><i>(ký tên và đóng dấu)</i>"]
    assert "Đơn vị" not in page and "Căn cứ (chuẩn nghèo)" not in page
    assert "DỰ THẢO" not in page


@pytest.mark.django_db
def test_each_cell_is_the_year_the_list_applies_and_only_recognised_years_are_printed(client, everyone, family):
    """Decree 07's reviews 2021–2025 fill the cells of 2022–2026; the 2023 review (recognised on 20/12/2023) goes
    in the cell of 2024; the 2022 result (round open) and the 2024 one (reported up, not recognised) print
    nothing."""
    household, poor_2023, near_2024 = family
    hold_meetings(near_2024.review_round, user=everyone["commune"])
    round_submit(acting_user=everyone["commune"], review_round=near_2024.review_round,
                 reported_on=procedure_days(2024)["reported"])
    client.force_login(everyone["commune"])
    page = text(client.get(f"/review/certificate/{poor_2023.pk}/"))
    assert "II. Kết quả phân loại hộ gia đình giai đoạn 2022 – 2026" in page
    assert re.findall(r'id="grid-(\d+)"', page) == ["2022", "2023", "2024", "2025", "2026"]
    recognised = cell(page, 2024)
    assert '<td class="year">NĂM 2024</td>' in recognised and '<td class="class">N</td>' in recognised
    assert circled(recognised) == ["2", "7", "10", "12"]
    assert "ngày 20 tháng 12 năm 2023" in recognised  # the chairman's decision
    for list_year in (2022, 2023, 2025, 2026):  # 2021 not reviewed, 2022 open, 2024 submitted, 2025 none
        blank = cell(page, list_year)
        assert '<td class="class"></td>' in blank and "indicator-grid" not in blank, list_year
        assert '<td class="sign"></td>' in blank, list_year
    # Recognised in its turn, the 2024 result fills the cell of 2025.
    round_recognise(acting_user=everyone["chair"], review_round=near_2024.review_round, decision_number="7/QĐ-UBND",
                    decision_date=datetime.date(2024, 12, 10), confirm_unassessed=True)
    page = text(client.get(f"/review/certificate/{poor_2023.pk}/"))
    assert '<td class="class">CN</td>' in cell(page, 2025) and circled(cell(page, 2025)) == ["4"]
    assert "ngày 10 tháng 12 năm 2024" in cell(page, 2025)


@pytest.mark.django_db
def test_a_2026_certificate_cites_decree_351_its_cells_are_2027_to_2030_with_13_indicators(client, assess, everyone):
    household = HouseholdFactory(code="GCN-2026")
    poor = assess(household, 2026, income=2_000_000, deprivations=["1", "12", "13"])
    recognise(everyone, poor.review_round, 2026, day=datetime.date(2026, 12, 1))
    client.force_login(everyone["commune"])
    page = text(client.get(f"/review/certificate/{poor.pk}/"))
    assert "Căn cứ Nghị định số 351/2025/NĐ-CP ngày 30 tháng 12 năm 2025 của Chính phủ" in page
    assert "07/2021/NĐ-CP" not in page
    assert "giai đoạn 2027 – 2030" in page
    assert re.findall(r'id="grid-(\d+)"', page) == ["2027", "2028", "2029", "2030"]
    first = cell(page, 2027)
    assert '<td class="class">N</td>' in first and circled(first) == ["1", "12", "13"]
    assert sorted(re.findall(r'<td(?: class="deprived")?>(\d+)</td>', first), key=int) == [
        str(code) for code in range(1, 14)]


@pytest.mark.django_db
def test_no_official_paper_says_its_data_is_unverified(client, assess, everyone):
    """Decree 351's indicators are marked for an administrator to confirm: the mark stays in the admin."""
    assert Indicator.objects.filter(standard__code="ND351-2025", needs_confirmation=True).count() == 13
    poor = assess(HouseholdFactory(code="GCN-VERIFY"), 2026, income=2_000_000, deprivations=["1", "12", "13"])
    client.force_login(everyone["commune"])
    papers = [f"/review/certificate/{poor.pk}/", "/review/90101/2026/posting/"]
    recognise(everyone, poor.review_round, 2026, day=datetime.date(2026, 12, 1))
    papers += [f"/review/certificate/{poor.pk}/", "/review/90101/2026/posting/?stage=recognised"]
    for url in papers:
        response = client.get(url)
        assert response.status_code == 200, url
        page = text(response).lower()
        assert "kiểm chứng" not in page and "cần quản trị viên xác nhận" not in page, url


@pytest.mark.django_db
def test_before_recognition_the_certificate_is_a_draft_without_a_number(client, everyone, family):
    _, _, near_2024 = family  # the 2024 round is not recognised; the household holds 2023's certificate
    client.force_login(everyone["commune"])
    held = text(client.get(f"/review/certificate/{near_2024.pk}/"))
    assert "Số: 1/GCN-HN.HCN" in held  # the same certificate, one per standard's period
    fresh = HouseholdFactory(code="GCN-NEW")
    from review.services import assessment_save

    draft = assessment_save(acting_user=everyone["admin"], household=fresh, year=2024, income_per_capita=900_000,
                            deprivations=["1", "2", "3"])
    page = text(client.get(f"/review/certificate/{draft.pk}/"))
    assert "DỰ THẢO — chưa cấp số" in page and "Số: " not in page.split('id="certificate-number"')[1][:80]
    assert "ngày …… tháng …… năm ……" in page


@pytest.mark.django_db
def test_another_communes_officer_gets_404_and_not_poor_households_have_no_certificate(client, assess, everyone,
                                                                                        family):
    household, poor_2023, _ = family
    client.force_login(everyone["other_commune"])
    assert client.get(f"/review/certificate/{poor_2023.pk}/").status_code == 404
    rich = assess(HouseholdFactory(code="GCN-RICH"), 2024, **NOT_POOR)
    client.force_login(everyone["commune"])
    assert client.get(f"/review/certificate/{rich.pk}/").status_code == 404


# --- admin and API -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_certificates_are_read_only_in_the_admin_and_scoped(client, everyone, family, assess):
    household, _, _ = family
    foreign = HouseholdFactory(code="GCN-FOREIGN", commune_id="90201")
    certificates_issue_for_household(foreign, PovertyStandard.objects.for_year(2024).get(), "90201",
                                     datetime.date(2024, 12, 1))
    client.force_login(everyone["commune"])
    listing = client.get("/admin/review/certificate/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "GCN-001" in body and "GCN-FOREIGN" not in body
    certificate = Certificate.objects.get(household=household)
    change = client.get(f"/admin/review/certificate/{certificate.pk}/change/")
    assert change.status_code == 200 and 'name="number"' not in change.content.decode()  # view only
    assert client.get("/admin/review/certificate/add/").status_code == 403
    assert client.post(f"/admin/review/certificate/{certificate.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Certificate.objects.filter(pk=certificate.pk).exists()
    foreign_pk = Certificate.objects.get(household=foreign).pk
    assert client.get(f"/admin/review/certificate/{foreign_pk}/change/", follow=True).status_code in (200, 404)
    assert "GCN-FOREIGN" not in client.get(f"/admin/review/certificate/{foreign_pk}/change/", follow=True
                                          ).content.decode()


@pytest.mark.django_db
def test_the_certificates_api_is_read_only_and_scoped(everyone, family):
    household, _, _ = family
    foreign = HouseholdFactory(code="GCN-FOREIGN", commune_id="90201")
    certificates_issue_for_household(foreign, PovertyStandard.objects.for_year(2024).get(), "90201",
                                     datetime.date(2024, 12, 1))
    api = APIClient()
    api.force_authenticate(everyone["commune"])
    answer = api.get("/api/v1/certificates/")
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [(r["household"], r["number"], r["number_text"], r["standard"], r["commune"], r["issued_on"])
            for r in rows] == [("GCN-001", 1, "1/GCN-HN.HCN", "ND07-2021", "90101", "2023-12-20")]
    foreign_pk = Certificate.objects.get(household=foreign).pk
    assert api.get(f"/api/v1/certificates/{foreign_pk}/").status_code == 404
    assert api.post("/api/v1/certificates/", {"household": "GCN-001"}, format="json").status_code in (403, 405)
    mine = rows[0]["id"]
    assert api.delete(f"/api/v1/certificates/{mine}/").status_code in (403, 405)
    assert api.get("/api/v1/certificates/", {"household": "GCN-001"}).json()["count"] == 1
    assert Certificate.objects.count() == 2


# --- two issuers at once (PostgreSQL: row locks) -------------------------------------------------------

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks exist on PostgreSQL only; SQLite serialises every write")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_issuers_in_one_commune_never_draw_the_same_number(users):
    standard = PovertyStandard.objects.for_year(2024).get()
    first, second = HouseholdFactory(code="RACE-1"), HouseholdFactory(code="RACE-2")
    inside, release, errors = threading.Event(), threading.Event(), []

    def slow_issue():
        try:
            with transaction.atomic():
                certificates_issue_for_household(first, standard, "90101", datetime.date(2025, 3, 1))
                inside.set()
                release.wait(10)  # holds the commune's lock while the other issuer starts
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_issue)
    thread.start()
    assert inside.wait(10)
    other = threading.Thread(target=lambda: (certificates_issue_for_household(
        second, standard, "90101", datetime.date(2025, 3, 1)), connection.close()))
    other.start()
    time.sleep(0.5)
    assert other.is_alive()  # waiting for the first issuer's transaction
    release.set()
    thread.join(10)
    other.join(10)
    assert errors == []
    assert sorted(Certificate.objects.values_list("household__code", "number")) == [("RACE-1", 1), ("RACE-2", 2)]
