"""Splits and joins (tách hộ, nhập hộ) through the household's page, the API and the service: people move with
their record (id, national ID, history), the old household says who left, when and where to, the new one where
it came from; both households must be in the officer's area; the one lock order holds."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from households.models import Household, HouseholdEvent, HouseholdStatus, Member, Relation
from households.moves import household_join, household_split
from tests.factories import HouseholdFactory, MemberFactory

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def family(users):
    """OWN-1 (commune 90101): the head, a grown son Y Tuấn (with a national ID) and his wife Y Lan; OWN-2 another
    household of the commune; FOR-1 of commune 90201."""
    own = HouseholdFactory(code="OWN-1", commune_id="90101", head_name="A Nhơn")
    son = MemberFactory(household=own, full_name="Y Tuấn", gender="male", birth_year=1998, national_id="062098000001")
    wife = MemberFactory(household=own, full_name="Y Lan", birth_year=2000, relation_to_head="other")
    return {"own": own, "son": son, "wife": wife, "head": own.members.get(relation_to_head="head"),
            "other": HouseholdFactory(code="OWN-2", commune_id="90101"),
            "foreign": HouseholdFactory(code="FOR-1", commune_id="90201")}


def move_post(family, **extra):
    """The split page's form: the son heads the new household, his wife is his spouse."""
    son, wife = family["son"], family["wife"]
    return {"date": DAY.isoformat(), "reason": "Con trai lập gia đình, ra ở riêng", "code": "OWN-1-T", "village": "",
            "address": "", f"move_{son.pk}": "on", f"relation_{son.pk}": "head", f"move_{wife.pk}": "on",
            f"relation_{wife.pk}": "spouse", **extra}


@pytest.mark.django_db
def test_a_split_on_the_household_page_founds_a_household_and_both_pages_say_so(client, users, family):
    son, wife = family["son"], family["wife"]
    client.force_login(users["commune"])
    page = client.get(f"/admin/households/household/{family['own'].pk}/change/").content.decode()
    assert 'id="split-link"' in page and 'id="join-link"' in page
    response = client.post(f"/admin/households/household/{family['own'].pk}/split/", move_post(family))
    new = Household.objects.get(code="OWN-1-T")
    assert response.status_code == 302 and response["Location"].endswith(f"/household/{new.pk}/change/")
    son.refresh_from_db()
    wife.refresh_from_db()
    # the same rows (ids, national ID) in the new household, with their new relations
    assert (son.household, son.relation_to_head, son.national_id) == (new, Relation.HEAD, "062098000001")
    assert (wife.household, wife.relation_to_head) == (new, Relation.SPOUSE)
    assert (new.head_name, new.commune_id, new.village_id, new.registered_on) == ("Y Tuấn", "90101", "90101-01", DAY)
    assert list(family["own"].members.values_list("full_name", flat=True)) == ["A Nhơn"]
    event = HouseholdEvent.objects.get()
    assert (event.kind, event.source, event.target, new.origin) == ("split", family["own"], new, event)
    assert event.history.get().history_user == users["commune"]
    assert Household.objects.formed_by_split(DAY, DAY).get() == new
    listed = client.get("/admin/households/household/?origin=split").context["cl"].result_list
    assert [household.code for household in listed] == ["OWN-1-T"]
    old_page = client.get(f"/admin/households/household/{family['own'].pk}/change/").content.decode()
    assert "Y Tuấn — tách hộ ngày 02/03/2026, sang hộ OWN-1-T" in old_page
    assert "Y Lan — tách hộ ngày 02/03/2026, sang hộ OWN-1-T" in old_page
    new_page = client.get(f"/admin/households/household/{new.pk}/change/").content.decode()
    assert "Tách từ hộ OWN-1 ngày 02/03/2026: Con trai lập gia đình, ra ở riêng" in new_page


@pytest.mark.django_db
def test_the_split_page_refuses_what_the_rule_refuses_and_writes_nothing(client, users, family):
    client.force_login(users["commune"])
    url = f"/admin/households/household/{family['own'].pk}/split/"
    no_head = client.post(url, move_post(family, **{f"relation_{family['son'].pk}": "child"}))
    assert "Hộ mới cần một chủ hộ" in no_head.content.decode()
    everyone = move_post(family, **{f"move_{family['head'].pk}": "on", f"relation_{family['head'].pk}": "parent"})
    assert "Tách hộ phải còn người ở lại hộ OWN-1" in client.post(url, everyone).content.decode()
    future = client.post(url, move_post(family, date=(datetime.date.today() + datetime.timedelta(days=2)).isoformat()))
    assert "chưa đến" in future.content.decode()
    no_reason = client.post(url, move_post(family, reason=" "))
    assert no_reason.status_code == 200 and not no_reason.context["form"].is_valid()
    assert not HouseholdEvent.objects.exists() and not Household.objects.filter(code="OWN-1-T").exists()
    assert family["own"].members.count() == 3


