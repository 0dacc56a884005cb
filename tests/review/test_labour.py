"""“No labour capacity” derived from the members (review.labour): the working-age rule at its legal edges
(15 years; the retirement ages of Decree 135/2020/NĐ-CP by year and sex), missing data, and the officer's
override with a reason on every path — service, worksheet, API, admin — and members changed afterwards."""
import datetime
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from households.models import Gender, Member, Relation
from households.services import member_delete, member_save
from review.labour import household_labour, is_working_age, retirement_age_months
from review.models import Assessment, ReviewRound, RoundStatus
from review.services import LABOUR_REASON_REQUIRED, assessment_save
from tests.factories import HouseholdFactory, MemberFactory

M, F = Gender.MALE, Gender.FEMALE


# --- the pure rule -----------------------------------------------------------------------------------

@pytest.mark.parametrize("gender, year, months", [
    (M, 2020, 720), (M, 2021, 723), (M, 2024, 732), (M, 2027, 741), (M, 2028, 744), (M, 2040, 744),
    (F, 2020, 660), (F, 2021, 664), (F, 2025, 680), (F, 2034, 716), (F, 2035, 720), (F, 2040, 720),
])
def test_retirement_ages_of_decree_135(gender, year, months):
    assert retirement_age_months(gender, year) == months


@pytest.mark.parametrize("gender, year, birth_year, working", [
    # men: 60 before 2021, then 60 years 3 months rising 3 months a year to 62 in 2028
    (M, 2020, 1961, True), (M, 2020, 1960, False),
    (M, 2021, 1961, True), (M, 2021, 1960, False),      # "60" in 2021 is under 60 years 3 months
    (M, 2024, 1964, True), (M, 2024, 1963, False),      # 60 < 61 years (2024); 61 is the retirement age
    (M, 2027, 1966, True), (M, 2027, 1965, False),      # 61 < 61 y 9 m; 62 is past it
    (M, 2028, 1967, True), (M, 2028, 1966, False),      # 62 exactly: retired
    (M, 2030, 1969, True), (M, 2030, 1968, False),
    # women: 55 before 2021, then 55 years 4 months rising 4 months a year to 60 in 2035
    (F, 2020, 1966, True), (F, 2020, 1965, False),
    (F, 2021, 1966, True), (F, 2021, 1965, False),
    (F, 2025, 1969, True), (F, 2025, 1968, False),      # 56 < 56 y 8 m; 57 is past it
    (F, 2034, 1975, True), (F, 2034, 1974, False),      # 59 < 59 y 8 m
    (F, 2035, 1976, True), (F, 2035, 1975, False),      # 60 exactly: retired
    # the 15th year: of working age in the year the member turns 15
    (M, 2024, 2009, True), (M, 2024, 2010, False), (F, 2024, 2009, True), (F, 2024, 2010, False),
    (M, 2024, 2030, False),                             # not born yet in the review year
])
def test_working_age_by_birth_year(gender, year, birth_year, working):
    assert is_working_age(year, gender=gender, birth_year=birth_year) is working


@pytest.mark.parametrize("birth_date, working", [
    (datetime.date(1961, 12, 1), True),   # 60 years 0 months on 31/12/2021
    (datetime.date(1961, 10, 20), True),  # 60 years 2 months
    (datetime.date(1961, 9, 5), False),   # 60 years 3 months: the retirement age reached
    (datetime.date(1961, 1, 15), False),  # 60 years 11 months (the birth year alone would say working)
])
def test_a_birth_date_refines_the_months_at_the_retirement_edge(birth_date, working):
    assert is_working_age(2021, gender=M, birth_date=birth_date) is working
    assert is_working_age(2021, gender=M, birth_year=1961) is True


def test_a_birth_date_at_the_fifteenth_year():
    assert is_working_age(2024, gender=F, birth_date=datetime.date(2009, 12, 31)) is True
    assert is_working_age(2024, gender=F, birth_date=datetime.date(2010, 1, 1)) is False


