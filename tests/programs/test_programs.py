"""Programs and support: model rules, the bulk grant (preview, commit, rollback), demo figures."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from programs.models import (
    Benefit,
    BudgetAllocation,
    CommunityProject,
    CooperativeGroup,
    GroupMembership,
    Program,
    Sponsorship,
    TrainingCourse,
)
from programs.selectors import benefit_candidates
from programs.services import benefit_bulk_grant
from review.services import assessment_save
from tests.factories import HouseholdFactory, MemberFactory


def benefit(**overrides):
    values = {"program_id": "CS-AN-TRUA-MG", "year": 2024, "date": datetime.date(2024, 9, 15), "quantity": 1,
              "amount": 160_000}
    values.update(overrides)
    return Benefit(**values)


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, message", [
    ({"amount": -1}, "amount", "không được âm"),
    ({"quantity": 0}, "quantity", "từ 1 trở lên"),
    ({"program_id": "DA2", "year": 2027, "date": datetime.date(2027, 1, 1)}, "year", "nằm ngoài thời gian"),
])
def test_benefit_rules_name_the_field(areas, overrides, field, message):
    household = HouseholdFactory()
    with pytest.raises(ValidationError) as error:
        benefit(household=household, **overrides).full_clean()
    assert message in " ".join(error.value.message_dict[field])


@pytest.mark.django_db
def test_member_must_belong_to_the_household_and_money_is_whole(areas, client, users):
    household, other = HouseholdFactory(), HouseholdFactory()
    stranger = MemberFactory(household=other)
    with pytest.raises(ValidationError) as error:
        benefit(household=household, member=stranger).full_clean()
    assert "không thuộc hộ" in error.value.message_dict["member"][0]
    client.force_login(users["commune"])
    response = client.post("/admin/programs/benefit/add/", {
        "program": "CS-AN-TRUA-MG", "year": "2024", "date": "2024-09-15", "household": household.pk,
        "member": "", "quantity": "1", "amount": "1500.5", "note": ""})
    assert "amount" in response.context["adminform"].form.errors  # fractional VND refused
    assert not Benefit.objects.exists()


@pytest.mark.django_db
def test_membership_and_sponsorship_dates(areas):
    group = CooperativeGroup.objects.create(name="Tổ 1", commune_id="90101", founded_on=datetime.date(2023, 1, 1),
                                            activity="Chăn nuôi")
    membership = GroupMembership(group=group, household=HouseholdFactory(), joined_on=datetime.date(2024, 5, 1),
                                 left_on=datetime.date(2024, 4, 1))
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "trước ngày tham gia" in error.value.message_dict["left_on"][0]
    household = HouseholdFactory()
    with pytest.raises(ValidationError):
        Sponsorship(household=household, sponsor_household=household, sponsor_name="x", sponsor_kind="household",
                    since=datetime.date(2024, 1, 1)).full_clean()


@pytest.fixture
def lunch_setup(users):
    """Commune 90102: a poor household with children aged 4 and 9, a non-poor one with a child of 3."""
    poor = HouseholdFactory(code="POOR", commune_id="90102")
    MemberFactory(household=poor, full_name="Y Bốn Tuổi", birth_year=2020)
    MemberFactory(household=poor, full_name="A Chín Tuổi", birth_year=2015)
    rich = HouseholdFactory(code="RICH", commune_id="90102")
    MemberFactory(household=rich, full_name="Y Ba Tuổi", birth_year=2021)
    admin = users["admin"]
    assessment_save(acting_user=admin, household=poor, year=2024, income_per_capita=1_000_000,
                    deprivations=["1", "4", "9"])
    assessment_save(acting_user=admin, household=rich, year=2024, income_per_capita=9_000_000)
    return poor, rich


@pytest.mark.django_db
def test_candidates_by_class_and_age(lunch_setup, users):
    picked = benefit_candidates(user=users["district"], year=2024, commune_code="90102", classifications=["poor"],
                                member_age_min=3, member_age_max=5)
    assert [(h.code, m.full_name) for h, m in picked] == [("POOR", "Y Bốn Tuổi")]
    everyone = benefit_candidates(user=users["district"], year=2024, commune_code="90102", member_age_min=3,
                                  member_age_max=5)
    assert sorted(m.full_name for _, m in everyone) == ["Y Ba Tuổi", "Y Bốn Tuổi"]
    assert benefit_candidates(user=users["commune"], year=2024, commune_code="90102") == []  # out of scope


@pytest.mark.django_db
def test_bulk_page_previews_then_commits_in_one_go(lunch_setup, client, users):
    client.force_login(users["district"])
    form = {"program": "CS-AN-TRUA-MG", "year": "2024", "date": "2024-09-15", "quantity": "1", "amount": "1440000",
            "commune": "90102", "village": "", "classifications": ["poor"], "member_age_min": "3",
            "member_age_max": "5", "note": "Năm học 2024-2025"}
    preview = client.post("/admin/programs/benefit/bulk/", {**form, "_preview": "1"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "1 lượt, tổng 1.440.000 đồng" in html and "Y Bốn Tuổi" in html and "Y Ba Tuổi" not in html
    assert not Benefit.objects.exists()
    assert html.count("Cấp hỗ trợ cho nhiều hộ</h1>") == 1  # regression: the heading was shown twice
    done = client.post("/admin/programs/benefit/bulk/", {**form, "_confirm": "1"}, follow=True)
    assert done.redirect_chain and done.redirect_chain[-1][1] == 302
    # regression: the thousands separator also replaced the comma of the sentence ("CS-BHYT. tổng")
    assert "Đã ghi 1 lượt hỗ trợ CS-AN-TRUA-MG, tổng 1.440.000 đồng." in done.content.decode()
    created = Benefit.objects.get()
    assert (created.member.full_name, created.amount, created.household.code) == ("Y Bốn Tuổi", 1_440_000, "POOR")
    assert created.history.get().history_user == users["district"]


@pytest.mark.django_db
def test_bulk_grant_rolls_back_on_one_bad_row(lunch_setup, users):
    poor, rich = lunch_setup
    foreign = HouseholdFactory(code="FOREIGN", commune_id="90201")
    with pytest.raises(ValidationError, match="không thuộc địa bàn"):
        benefit_bulk_grant(acting_user=users["district"], program=Program.objects.get(pk="CS-AN-TRUA-MG"),
                           year=2024, date=datetime.date(2024, 9, 1), quantity=1, amount=100,
                           recipients=[(poor, None), (rich, None), (foreign, None)])
    stranger = MemberFactory(household=rich)
    with pytest.raises(ValidationError, match="Hộ POOR: Người này không thuộc hộ"):
        benefit_bulk_grant(acting_user=users["district"], program=Program.objects.get(pk="CS-AN-TRUA-MG"),
                           year=2024, date=datetime.date(2024, 9, 1), quantity=1, amount=100,
                           recipients=[(rich, None), (poor, stranger)])
    with pytest.raises(PermissionDenied, match="chỉ được xem"):
        benefit_bulk_grant(acting_user=users["leader"], program=Program.objects.get(pk="CS-AN-TRUA-MG"),
                           year=2024, date=datetime.date(2024, 9, 1), quantity=1, amount=100, recipients=[(poor, None)])
    assert not Benefit.objects.exists()


@pytest.mark.django_db
def test_admin_lists_are_scoped(lunch_setup, client, users):
    poor, _ = lunch_setup
    foreign = HouseholdFactory(code="FOREIGN", commune_id="90201")
    Benefit.objects.create(program_id="CS-BHYT", year=2024, date=datetime.date(2024, 1, 2), household=poor)
    Benefit.objects.create(program_id="CS-BHYT", year=2024, date=datetime.date(2024, 1, 2), household=foreign)
    client.force_login(users["district"])
    listed = client.get("/admin/programs/benefit/").context["cl"].result_list
    assert [b.household.code for b in listed] == ["POOR"]
    response = client.post("/admin/programs/benefit/add/", {
        "program": "CS-BHYT", "year": "2024", "date": "2024-02-02", "household": foreign.pk, "member": "",
        "quantity": "1", "amount": "0", "note": ""})
    assert "household" in response.context["adminform"].form.errors
    assert Benefit.objects.count() == 2


@pytest.mark.slow  # seeds the whole demo
@pytest.mark.django_db
def test_demo_data_adds_up_to_the_district_report():
    from django.db.models import Count, Q, Sum

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    dak_to = Benefit.objects.filter(household__commune_id__in=["23401", "23428", "23430"])
    totals = {row["program"]: (row["times"], row["money"]) for row in
              dak_to.values("program").annotate(times=Sum("quantity"), money=Sum("amount"))}
    assert totals == {"CS-MIEN-HOC-PHI": (1401, 611_000_000), "CS-CHI-PHI-HOC-TAP": (1961, 2_381_000_000),
                      "CS-AN-TRUA-MG": (1390, 1_024_000_000)}
    assert CooperativeGroup.objects.count() == 42 and GroupMembership.objects.count() == 412
    rubber = CommunityProject.objects.filter(year=2024, name__contains="cao su")
    assert rubber.count() == 7 and rubber.aggregate(n=Count("households"))["n"] == 141
    training = {row["year"]: (row["n"], row["g"]) for row in TrainingCourse.objects.values("year").annotate(
        n=Count("trainees"), g=Count("trainees", filter=Q(trainees__status="graduated")))}
    assert training == {2022: (77, 74), 2023: (125, 116), 2024: (47, 0)}
    assert BudgetAllocation.objects.filter(area_id="612").exists()


@pytest.mark.django_db
def test_ceremony_list_is_printable_and_scoped(client, users, areas):
    from programs.models import Commendation

    household = HouseholdFactory(code="KHEN-1", head_name="A Thoát Nghèo")
    Commendation.objects.create(household=household, year=2024, issuer="UBND huyện", decision_number="12/QĐ-UBND",
                                date=datetime.date(2024, 12, 28))
    client.force_login(users["commune"])
    page = client.get("/programs/commendations/90101/2024/").content.decode()
    assert "A Thoát Nghèo" in page and "12/QĐ-UBND" in page
    client.force_login(users["other_commune"])
    assert client.get("/programs/commendations/90101/2024/").status_code == 404


@pytest.mark.django_db
def test_concurrent_benefit_edits_lose_nothing(client, users, areas):
    household = HouseholdFactory()
    benefit = Benefit.objects.create(program_id="CS-BHYT", year=2024, date=datetime.date(2024, 1, 2),
                                     household=household, amount=0)
    data = {"program": "CS-BHYT", "year": "2024", "date": "2024-01-02", "household": household.pk, "member": "",
            "quantity": "1", "note": "", "loaded_version": str(benefit.version)}
    client.force_login(users["admin"])
    url = f"/admin/programs/benefit/{benefit.pk}/change/"
    assert client.post(url, {**data, "amount": "100"}).status_code == 302
    client.force_login(users["commune"])  # another officer, on the version both opened
    second = client.post(url, {**data, "amount": "999"})
    assert "vừa được người khác sửa" in str(second.context["adminform"].form.non_field_errors())
    assert Benefit.objects.get().amount == 100


@pytest.mark.django_db
def test_the_catalogue_holds_the_ethnic_minority_programme_and_its_projects():
    """Kon Tum's districts report the NTP of Decision 1719/QĐ-TTg beside the poverty programme."""
    programme = Program.objects.get(code="CTMTQG-1719")
    assert "dân tộc thiểu số" in programme.name and programme.legal_basis.startswith("Quyết định 1719/QĐ-TTg")
    assert Program.objects.filter(parent=programme).count() == 10