@pytest.mark.django_db
def test_a_join_of_everyone_merges_the_source_and_keeps_each_persons_history(client, users, family):
    """The audit trail of a person across households: the member's history rows say which household, when and
    why, with the officer who moved them."""
    son = family["son"]
    client.force_login(users["commune"])
    people = family["own"].members.order_by("pk")
    data = {"date": DAY.isoformat(), "reason": "Hai hộ về ở chung", "target": "OWN-2"}
    for member in people:
        data.update({f"move_{member.pk}": "on", f"relation_{member.pk}": "other"})
    response = client.post(f"/admin/households/household/{family['own'].pk}/join/", data)
    assert response.status_code == 302
    own = Household.objects.get(pk=family["own"].pk)
    assert (own.status, own.left_on, own.members.count()) == (HouseholdStatus.MERGED, DAY, 0)
    assert family["other"].members.count() == 4
    assert family["other"].members.filter(relation_to_head="head").count() == 1
    trail = list(son.history.order_by("history_date").values_list("household_id", "history_change_reason",
                                                                  "history_user__username"))
    assert trail[0][0] == own.pk and trail[-1] == (
        family["other"].pk, "Nhập hộ 02/03/2026: hộ OWN-1 → hộ OWN-2", "commune")
    page = client.get(f"/admin/households/household/{own.pk}/change/").content.decode()
    assert "Y Tuấn — nhập hộ ngày 02/03/2026, sang hộ OWN-2" in page
    assert "Đã nhập vào hộ khác" in page
    target_page = client.get(f"/admin/households/household/{family['other'].pk}/change/").content.decode()
    assert "Y Tuấn — ngày 02/03/2026, từ hộ OWN-1" in target_page


@pytest.mark.django_db
def test_moves_are_refused_outside_the_officers_area_and_for_roles_that_only_read(client, users, family):
    with pytest.raises(ValidationError) as error:
        household_join(acting_user=users["commune"], source=family["own"], target=family["foreign"], date=DAY,
                       reason="x", relations={family["wife"].pk: "other"})
    assert error.value.message_dict == {"source": ["Không có hộ này trong địa bàn của bạn."]}
    with pytest.raises(PermissionDenied):
        household_split(acting_user=users["leader"], source=family["own"], relations={family["son"].pk: "head"},
                        date=DAY, reason="x", code="OWN-1-T")
    client.force_login(users["commune"])
    refused = client.post(f"/admin/households/household/{family['own'].pk}/join/",
                          {"date": DAY.isoformat(), "reason": "x", "target": "FOR-1",
                           f"move_{family['wife'].pk}": "on", f"relation_{family['wife'].pk}": "other"})
    assert "Không có hộ mã FOR-1 trong địa bàn của bạn." in refused.content.decode()
    client.force_login(users["other_commune"])
    assert client.get(f"/admin/households/household/{family['own'].pk}/split/").status_code == 404
    client.force_login(users["leader"])
    assert client.get(f"/admin/households/household/{family['own'].pk}/split/").status_code == 403
    assert not HouseholdEvent.objects.exists()
    assert Member.objects.get(pk=family["wife"].pk).household == family["own"]