def test_missing_data():
    assert is_working_age(2024, gender=M) is None                         # no birth year
    assert is_working_age(2024, gender="", birth_year=1994) is True      # 30: working age whatever the sex
    assert is_working_age(2024, gender="", birth_year=1967) is None      # 57: a man works, a woman retired
    assert is_working_age(2024, gender="", birth_year=1950) is False     # 74
    assert is_working_age(2024, gender="", birth_year=2015) is False     # 9


def person(name, gender, birth_year, able=True):
    return SimpleNamespace(full_name=name, gender=gender, birth_year=birth_year, birth_date=None,
                           has_labour_capacity=able)


def test_household_rule():
    couple = [person("Ông", M, 1950), person("Bà", F, 1955)]
    assert household_labour(couple, 2024).no_labour_capacity is True
    assert household_labour([*couple, person("Cháu 14", F, 2010)], 2024).no_labour_capacity is True
    assert household_labour([*couple, person("Cháu 15", F, 2009)], 2024).no_labour_capacity is False
    sick = person("Con bệnh nặng", M, 1990, able=False)
    assert household_labour([*couple, sick], 2024).no_labour_capacity is True
    # an able member whose working age is unknown is not counted, and the result says so
    unknown = household_labour([*couple, person("Không rõ", M, None)], 2024)
    assert unknown.no_labour_capacity is True and unknown.undetermined == ("Không rõ",)
    assert unknown.warning == "Thiếu năm sinh/giới tính: Không rõ (chưa tính là lao động)."
    known = household_labour([person("Không rõ", M, None), person("Con", F, 1995)], 2024)
    assert known.no_labour_capacity is False and known.warning == ""  # the unknown member changes nothing


# --- the service -------------------------------------------------------------------------------------

def elderly(code="ELD-1", commune="90102"):
    """A couple past the retirement age, with a grandchild of 10: no labour capacity in 2024."""
    household = HouseholdFactory(code=code, commune_id=commune, with_head=False)
    for name, gender, year, relation in (("Ông Già", M, 1950, Relation.HEAD), ("Bà Già", F, 1952, Relation.SPOUSE),
                                         ("Cháu Nhỏ", F, 2014, Relation.GRANDCHILD)):
        MemberFactory(household=household, full_name=name, gender=gender, birth_year=year, relation_to_head=relation)
    return household


INCOME = {"income_per_capita": 1_000_000, "deprivations": ["1", "4", "9"]}


@pytest.mark.django_db
def test_the_service_derives_the_value(users):
    old = elderly()
    young = HouseholdFactory(code="YNG-1", commune_id="90102")  # a head born 1980
    saved = assessment_save(acting_user=users["admin"], household=old, year=2024, **INCOME)
    assert (saved.no_labour_capacity, saved.labour_override_reason) == (True, "")
    saved = assessment_save(acting_user=users["admin"], household=young, year=2024, **INCOME)
    assert (saved.no_labour_capacity, saved.labour_override_reason) == (False, "")


@pytest.mark.django_db
def test_an_override_needs_a_reason_and_the_derived_value_clears_it(users):
    old = elderly()
    with pytest.raises(Exception) as error:
        assessment_save(acting_user=users["admin"], household=old, year=2024, no_labour_capacity=False, **INCOME)
    message = error.value.message_dict["labour_override_reason"][0]
    assert message.startswith(LABOUR_REASON_REQUIRED) and "không có khả năng lao động năm 2024" in message
    assert not Assessment.objects.exists()  # nothing stored
    saved = assessment_save(acting_user=users["admin"], household=old, year=2024, no_labour_capacity=False,
                            labour_override_reason="  Con trai   đi làm xa gửi tiền về ", **INCOME)
    assert (saved.no_labour_capacity, saved.labour_override_reason) == (False, "Con trai đi làm xa gửi tiền về")
    # a later save that does not touch the labour inputs keeps the override
    saved = assessment_save(acting_user=users["admin"], household=old, year=2024, income_per_capita=900_000)
    assert (saved.no_labour_capacity, saved.labour_override_reason) == (False, "Con trai đi làm xa gửi tiền về")
    # giving the derived value (or None: "derive it") clears the reason
    saved = assessment_save(acting_user=users["admin"], household=old, year=2024, no_labour_capacity=True)
    assert (saved.no_labour_capacity, saved.labour_override_reason) == (True, "")
    saved = assessment_save(acting_user=users["admin"], household=old, year=2024, no_labour_capacity=False,
                            labour_override_reason="Lý do")
    saved = assessment_save(acting_user=users["admin"], household=old, year=2024, no_labour_capacity=None)
    assert (saved.no_labour_capacity, saved.labour_override_reason) == (True, "")


