"""Records that span communes: an officer sees and changes only their own part; the rest is kept as stored.

A community project, a cooperative group and a training course of commune 90101 each hold a household
(or member) of 90101 and one of 90201. The officer of 90101 must never see the 90201 part (admin change
page, inline, history, API list and detail) and must never remove it by saving their own part.
"""
import datetime

import pytest
from rest_framework.test import APIClient

from programs.models import CommunityProject, CooperativeGroup, GroupMembership, Trainee, TrainingCourse
from tests.factories import HouseholdFactory, MemberFactory

API = "/api/v1"
FOREIGN_MARKERS = ("FOR-1", "Zzyzx Xã Khác", "Qwerty Học Viên Khác")


@pytest.fixture
def spanning(users):
    own = HouseholdFactory(code="OWN-1", commune_id="90101", head_name="A Nhà Mình")
    own2 = HouseholdFactory(code="OWN-2", commune_id="90101")
    foreign = HouseholdFactory(code="FOR-1", commune_id="90201", head_name="Zzyzx Xã Khác")
    own_member = MemberFactory(household=own, full_name="Y Học Viên Mình")
    own_member2 = MemberFactory(household=own2, full_name="Y Học Viên Hai")
    foreign_member = MemberFactory(household=foreign, full_name="Qwerty Học Viên Khác")
    project = CommunityProject.objects.create(name="Trồng cao su", program_id="DA2", commune_id="90101", year=2024)
    project.households.add(own, foreign)
    group = CooperativeGroup.objects.create(name="Tổ chăn nuôi", commune_id="90101",
                                            founded_on=datetime.date(2023, 3, 1), activity="Chăn nuôi")
    own_membership = GroupMembership.objects.create(group=group, household=own, joined_on=datetime.date(2023, 3, 1))
    foreign_membership = GroupMembership.objects.create(group=group, household=foreign,
                                                        joined_on=datetime.date(2023, 3, 1))
    course = TrainingCourse.objects.create(name="Lớp may", program_id="DA4-TDA1", trade="May", year=2024,
                                           commune_id="90101")
    own_trainee = Trainee.objects.create(course=course, member=own_member, status="graduated")
    foreign_trainee = Trainee.objects.create(course=course, member=foreign_member, status="enrolled")
    return {"own": own, "own2": own2, "foreign": foreign, "own_member": own_member, "own_member2": own_member2,
            "foreign_member": foreign_member, "project": project, "group": group, "own_membership": own_membership,
            "foreign_membership": foreign_membership, "course": course, "own_trainee": own_trainee,
            "foreign_trainee": foreign_trainee}


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_no_foreign(text, spanning):
    for marker in FOREIGN_MARKERS:
        assert marker not in text, marker
    assert f'"member":{spanning["foreign_member"].pk}' not in text.replace(" ", "")


# --- admin -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_project_unchanged_save_keeps_the_other_communes_households(spanning, client, users):
    project, own, own2, foreign = spanning["project"], spanning["own"], spanning["own2"], spanning["foreign"]
    client.force_login(users["commune"])
    url = f"/admin/programs/communityproject/{project.pk}/change/"
    page = client.get(url)
    html = page.content.decode()
    assert "OWN-1" in html
    assert_no_foreign(html, spanning)
    assert [h.pk for h in page.context["adminform"].form.initial["households"]] == [own.pk]
    data = {"name": project.name, "program": "DA2", "commune": "90101", "year": "2024", "budget": "0",
            "households": [own.pk], "loaded_version": str(project.version)}
    assert client.post(url, data).status_code == 302
    assert set(project.households.all()) == {own, foreign}
    project.refresh_from_db()
    assert client.post(url, {**data, "households": [own.pk, own2.pk], "loaded_version": str(project.version)},
                       ).status_code == 302
    assert set(project.households.all()) == {own, own2, foreign}
    latest = project.history.first()
    assert latest.history_user == users["commune"]
    assert {row.household_id for row in latest.households.all()} == {own.pk, own2.pk, foreign.pk}


@pytest.mark.django_db
def test_admin_read_only_project_page_lists_only_visible_households(spanning, client, users):
    client.force_login(users["leader"])  # district 901, view only
    html = client.get(f"/admin/programs/communityproject/{spanning['project'].pk}/change/").content.decode()
    assert "OWN-1" in html
    assert_no_foreign(html, spanning)


@pytest.mark.django_db
def test_admin_project_history_page_hides_the_other_communes_households(spanning, client, users):
    project = spanning["project"]
    project.households.remove(spanning["foreign"])
    project.households.add(spanning["own2"])
    client.force_login(users["commune"])
    html = client.get(f"/admin/programs/communityproject/{project.pk}/history/").content.decode()
    assert "OWN-2" in html
    assert_no_foreign(html, spanning)
    client.force_login(users["admin"])
    assert "FOR-1" in client.get(f"/admin/programs/communityproject/{project.pk}/history/").content.decode()


