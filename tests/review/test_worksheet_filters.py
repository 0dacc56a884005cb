"""Worksheet: find a household (code or name, diacritics optional), filter by village and by "chưa rà soát",
the filters kept across pages and after a save; incomes shown and read back in Vietnamese format."""
from urllib.parse import parse_qs, urlsplit

import pytest

from areas.models import AdministrativeUnit
from households.models import Household, HouseholdStatus
from review.models import Assessment
from tests.factories import HouseholdFactory, MemberFactory
from tests.households.test_admin_entry import household_post

URL = "/review/90101/2024/"


def row(household, **values):
    data = {f"h{household.pk}-version": values.pop("version", "")}
    data.update({f"h{household.pk}-{key}": value for key, value in values.items()})
    return data


def codes(response):
    return [household.code for household, _, _ in response.context["rows"]]


@pytest.fixture
def register(users):
    """Four households of 90101 in two villages; one has a member whose name differs from the head's."""
    AdministrativeUnit.objects.create(code="90101-02", name="2", level="village", kind="thôn", parent_id="90101")
    made = {
        "F-1": HouseholdFactory(code="F-1", head_name="Nguyễn Văn A"),
        "F-2": HouseholdFactory(code="F-2", head_name="Nguyễn Văn Anh", village_id="90101-02"),
        "F-3": HouseholdFactory(code="F-3", head_name="Trần Thị Bình", village_id="90101-02"),
        "G-9": HouseholdFactory(code="G-9", head_name="Đinh Văn Đức"),
    }
    MemberFactory(household=made["F-3"], full_name="Lê Thị Hoà")
    made["F-3"].refresh_search_text()
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("query, found", [
    ("nguyen van a", ["F-1", "F-2"]),     # diacritics optional, "Nguyễn Văn Anh" contains it too
    ("Nguyễn Văn A", ["F-1", "F-2"]),
    ("nguyen van anh", ["F-2"]),
    ("dinh van duc", ["G-9"]),            # Đ without its stroke
    ("le thi hoa", ["F-3"]),              # a member's name finds the household
    ("f-3", ["F-3"]),                     # the code, any case
    ("  g-9 ", ["G-9"]),
    ("khong co ai", []),
])
def test_search_by_code_or_name_without_diacritics(client, users, register, query, found):
    client.force_login(users["commune"])
    response = client.get(URL, {"q": query})
    assert codes(response) == found
    html = response.content.decode()
    assert f"Tìm thấy <b>{len(found)}</b> hộ khớp điều kiện lọc" in html
    if not found:
        assert "Không có hộ nào khớp điều kiện lọc." in html


@pytest.mark.django_db
def test_village_and_unassessed_filters_and_the_count(client, users, register, assess):
    assess(register["F-2"], 2024, income=1_200_000)
    assess(register["F-1"], 2023, income=1_200_000)  # another year's assessment does not count
    client.force_login(users["commune"])
    everything = client.get(URL)
    assert codes(everything) == ["F-1", "F-2", "F-3", "G-9"]
    assert "<b>4</b> hộ đang cư trú trong sổ của xã" in everything.content.decode()
    assert [(v.code, v.label) for v in everything.context["villages"]] == [
        ("90101-01", "Thôn Một"), ("90101-02", "Thôn 2")]
    assert codes(client.get(URL, {"village": "90101-02"})) == ["F-2", "F-3"]
    unassessed = client.get(URL, {"unassessed": "1"})
    assert codes(unassessed) == ["F-1", "F-3", "G-9"]
    assert "Tìm thấy <b>3</b> hộ khớp điều kiện lọc" in unassessed.content.decode()
    assert codes(client.get(URL, {"unassessed": "1", "village": "90101-02", "q": "tran"})) == ["F-3"]
    # a village of another commune, typed into the address, is not a filter of this commune
    assert codes(client.get(URL, {"village": "90201-01"})) == ["F-1", "F-2", "F-3", "G-9"]


@pytest.mark.django_db
def test_filters_are_kept_across_pages_and_after_a_save(client, users, monkeypatch):
    monkeypatch.setattr("review.views.ROWS_PER_PAGE", 2)
    households = [HouseholdFactory(code=f"P-{n}", head_name=f"Phạm Văn Số{n}") for n in range(5)]
    HouseholdFactory(code="X-1", head_name="Hồ Thị Khác")
    client.force_login(users["commune"])
    filters = {"q": "pham van", "village": "90101-01", "unassessed": "1"}
    first = client.get(URL, filters)
    assert codes(first) == ["P-0", "P-1"]
    html = first.content.decode()
    assert "Tìm thấy <b>5</b> hộ khớp điều kiện lọc (trang 1/3)" in html
    assert 'href="?q=pham+van&amp;village=90101-01&amp;unassessed=1&amp;page=2"' in html
    second = client.get(URL, {**filters, "page": "2"})
    assert codes(second) == ["P-2", "P-3"]
    assert second.context["filters"].q == "pham van"  # the search box shows what was looked for
    assert 'value="pham van"' in second.content.decode()
    # Saving page 2 comes back to page 2 with the same filters; the saved row leaves "chưa rà soát".
    response = client.post(f"{URL}?q=pham+van&village=90101-01&unassessed=1&page=2",
                           {**row(households[2], income="1.200.000"), **row(households[3])})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == URL
    assert parse_qs(location.query) == {"q": ["pham van"], "village": ["90101-01"], "unassessed": ["1"],
                                        "page": ["2"]}
    after = client.get(response["Location"])
    assert codes(after) == ["P-3", "P-4"]
    assert "Tìm thấy <b>4</b> hộ khớp điều kiện lọc" in after.content.decode()
    assert Assessment.objects.get().household == households[2]


