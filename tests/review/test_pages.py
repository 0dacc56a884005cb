"""The review worksheet, recognition lists, certificates and the progress board."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from review.models import Assessment
from tests.factories import HouseholdFactory
from tests.review.procedure import recognise_in_order

URL = "/review/90102/2024/"


def row(household, **values):
    data = {f"h{household.pk}-version": values.pop("version", "")}
    for key, value in values.items():
        data[f"h{household.pk}-{key}"] = value
    return data


@pytest.fixture
def three(users):
    return [HouseholdFactory(code=f"W-{n}", commune_id="90102") for n in range(3)]


@pytest.mark.django_db
def test_worksheet_saves_many_rows_at_once(client, users, three):
    client.force_login(users["district"])
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Còn <b>3</b> hộ chưa rà soát" in html and "data-lines" in html
    data = {**row(three[0], income="1.200.000", deprivations=["1", "4", "9"]),
            **row(three[1], income="2000000"), **row(three[2])}
    response = client.post(URL, data)
    assert response.status_code == 302
    stored = {a.household.code: a.classification for a in Assessment.objects.select_related("household")}
    assert stored == {"W-0": "poor", "W-1": "not_poor"}  # the blank third row stays unassessed
    assert "Còn <b>1</b> hộ" in client.get(URL).content.decode()


@pytest.mark.django_db
def test_one_bad_row_saves_nothing_and_says_where(client, users, three):
    client.force_login(users["district"])
    data = {**row(three[0], income="1200000", deprivations=["1"]), **row(three[1], income="-5"),
            **row(three[2], income="abc")}
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không được âm." in html and "Nhập một số nguyên" in html
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_locked_round_is_read_only(client, users, three):
    client.force_login(users["district"])
    client.post(URL, row(three[0], income="1200000", deprivations=["1", "4", "9"]))
    review_round = Assessment.objects.get().review_round
    recognise_in_order(review_round)  # the chairman locks it, in the order of Art. 4
    page = client.get(URL).content.decode()
    assert "đang khoá" in page and "Lưu trang này" not in page
    client.post(URL, row(three[0], income="9000000", version="2"))
    assert Assessment.objects.get().income_per_capita == 1_200_000


@pytest.mark.django_db
def test_worksheet_queries_do_not_grow_with_households(client, users, three):
    client.force_login(users["district"])
    client.post(URL, row(three[0], income="1200000"))
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for number in range(30):
        household = HouseholdFactory(code=f"M-{number}", commune_id="90102")
        if number % 2:
            client.post(URL, row(household, income="1300000"))
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)
    assert len(response.context["rows"]) == 33
    assert len(large) == len(small)


@pytest.mark.django_db
def test_scope_and_roles_on_review_pages(client, users, three):
    client.force_login(users["commune"])
    assert client.get(URL).status_code == 404  # 90102 is not the commune officer's
    assert client.get("/review/90101/2012/").status_code == 404  # no standard covers 2012
    client.force_login(users["leader"])
    page = client.get(URL).content.decode()
    assert "Lưu trang này" not in page
    client.post(URL, row(three[0], income="1200000"))
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_lists_certificate_and_board(client, users, three, assess):
    for household, income, deprivations in [(three[0], 1_000_000, ["1", "4", "9"]), (three[1], 1_000_000, [])]:
        assess(household, 2023, income=income, deprivations=["1", "4", "9"])
        assess(household, 2024, income=income, deprivations=deprivations)
    client.force_login(users["district"])
    lists = client.get("/review/90102/2024/lists/").content.decode()
    assert "Danh sách hộ nghèo (1 hộ)" in lists and "Danh sách hộ cận nghèo (1 hộ)" in lists
    assert "Danh sách hộ thoát nghèo (1 hộ)" in lists
    poor = Assessment.objects.get(household=three[0], year=2024)
    certificate = client.get(f"/review/certificate/{poor.pk}/").content.decode()
    assert "GIẤY CHỨNG NHẬN HỘ NGHÈO" in certificate and three[0].head_name in certificate
    client.force_login(users["commune"])
    assert client.get(f"/review/certificate/{poor.pk}/").status_code == 404
    client.force_login(users["district"])
    board = client.get("/review/progress/?year=2024")
    rows = {r["commune"].code: r for r in board.context["rows"]}
    assert set(rows) == {"90101", "90102"}
    assert (rows["90102"]["assessed"], rows["90102"]["registered"]) == (2, 3)
    assert rows["90101"]["round"] is None
    assert client.get("/review/progress/?year=abc").status_code == 400