@pytest.mark.django_db
def test_admin_inlines_show_and_save_only_the_own_part(spanning, client, users):
    group, course = spanning["group"], spanning["course"]
    client.force_login(users["commune"])

    group_url = f"/admin/programs/cooperativegroup/{group.pk}/change/"
    page = client.get(group_url)
    (memberships,) = [f.formset for f in page.context["inline_admin_formsets"]]
    assert [form.instance.household for form in memberships.forms] == [spanning["own"]]
    assert_no_foreign(page.content.decode(), spanning)
    own_membership = spanning["own_membership"]
    response = client.post(group_url, {
        "name": group.name, "commune": "90101", "founded_on": "2023-03-01", "activity": group.activity,
        "loaded_version": str(group.version),
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(own_membership.pk), "memberships-0-group": str(group.pk),
        "memberships-0-household": str(spanning["own"].pk), "memberships-0-joined_on": "2023-03-01",
        "memberships-0-left_on": "2025-06-30"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    own_membership.refresh_from_db()
    assert own_membership.left_on == datetime.date(2025, 6, 30)
    assert GroupMembership.objects.get(pk=spanning["foreign_membership"].pk).left_on is None

    course_url = f"/admin/programs/trainingcourse/{course.pk}/change/"
    page = client.get(course_url)
    (trainees,) = [f.formset for f in page.context["inline_admin_formsets"]]
    assert [form.instance.member for form in trainees.forms] == [spanning["own_member"]]
    assert_no_foreign(page.content.decode(), spanning)
    response = client.post(course_url, {
        "name": course.name, "program": "DA4-TDA1", "trade": course.trade, "year": "2024", "commune": "90101",
        "loaded_version": str(course.version),
        "trainees-TOTAL_FORMS": "1", "trainees-INITIAL_FORMS": "1",
        "trainees-MIN_NUM_FORMS": "0", "trainees-MAX_NUM_FORMS": "1000",
        "trainees-0-id": str(spanning["own_trainee"].pk), "trainees-0-course": str(course.pk),
        "trainees-0-member": str(spanning["own_member"].pk), "trainees-0-status": "dropped"})
    assert response.status_code == 302
    assert {(t.member_id, t.status) for t in course.trainees.all()} == {
        (spanning["own_member"].pk, "dropped"), (spanning["foreign_member"].pk, "enrolled")}


# --- API -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["community-projects", "cooperative-groups", "training-courses"])
def test_api_reads_show_only_the_own_part(spanning, users, resource):
    officer = api_as(users["commune"])
    listed = officer.get(f"{API}/{resource}/")
    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert_no_foreign(listed.content.decode(), spanning)
    record = listed.json()["results"][0]
    detail = officer.get(f"{API}/{resource}/{record['id']}/")
    assert_no_foreign(detail.content.decode(), spanning)
    own_part = {"community-projects": ("households", ["OWN-1"]), "cooperative-groups": ("members", ["OWN-1"]),
                "training-courses": ("trainees", [{"member": spanning["own_member"].pk, "status": "graduated"}])}
    field, expected = own_part[resource]
    assert detail.json()[field] == expected
    everything = api_as(users["admin"]).get(f"{API}/{resource}/{record['id']}/").content.decode()
    assert "FOR-1" in everything or f'"member":{spanning["foreign_member"].pk}' in everything.replace(" ", "")


@pytest.mark.django_db
def test_api_course_patch_keeps_the_other_communes_trainee(spanning, users):
    course, foreign_trainee = spanning["course"], spanning["foreign_trainee"]
    officer = api_as(users["commune"])
    response = officer.patch(f"{API}/training-courses/{course.pk}/", {
        "trainees": [{"member": spanning["own_member2"].pk, "status": "enrolled"}]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["trainees"] == [{"member": spanning["own_member2"].pk, "status": "enrolled"}]
    assert_no_foreign(response.content.decode(), spanning)
    stored = {t.member_id: t for t in course.trainees.all()}
    assert set(stored) == {spanning["own_member2"].pk, spanning["foreign_member"].pk}
    assert (stored[spanning["foreign_member"].pk].pk, stored[spanning["foreign_member"].pk].status) == (
        foreign_trainee.pk, "enrolled")
    added = Trainee.history.filter(member_id=spanning["own_member2"].pk).get()
    removed = Trainee.history.filter(member_id=spanning["own_member"].pk, history_type="-").get()
    assert added.history_user == removed.history_user == users["commune"]


@pytest.mark.django_db
def test_api_project_and_group_updates_keep_the_other_communes_part(spanning, users):
    project, group = spanning["project"], spanning["group"]
    officer = api_as(users["commune"])
    response = officer.patch(f"{API}/community-projects/{project.pk}/", {"households": ["OWN-2"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["households"] == ["OWN-2"]
    assert set(project.households.values_list("code", flat=True)) == {"OWN-2", "FOR-1"}
    assert project.history.first().history_user == users["commune"]

    response = officer.put(f"{API}/community-projects/{project.pk}/", {
        "name": "Trồng cao su", "program": "DA2", "commune": "90101", "year": 2024, "budget": 5_000_000,
        "households": ["OWN-2"]}, format="json")
    assert response.status_code == 200, response.json()
    assert set(project.households.values_list("code", flat=True)) == {"OWN-2", "FOR-1"}

    response = officer.patch(f"{API}/cooperative-groups/{group.pk}/", {"members": ["OWN-1", "OWN-2"]}, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["members"]) == ["OWN-1", "OWN-2"]
    active = GroupMembership.objects.filter(group=group, left_on__isnull=True)
    assert set(active.values_list("household__code", flat=True)) == {"OWN-1", "OWN-2", "FOR-1"}
    assert GroupMembership.objects.get(pk=spanning["foreign_membership"].pk).left_on is None
    assert GroupMembership.history.filter(household=spanning["own2"]).get().history_user == users["commune"]


# --- counts inside such records: the reader's part only (API, admin lists, report page, JSON and Excel) -----


def _sheet_rows(content):
    import io

    from openpyxl import load_workbook

    return [tuple(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_api_course_counts_only_the_readers_trainees(spanning, users):
    course = spanning["course"]
    own = api_as(users["commune"]).get(f"{API}/training-courses/{course.pk}/").json()
    assert (own["enrolled"], own["graduated"]) == (1, 1)  # not 2 enrolled: the other one is 90201's
    other = api_as(users["other_commune"]).get(f"{API}/training-courses/").json()
    assert other["count"] == 0  # the course is 90101's: its officer of 90201 never reads it
    whole = api_as(users["admin"]).get(f"{API}/training-courses/{course.pk}/").json()
    assert (whole["enrolled"], whole["graduated"]) == (2, 1)


@pytest.mark.django_db
def test_a_record_whose_part_is_all_foreign_counts_nothing_for_its_commune(spanning, users):
    """The issue's case: the course of one commune whose every trainee is another commune's."""
    course = TrainingCourse.objects.create(name="Lớp dệt", program_id="DA4-TDA1", trade="Dệt", year=2024,
                                           commune_id="90101")
    Trainee.objects.create(course=course, member=spanning["foreign_member"], status="graduated")
    read = api_as(users["commune"]).get(f"{API}/training-courses/{course.pk}/").json()
    assert (read["trainees"], read["enrolled"], read["graduated"]) == ([], 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "column", "own", "whole"), [
    ("/admin/programs/trainingcourse/", "field-enrolled", "1", "2"),
    ("/admin/programs/communityproject/", "field-household_count", "1", "2"),
    ("/admin/programs/cooperativegroup/", "field-member_count", "1", "2"),
])
def test_admin_lists_count_only_the_readers_part(spanning, users, client, url, column, own, whole):
    import re

    for user, expected in ((users["commune"], own), (users["admin"], whole)):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert re.findall(rf'<td class="{column}">(\d+)</td>', page) == [expected], user


@pytest.mark.django_db
def test_reports_count_only_the_readers_part_on_page_json_and_excel(spanning, users, client):
    client.force_login(users["commune"])
    training = client.get("/reports/training/?area=90101&year=2024&format=json").json()
    assert [(r["courses"], r["enrolled"], r["graduated"], r["dropped"]) for r in training["rows"]] == [(1, 1, 1, 0)]
    cooperatives = client.get("/reports/cooperatives/?area=90101&year=2024&format=json").json()
    assert [(r["groups"], r["members"], r["projects"], r["project_households"]) for r in cooperatives["rows"]] == [
        (1, 1, 1, 1)]
    assert ("2024", 1, 1, 1, 0) in _sheet_rows(client.get("/reports/training/?area=90101&year=2024&format=xlsx").content)
    excel = _sheet_rows(client.get("/reports/cooperatives/?area=90101&year=2024&format=xlsx").content)
    assert any(row[1:5] == (1, 1, 1, 1) for row in excel), excel
    page = client.get("/reports/training/?area=90101&year=2024")
    assert page.status_code == 200 and "Lớp may" not in page.content.decode()  # the page's table is the rows above
    client.force_login(users["admin"])  # who sees both communes counts both parts
    whole = client.get("/reports/training/?area=90101&year=2024&format=json").json()["rows"]
    assert [(r["enrolled"], r["graduated"]) for r in whole] == [(2, 1)]
    whole = client.get("/reports/cooperatives/?area=90101&year=2024&format=json").json()["rows"]
    assert [(r["members"], r["project_households"]) for r in whole] == [(2, 2)]