@pytest.mark.django_db
def test_a_household_just_added_in_the_admin_is_found_and_listed_unassessed(client, users, register, assess):
    for household in register.values():
        assess(household, 2024, income=1_200_000)
    client.force_login(users["commune"])
    response = client.post("/admin/households/household/add/", household_post(code="MOI-01", members=[
        {"full_name": "Y Điêng Niê", "relation_to_head": "head", "gender": "male", "birth_year": "1975",
         "ethnic_group": "01"},
        {"full_name": "H'Hoa Niê", "relation_to_head": "spouse", "gender": "female", "birth_year": "1978",
         "ethnic_group": "01"},
    ]))
    assert response.status_code == 302
    assert codes(client.get(URL, {"q": "y dieng nie"})) == ["MOI-01"]
    assert codes(client.get(URL, {"q": "h'hoa"})) == ["MOI-01"]  # a member added with it
    assert codes(client.get(URL, {"q": "moi-01"})) == ["MOI-01"]
    page = client.get(URL, {"unassessed": "1"})
    assert codes(page) == ["MOI-01"]
    html = client.get(URL).content.decode()
    assert "Còn <b>1</b> hộ chưa rà soát năm 2024: MOI-01." in html
    assert '<a href="?unassessed=1">Xem các hộ chưa rà soát</a>' in html


@pytest.mark.django_db
def test_a_row_that_left_the_filter_meanwhile_is_not_dropped(client, users, register, assess):
    """The page was loaded with "chưa rà soát"; someone else assessed a row before the save: the row is
    still the officer's (a conflict, nothing saved), not silently left out of the save."""
    client.force_login(users["commune"])
    page = client.get(URL, {"unassessed": "1"})
    assert codes(page) == ["F-1", "F-2", "F-3", "G-9"]
    theirs = assess(register["F-2"], 2024, income=900_000)
    response = client.post(f"{URL}?unassessed=1", {**row(register["F-1"], income="2.000.000"),
                                                   **row(register["F-2"], income="3.000.000")})
    assert response.status_code == 200
    forms = {household.code: form for household, _, form in response.context["rows"]}
    assert "vừa được người khác rà soát" in " ".join(forms["F-2"].non_field_errors())
    assert forms["F-1"].shown["income"] == "2.000.000"  # as typed, to be saved again
    stored = Assessment.objects.get()
    assert (stored.pk, stored.income_per_capita) == (theirs.pk, 900_000)


@pytest.mark.django_db
def test_a_row_of_a_household_gone_meanwhile_is_reported(client, users, register):
    client.force_login(users["commune"])
    Household.objects.filter(pk=register["G-9"].pk).update(status=HouseholdStatus.MOVED)
    response = client.post(URL, {**row(register["F-1"], income="2.000.000"), **row(register["G-9"], income="1")},
                           follow=True)
    assert list(Assessment.objects.values_list("household__code", flat=True)) == ["F-1"]
    html = response.content.decode()
    assert "Đã lưu 1 hộ." in html and "1 dòng không được lưu: hộ không còn trong sổ của xã" in html


@pytest.mark.django_db
def test_a_post_naming_too_many_rows_is_refused(client, users, register, monkeypatch):
    monkeypatch.setattr("review.views.ROWS_PER_PAGE", 2)
    client.force_login(users["commune"])
    data = {f"h{pk}-version": "" for pk in range(1, 4)}
    assert client.post(URL, data).status_code == 400
    assert client.post(URL, {"h99999999999999999999999-version": "", "h1-income": "5"}).status_code == 302


# --- Vietnamese numbers --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_incomes_are_shown_in_vietnamese_format_and_read_back(client, users, register):
    client.force_login(users["commune"])
    response = client.post(URL, {**row(register["F-1"], income="1.200.000", b1="150"),
                                 **row(register["F-2"], income="2500000"),
                                 **row(register["F-3"], income="12 000 000")})
    assert response.status_code == 302
    stored = dict(Assessment.objects.values_list("household__code", "income_per_capita"))
    assert stored == {"F-1": 1_200_000, "F-2": 2_500_000, "F-3": 12_000_000}
    versions = dict(Assessment.objects.values_list("household__code", "version"))
    page = client.get(URL)
    html = page.content.decode()
    for value in ("1.200.000", "2.500.000", "12.000.000"):
        assert f'value="{value}"' in html
    assert 'value="1200000"' not in html and 'value="2500000"' not in html
    # the page posted back as shown is no change at all
    data = {}
    for household, assessment, form in page.context["rows"]:
        data.update(row(household, version=form["version"].value() or "", **{
            key: value for key, value in form.shown.items() if value}))
        if assessment:
            data[f"h{household.pk}-deprivations"] = assessment.deprivation_codes
    response = client.post(URL, data, follow=True)
    assert "Không có thay đổi nào." in response.content.decode()
    assert dict(Assessment.objects.values_list("household__code", "version")) == versions


@pytest.mark.django_db
def test_a_page_with_errors_shows_what_was_typed(client, users, register):
    client.force_login(users["commune"])
    response = client.post(URL, {**row(register["F-1"], income="1200000"), **row(register["F-2"], income="-5")})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="1200000"' in html and 'value="-5"' in html and "Không được âm." in html