@pytest.mark.django_db
def test_a_district_officers_move_across_communes_is_named_to_each_commune_only_on_its_side(client, users, family):
    other = HouseholdFactory(code="OTH-1", commune_id="90102")
    household_join(acting_user=users["district"], source=family["own"], target=other, date=DAY, reason="Chuyển xã",
                   relations={family["wife"].pk: "other"})
    client.force_login(users["commune"])  # sees 90101 only
    page = client.get(f"/admin/households/household/{family['own'].pk}/change/").content.decode()
    assert "Y Lan — nhập hộ ngày 02/03/2026, sang hộ của đơn vị khác" in page and "OTH-1" not in page
    event = HouseholdEvent.objects.get()
    detail = client.get(f"/admin/households/householdevent/{event.pk}/change/").content.decode()
    assert "hộ của đơn vị khác" in detail and "OTH-1" not in detail
    api = APIClient()
    api.force_authenticate(users["commune"])
    assert api.get(f"/api/v1/household-events/{event.pk}/").json()["target"] is None
    # a hidden side is not searched by its code either (that would tell the code is there)
    assert api.get("/api/v1/household-events/?household=OTH-1").json()["results"] == []
    assert [e["id"] for e in api.get("/api/v1/household-events/?household=OWN-1").json()["results"]] == [event.pk]
    assert client.get("/admin/households/householdevent/?q=OTH-1").context["cl"].result_count == 0
    assert client.get("/admin/households/householdevent/?q=OWN-1").context["cl"].result_count == 1


@pytest.mark.django_db
def test_a_split_and_a_join_through_the_api(users, family):
    api = APIClient()
    api.force_authenticate(users["commune"])
    son, wife = family["son"], family["wife"]
    split = api.post("/api/v1/household-events/", {
        "kind": "split", "source": "OWN-1", "code": "OWN-1-T", "date": "2026-03-02", "reason": "Ra ở riêng",
        "members": [{"id": son.pk, "relation_to_head": "head"}, {"id": wife.pk, "relation_to_head": "spouse"}],
    }, format="json")
    assert split.status_code == 201, split.json()
    body = split.json()
    assert (body["kind"], body["source"], body["target"]) == ("split", "OWN-1", "OWN-1-T")
    assert [(m["id"], m["relation_before"], m["relation_after"]) for m in body["moved"]] == [
        (son.pk, "child", "head"), (wife.pk, "other", "spouse")]
    # join the whole new household into OWN-2: everyone, as other relatives
    join = api.post("/api/v1/household-events/", {"kind": "join", "source": "OWN-1-T", "target": "OWN-2",
                                                  "date": "2026-04-01", "reason": "Về ở với bố mẹ vợ"}, format="json")
    assert join.status_code == 201, join.json()
    assert Household.objects.get(code="OWN-1-T").status == HouseholdStatus.MERGED
    assert set(Member.objects.filter(household__code="OWN-2").values_list("full_name", "relation_to_head")) >= {
        ("Y Tuấn", "other"), ("Y Lan", "other")}
    listed = api.get("/api/v1/household-events/?household=OWN-1-T").json()["results"]
    assert [event["kind"] for event in listed] == ["join", "split"]
    # refused: a join before the member's last move, a foreign household, a missing head
    early = api.post("/api/v1/household-events/", {"kind": "join", "source": "OWN-2", "target": "OWN-1",
                                                   "date": "2026-03-15", "reason": "x",
                                                   "members": [{"id": son.pk, "relation_to_head": "child"}]},
                     format="json")
    assert early.status_code == 400 and "đã chuyển hộ ngày 01/04/2026" in early.json()["date"][0]
    foreign = api.post("/api/v1/household-events/", {"kind": "join", "source": "OWN-2", "target": "FOR-1",
                                                     "date": "2026-04-02", "reason": "x"}, format="json")
    assert foreign.status_code == 400 and "target" in foreign.json()
    leader = APIClient()
    leader.force_authenticate(users["leader"])
    assert leader.post("/api/v1/household-events/", {"kind": "join", "source": "OWN-2", "target": "OWN-1",
                                                     "date": "2026-04-02", "reason": "x"}, format="json"
                       ).status_code == 403
    assert HouseholdEvent.objects.count() == 2
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    post = schema["paths"]["/api/v1/household-events/"]["post"]
    assert "HouseholdEvent" in str(post["requestBody"])


@pytest.mark.django_db
def test_the_member_page_does_not_move_a_person_without_an_event(client, users, family):
    client.force_login(users["commune"])
    wife = family["wife"]
    data = {"household": family["other"].pk, "full_name": wife.full_name, "gender": "female", "birth_year": 2000,
            "ethnic_group": wife.ethnic_group_id, "national_id": "", "has_labour_capacity": "on",
            "loaded_version": wife.version}
    response = client.post(f"/admin/households/member/{wife.pk}/change/", data)
    assert "“Tách hộ” hoặc “Nhập hộ”" in " ".join(response.context["adminform"].form.errors["household"])
    assert Member.objects.get(pk=wife.pk).household == family["own"]
