"""Members through the API and the admin: no lost update, nothing cleared that was not sent, one head always."""
import pytest
from rest_framework.test import APIClient

from households.models import Member, Relation
from tests.factories import HouseholdFactory, MemberFactory

API = "/api/v1"


@pytest.fixture
def family(users):
    own = HouseholdFactory(code="OWN-1", commune_id="90101")
    other = HouseholdFactory(code="OWN-2", commune_id="90101")
    foreign = HouseholdFactory(code="FOR-1", commune_id="90201")
    child = MemberFactory(household=own, full_name="Y Con", birth_year=2010, national_id="062210001234",
                          is_social_protection=True, has_disability=True)
    return {"own": own, "other": other, "foreign": foreign, "child": child,
            "head": own.members.get(relation_to_head=Relation.HEAD)}


@pytest.fixture
def api(users):
    client = APIClient()
    client.force_authenticate(users["commune"])
    return client


def test_member_patch_without_version_is_refused_and_a_stale_one_is_a_conflict(api, family):
    child = family["child"]
    missing = api.patch(f"{API}/members/{child.pk}/", {"full_name": "Y Con Mới"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()
    ok = api.patch(f"{API}/members/{child.pk}/", {"full_name": "Y Con Mới", "version": child.version}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == child.version + 1
    stale = api.patch(f"{API}/members/{child.pk}/", {"full_name": "Y Khác", "version": child.version}, format="json")
    assert stale.status_code == 409
    child.refresh_from_db()
    assert child.full_name == "Y Con Mới"


def test_member_patch_keeps_every_field_it_does_not_send(api, family):
    child = family["child"]
    response = api.patch(f"{API}/members/{child.pk}/", {"birth_year": 2011, "version": child.version}, format="json")
    assert response.status_code == 200
    child.refresh_from_db()
    assert (child.birth_year, child.national_id, child.is_social_protection, child.has_disability,
            child.full_name) == (2011, "062210001234", True, True, "Y Con")


def test_household_patch_without_version_is_refused(api, family):
    response = api.patch(f"{API}/households/OWN-1/", {"address": "Thôn Mới"}, format="json")
    assert response.status_code == 400 and "version" in response.json()
    family["own"].refresh_from_db()
    assert family["own"].address != "Thôn Mới"


@pytest.mark.parametrize("change", [{"relation_to_head": "child"}, {"household": "OWN-2"}])
def test_the_api_does_not_let_a_household_lose_its_only_head(api, family, change):
    head = family["head"]
    response = api.patch(f"{API}/members/{head.pk}/", {**change, "version": head.version}, format="json")
    assert response.status_code == 400
    head.refresh_from_db()
    assert (head.household_id, head.relation_to_head) == (family["own"].pk, Relation.HEAD)


def test_the_api_does_not_move_a_member_outside_a_split_or_a_join(api, family):
    """A person changes household only by a recorded move (households.moves, tested in test_moves.py): a PATCH of
    the household is refused, in another commune as in one's own."""
    child = family["child"]
    foreign = api.patch(f"{API}/members/{child.pk}/", {"household": "FOR-1", "version": child.version}, format="json")
    assert foreign.status_code == 400
    own = api.patch(f"{API}/members/{child.pk}/", {"household": "OWN-2", "version": child.version}, format="json")
    assert own.status_code == 400 and "“Tách hộ” hoặc “Nhập hộ”" in own.json()["household"][0]
    child.refresh_from_db()
    assert (child.household, child.version) == (family["own"], 1)


def member_post(member, **changes):
    data = {"household": member.household_id, "full_name": member.full_name, "gender": member.gender,
            "birth_year": member.birth_year or "", "ethnic_group": member.ethnic_group_id,
            "national_id": member.national_id or "", "has_labour_capacity": "on", "loaded_version": member.version}
    for flag in ("has_disability", "is_meritorious", "is_social_protection"):
        if getattr(member, flag):
            data[flag] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_moving_a_head_to_another_household_is_an_error_on_the_form(client, users, family):
    """Regression: the member admin let a head move to another household (HTTP 500 on the one-head rule)."""
    client.force_login(users["commune"])
    head = family["head"]
    response = client.post(f"/admin/households/member/{head.pk}/change/",
                           member_post(head, household=family["other"].pk))
    assert response.status_code == 200
    assert "đúng một chủ hộ" in response.content.decode()
    head.refresh_from_db()
    assert head.household == family["own"]


def test_admin_member_edit_on_a_stale_page_is_refused(client, users, family):
    client.force_login(users["commune"])
    child = family["child"]
    Member.objects.filter(pk=child.pk).update(full_name="Đổi bởi người khác", version=child.version + 1)
    response = client.post(f"/admin/households/member/{child.pk}/change/", member_post(child, full_name="Của tôi"))
    assert response.status_code == 200 and "vừa được người khác sửa" in response.content.decode()
    child.refresh_from_db()
    assert child.full_name == "Đổi bởi người khác"


def test_admin_member_edit_changes_only_what_the_form_changed(client, users, family):
    client.force_login(users["commune"])
    child = family["child"]
    response = client.post(f"/admin/households/member/{child.pk}/change/", member_post(child, birth_year=2009))
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.birth_year, child.is_social_protection, child.national_id) == (2009, True, "062210001234")
    assert child.history.first().history_user == users["commune"]


def test_household_update_checks_the_stored_commune_inside_its_transaction(users, family):
    """The service itself refuses a household of another area (not only the view that loaded it), and a
    stale caller's copy does not overwrite what is stored."""
    from django.core.exceptions import ValidationError

    from households.services import household_update

    with pytest.raises(ValidationError):
        household_update(acting_user=users["commune"], household=family["foreign"], address="x")
    family["foreign"].refresh_from_db()
    assert family["foreign"].address != "x"
    own = family["own"]
    stale = type(own).objects.get(pk=own.pk)
    household_update(acting_user=users["commune"], household=own, address="Thôn Mới")
    stale.phone = "0912345678"  # a field the second caller did not send survives: only `address` is changed
    household_update(acting_user=users["commune"], household=stale, address="Thôn Mới 2")
    own.refresh_from_db()
    assert own.address == "Thôn Mới 2" and own.phone != "0912345678"
