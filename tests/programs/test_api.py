"""The programs API writes every field it exposes, or refuses the request naming the field; never drops one."""
import datetime

import pytest
from rest_framework.test import APIClient

from programs.models import CommunityProject, CooperativeGroup, GroupMembership, Trainee, TrainingCourse
from reports.cooperatives import cooperatives_summary
from reports.training import training_summary
from tests.factories import HouseholdFactory, MemberFactory

API = "/api/v1"


@pytest.fixture
def officer(users):
    client = APIClient()
    client.force_authenticate(users["commune"])
    return client


@pytest.fixture
def households(users):
    own = [HouseholdFactory(code=f"OWN-{n}", commune_id="90101") for n in (1, 2)]
    foreign = HouseholdFactory(code="FOR-1", commune_id="90201")
    return own, foreign


@pytest.mark.django_db
def test_group_posted_with_members_stores_them_from_the_founding_date(officer, households, users):
    response = officer.post(f"{API}/cooperative-groups/", {
        "name": "Tổ nuôi bò", "commune": "90101", "founded_on": "2023-03-01", "activity": "Chăn nuôi",
        "members": ["OWN-1", "OWN-2"]}, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["members"]) == ["OWN-1", "OWN-2"]
    group = CooperativeGroup.objects.get()
    memberships = GroupMembership.objects.filter(group=group)
    assert sorted(memberships.values_list("household__code", "joined_on", "left_on")) == [
        ("OWN-1", datetime.date(2023, 3, 1), None), ("OWN-2", datetime.date(2023, 3, 1), None)]
    assert {m.history.get().history_user for m in memberships} == {users["commune"]}
    report = cooperatives_summary(user=users["district"], area_code="901", year=2023)
    assert (report["total"]["groups"], report["total"]["members"]) == (1, 2)

    later = officer.post(f"{API}/cooperative-groups/", {
        "name": "Tổ dệt", "commune": "90101", "founded_on": "2020-01-01", "activity": "Dệt",
        "members": ["OWN-1"], "joined_on": "2024-05-01"}, format="json")
    assert later.status_code == 201, later.json()
    assert GroupMembership.objects.get(group_id=later.json()["id"]).joined_on == datetime.date(2024, 5, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["FOR-1", "KHONG-CO"])
def test_group_members_are_checked_against_the_scope(officer, households, code):
    response = officer.post(f"{API}/cooperative-groups/", {
        "name": "Tổ nuôi bò", "commune": "90101", "founded_on": "2023-03-01", "activity": "Chăn nuôi",
        "members": ["OWN-1", code]}, format="json")
    assert response.status_code == 400
    assert response.json()["members"] == [f"Không có code={code} trong địa bàn của bạn."]
    assert not CooperativeGroup.objects.exists() and not GroupMembership.objects.exists()


@pytest.mark.django_db
def test_group_member_no_longer_listed_leaves_and_keeps_past_years(officer, households, users):
    own, _ = households
    group = CooperativeGroup.objects.create(name="Tổ", commune_id="90101", founded_on=datetime.date(2022, 1, 1),
                                            activity="x")
    GroupMembership.objects.create(group=group, household=own[0], joined_on=datetime.date(2022, 1, 1))
    response = officer.patch(f"{API}/cooperative-groups/{group.pk}/", {"members": ["OWN-2"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["members"] == ["OWN-2"]
    left = GroupMembership.objects.get(household=own[0])
    assert left.left_on is not None and left.left_on >= datetime.date(2022, 1, 1)
    assert cooperatives_summary(user=users["district"], area_code="901", year=2023)["total"]["members"] == 2


@pytest.mark.django_db
def test_project_households_written_with_history(officer, households, users):
    response = officer.post(f"{API}/community-projects/", {
        "name": "Trồng cao su", "program": "DA2", "commune": "90101", "year": 2022, "budget": 100_000_000,
        "households": ["OWN-1", "OWN-2"]}, format="json")
    assert response.status_code == 201, response.json()
    project = CommunityProject.objects.get()
    assert set(project.households.values_list("code", flat=True)) == {"OWN-1", "OWN-2"}
    assert project.history.first().history_user == users["commune"]
    assert cooperatives_summary(user=users["district"], area_code="901", year=2022)["total"]["project_households"] == 2
    refused = officer.post(f"{API}/community-projects/", {
        "name": "Khác", "program": "DA2", "commune": "90101", "year": 2022, "households": ["FOR-1"]}, format="json")
    assert refused.status_code == 400 and "households" in refused.json()


@pytest.mark.django_db
def test_trainees_created_through_the_api_have_history_and_count_in_the_course_year(officer, households, users):
    own, _ = households
    members = [MemberFactory(household=own[0]), MemberFactory(household=own[1])]
    response = officer.post(f"{API}/training-courses/", {
        "name": "Lớp may 2022", "program": "DA4-TDA1", "trade": "May", "year": 2022, "commune": "90101",
        "trainees": [{"member": members[0].pk, "status": "graduated"}, {"member": members[1].pk}]}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["enrolled"], response.json()["graduated"]) == (2, 1)
    course = TrainingCourse.objects.get()
    history = Trainee.history.filter(course_id=course.pk)
    assert history.count() == 2 and {row.history_user for row in history} == {users["commune"]}
    rows = training_summary(user=users["district"], area_code="901", year=2025)["rows"]
    assert [(r["year"], r["enrolled"], r["graduated"]) for r in rows] == [(2022, 2, 1)]
    duplicate = officer.patch(f"{API}/training-courses/{course.pk}/", {
        "trainees": [{"member": members[0].pk}, {"member": members[0].pk}]}, format="json")
    assert duplicate.status_code == 400 and "trainees" in duplicate.json()


@pytest.mark.django_db
@pytest.mark.parametrize("resource, body, field", [
    ("training-courses", {"name": "Lớp", "program": "DA4-TDA1", "trade": "May", "year": 2024, "commune": "90101",
                          "enrolled": 30}, "enrolled"),
    ("training-courses", {"name": "Lớp", "program": "DA4-TDA1", "trade": "May", "year": 2024, "commune": "90101",
                          "graduated": 3}, "graduated"),
    ("cooperative-groups", {"name": "Tổ", "commune": "90101", "founded_on": "2023-03-01", "activity": "x",
                            "member": ["OWN-1"]}, "member"),
    ("benefits", {"program": "CS-BHYT", "year": 2024, "date": "2024-01-05", "household": "OWN-1", "amount": 0,
                  "households": ["OWN-2"]}, "households"),
    ("benefits", {"program": "CS-BHYT", "year": 2024, "date": "2024-01-05", "household": "OWN-1", "amount": 0,
                  "id": 12345}, "id"),
])
def test_fields_that_are_not_written_are_refused_by_name(officer, households, resource, body, field):
    response = officer.post(f"{API}/{resource}/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.django_db
def test_a_read_representation_can_be_put_back_unchanged(officer, households):
    member = MemberFactory(household=households[0][0])
    created = officer.post(f"{API}/training-courses/", {
        "name": "Lớp", "program": "DA4-TDA1", "trade": "May", "year": 2024, "commune": "90101",
        "trainees": [{"member": member.pk, "status": "graduated"}]}, format="json").json()
    again = officer.put(f"{API}/training-courses/{created['id']}/", created, format="json")
    assert again.status_code == 200, again.json()
    assert again.json() == created
    changed = officer.put(f"{API}/training-courses/{created['id']}/", {**created, "graduated": 0}, format="json")
    assert changed.status_code == 400 and list(changed.json()) == ["graduated"]
