"""Money and counts have maximums (a clear field error on admin and API, never a 500 later in a report);
a member out of the user's scope answers exactly like a member that does not exist."""
import pytest
from rest_framework.test import APIClient

from programs.models import Benefit, BudgetAllocation, CommunityProject
from tests.factories import HouseholdFactory, MemberFactory

API = "/api/v1"
INT64_MAX = 2**63 - 1


@pytest.fixture
def officer(users):
    client = APIClient()
    client.force_authenticate(users["commune"])
    return client


def benefit_body(**overrides):
    return {"program": "CS-AN-TRUA-MG", "year": 2024, "date": "2024-09-01", "household": "OWN-1", "quantity": 1,
            "amount": 160_000, **overrides}


@pytest.mark.django_db
@pytest.mark.parametrize("resource, body, field", [
    ("benefits", benefit_body(amount=INT64_MAX), "amount"),
    ("benefits", benefit_body(amount=100_000_000_001), "amount"),
    ("benefits", benefit_body(quantity=1_000_001), "quantity"),
    ("benefits", benefit_body(quantity=INT64_MAX), "quantity"),
    ("budget-allocations", {"program": "CS-BHYT", "year": 2024, "area": "90101", "amount": 10**13 + 1}, "amount"),
    ("budget-allocations", {"program": "CS-BHYT", "year": 2024, "area": "90101", "amount": INT64_MAX}, "amount"),
    ("community-projects", {"name": "Dự án", "program": "DA2", "commune": "90101", "year": 2024,
                            "budget": 10**13 + 1}, "budget"),
])
def test_api_refuses_amounts_and_counts_above_the_maximum(officer, users, resource, body, field):
    HouseholdFactory(code="OWN-1", commune_id="90101")
    if resource == "budget-allocations":
        officer.force_authenticate(users["district"])
    response = officer.post(f"{API}/{resource}/", body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not Benefit.objects.exists() and not BudgetAllocation.objects.exists()
    assert not CommunityProject.objects.exists()


@pytest.mark.django_db
def test_the_largest_accepted_amounts_still_add_up_in_the_spending_report(officer, users, client):
    HouseholdFactory(code="OWN-1", commune_id="90101")
    for _ in range(3):
        response = officer.post(f"{API}/benefits/", benefit_body(amount=100_000_000_000, quantity=1_000_000),
                                format="json")
        assert response.status_code == 201, response.json()
    district = APIClient()
    district.force_authenticate(users["district"])
    allocation = district.post(f"{API}/budget-allocations/", {
        "program": "CS-AN-TRUA-MG", "year": 2024, "area": "901", "amount": 10**13}, format="json")
    assert allocation.status_code == 201, allocation.json()
    report = district.get(f"{API}/reports/spending/", {"year": 2024, "area": "901"})
    assert report.status_code == 200
    assert report.json()["total"]["amount"] == 300_000_000_000


@pytest.mark.django_db
def test_admin_refuses_amounts_above_the_maximum(client, users, areas):
    household = HouseholdFactory()
    client.force_login(users["commune"])
    response = client.post("/admin/programs/benefit/add/", {
        "program": "CS-AN-TRUA-MG", "year": "2024", "date": "2024-09-15", "household": household.pk,
        "member": "", "quantity": "1", "amount": str(INT64_MAX), "note": ""})
    assert response.status_code == 200
    assert "amount" in response.context["adminform"].form.errors
    response = client.post("/admin/programs/benefit/bulk/", {
        "program": "CS-AN-TRUA-MG", "year": "2024", "date": "2024-09-15", "quantity": "1",
        "amount": str(INT64_MAX), "commune": "90101", "village": "", "member_age_min": "", "member_age_max": "",
        "note": "", "_confirm": "1"})
    assert response.status_code == 200 and "amount" in response.context["form"].errors
    client.force_login(users["district"])
    response = client.post("/admin/programs/budgetallocation/add/", {
        "program": "CS-BHYT", "year": "2024", "area": "901", "amount": str(10**13 + 1)})
    assert response.status_code == 200
    assert "amount" in response.context["adminform"].form.errors
    assert not Benefit.objects.exists() and not BudgetAllocation.objects.exists()


@pytest.mark.django_db
def test_benefit_member_out_of_scope_answers_like_a_missing_one(officer, users):
    HouseholdFactory(code="OWN-1", commune_id="90101")
    foreign_member = MemberFactory(household=HouseholdFactory(code="FOR-1", commune_id="90201"))
    missing_id = foreign_member.pk + 1000
    out_of_scope = officer.post(f"{API}/benefits/", benefit_body(member=foreign_member.pk), format="json")
    missing = officer.post(f"{API}/benefits/", benefit_body(member=missing_id), format="json")
    assert out_of_scope.status_code == missing.status_code == 400
    assert list(out_of_scope.json()) == list(missing.json()) == ["member"]
    assert (out_of_scope.json()["member"][0].replace(str(foreign_member.pk), "<id>")
            == missing.json()["member"][0].replace(str(missing_id), "<id>"))
    assert not Benefit.objects.exists()


@pytest.mark.django_db
def test_trainee_member_out_of_scope_answers_like_a_missing_one(officer, users):
    foreign_member = MemberFactory(household=HouseholdFactory(code="FOR-1", commune_id="90201"))
    missing_id = foreign_member.pk + 1000
    body = {"name": "Lớp", "program": "DA4-TDA1", "trade": "May", "year": 2024, "commune": "90101"}
    out_of_scope = officer.post(f"{API}/training-courses/", {**body, "trainees": [{"member": foreign_member.pk}]},
                                format="json")
    missing = officer.post(f"{API}/training-courses/", {**body, "trainees": [{"member": missing_id}]},
                           format="json")
    assert out_of_scope.status_code == missing.status_code == 400
    assert (str(out_of_scope.json()).replace(str(foreign_member.pk), "<id>")
            == str(missing.json()).replace(str(missing_id), "<id>"))