@pytest.mark.django_db
def test_members_changed_later_rederive_open_years_only(users):
    old = elderly()
    locked = assessment_save(acting_user=users["admin"], household=old, year=2023, **INCOME)
    ReviewRound.objects.filter(pk=locked.review_round_id).update(status=RoundStatus.APPROVED)
    open_ = assessment_save(acting_user=users["admin"], household=old, year=2024, **INCOME)
    assert locked.no_labour_capacity and open_.no_labour_capacity
    # a son of working age moves in: the open year follows, the recognised year stays as recognised
    son = member_save(acting_user=users["district"], household=old, full_name="Con Trai", gender=M, birth_year=1990,
                      ethnic_group=old.ethnic_group, relation_to_head=Relation.CHILD)
    assert Assessment.objects.get(pk=open_.pk).no_labour_capacity is False
    assert Assessment.objects.get(pk=locked.pk).no_labour_capacity is True
    history = Assessment.objects.get(pk=open_.pk).history.first()
    assert history.history_change_reason.startswith("Tính lại theo nhân khẩu")
    # he falls seriously ill: unticked, the household again has no labour capacity
    member_save(acting_user=users["admin"], member=son, has_labour_capacity=False)
    assert Assessment.objects.get(pk=open_.pk).no_labour_capacity is True
    member_save(acting_user=users["admin"], member=son, has_labour_capacity=True)
    assert Assessment.objects.get(pk=open_.pk).no_labour_capacity is False
    member_delete(acting_user=users["admin"], member=Member.objects.get(pk=son.pk))
    assert Assessment.objects.get(pk=open_.pk).no_labour_capacity is True
    # an override is the officer's: members changing later leave it as set
    assessment_save(acting_user=users["admin"], household=old, year=2024, no_labour_capacity=False,
                    labour_override_reason="Có lao động thời vụ")
    MemberFactory(household=old, full_name="Cháu Lớn", gender=F, birth_year=2000)
    member_save(acting_user=users["admin"], member=Member.objects.get(full_name="Cháu Lớn"), birth_year=1940)
    stored = Assessment.objects.get(pk=open_.pk)
    assert (stored.no_labour_capacity, stored.labour_override_reason) == (False, "Có lao động thời vụ")


# --- the worksheet -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_worksheet_shows_the_derived_value_and_takes_an_override_with_a_reason(client, users):
    old = elderly(commune="90101")
    MemberFactory(household=old, full_name="Y Không Rõ", gender="", birth_year=None)
    client.force_login(users["commune"])
    page = client.get("/review/90101/2024/")
    html = page.content.decode()
    cell = html[html.index("data-labour-cell"):]
    cell = cell[:cell.index("</td>")]
    assert 'data-derived="1"' in cell and " checked " in cell and "tính: không có KNLĐ" in cell
    assert "Thiếu năm sinh/giới tính: Y Không Rõ" in cell
    prefix = f"h{old.pk}"
    # a new row starts at the derived value: saved as derived, no reason needed
    response = client.post("/review/90101/2024/", {
        f"{prefix}-version": "", f"{prefix}-income": "1.000.000", f"{prefix}-no_labour": "on",
        f"{prefix}-labour_reason": ""})
    assert response.status_code == 302
    saved = Assessment.objects.get(household=old, year=2024)
    assert (saved.no_labour_capacity, saved.labour_override_reason) == (True, "")
    # unticked against the derived value without a reason: refused next to the field, nothing stored
    response = client.post("/review/90101/2024/", {
        f"{prefix}-version": str(saved.version), f"{prefix}-income": "1.000.000", f"{prefix}-labour_reason": ""})
    assert response.status_code == 200
    assert LABOUR_REASON_REQUIRED in response.content.decode()
    assert Assessment.objects.get(pk=saved.pk).version == saved.version
    # with a reason it is stored as an override, and the page shows it as set
    response = client.post("/review/90101/2024/", {
        f"{prefix}-version": str(saved.version), f"{prefix}-income": "1.000.000",
        f"{prefix}-labour_reason": "Con đi làm ăn xa"})
    assert response.status_code == 302
    saved = Assessment.objects.get(pk=saved.pk)
    assert (saved.no_labour_capacity, saved.labour_override_reason) == (False, "Con đi làm ăn xa")
    html = client.get("/review/90101/2024/").content.decode()
    assert 'value="Con đi làm ăn xa"' in html
    # ticked back to the derived value: the reason goes
    response = client.post("/review/90101/2024/", {
        f"{prefix}-version": str(saved.version), f"{prefix}-income": "1.000.000", f"{prefix}-no_labour": "on",
        f"{prefix}-labour_reason": "Con đi làm ăn xa"})
    assert response.status_code == 302
    saved = Assessment.objects.get(pk=saved.pk)
    assert (saved.no_labour_capacity, saved.labour_override_reason) == (True, "")


# --- the API -----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_api_no_labour_capacity_is_optional_and_an_override_needs_a_reason(users):
    elderly()
    api = APIClient()
    api.force_authenticate(users["district"])
    created = api.post("/api/v1/assessments/", {"household": "ELD-1", "year": 2024, "income_per_capita": 1_000_000},
                       format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["no_labour_capacity"], body["labour_override_reason"]) == (True, "")
    url = f"/api/v1/assessments/{body['id']}/"
    refused = api.patch(url, {"no_labour_capacity": False, "version": body["version"]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["labour_override_reason"][0].startswith(LABOUR_REASON_REQUIRED)
    done = api.patch(url, {"no_labour_capacity": False, "labour_override_reason": "Có con đi làm",
                           "version": body["version"]}, format="json")
    assert done.status_code == 200, done.json()
    assert (done.json()["no_labour_capacity"], done.json()["labour_override_reason"]) == (False, "Có con đi làm")
    kept = api.patch(url, {"income_per_capita": 900_000, "version": done.json()["version"]}, format="json")
    assert (kept.json()["no_labour_capacity"], kept.json()["labour_override_reason"]) == (False, "Có con đi làm")
    derived = api.patch(url, {"no_labour_capacity": None, "version": kept.json()["version"]}, format="json")
    assert (derived.json()["no_labour_capacity"], derived.json()["labour_override_reason"]) == (True, "")
    assert derived.json()["livelihood"] == "agriculture"


# --- the admin ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_admin_shows_the_derived_value_and_needs_a_reason_to_differ(client, users):
    old = elderly()
    saved = assessment_save(acting_user=users["admin"], household=old, year=2024, **INCOME)
    client.force_login(users["district"])
    url = f"/admin/review/assessment/{saved.pk}/change/"
    page = client.get(url).content.decode()
    assert "Không có khả năng lao động (theo nhân khẩu hiện nay, năm 2024)" in page
    form = {"loaded_version": str(saved.version), "income_per_capita": "1000000", "deprivation_codes": ["1", "4", "9"],
            "labour_override_reason": ""}  # unticked: differs from the derived value
    response = client.post(url, form)
    assert response.status_code == 200
    assert LABOUR_REASON_REQUIRED in str(response.context["adminform"].form.errors["labour_override_reason"])
    response = client.post(url, {**form, "labour_override_reason": "Có lao động thời vụ"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Assessment.objects.get(pk=saved.pk)
    assert (stored.no_labour_capacity, stored.labour_override_reason) == (False, "Có lao động thời vụ")
    response = client.post(url, {**form, "loaded_version": str(stored.version), "no_labour_capacity": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Assessment.objects.get(pk=saved.pk)
    assert (stored.no_labour_capacity, stored.labour_override_reason) == (True, "")
