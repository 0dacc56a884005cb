"""Each person once: a national ID already in the register is refused on every write path (the household's
page, the member's page, the API, the import), with the field named; a holder outside the officer's area is
only said to be "in the register of another unit". Two writers at once cannot both store one ID."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.test import APIClient

from households.models import Household, Member
from households.services import member_save
from importing.service import households_import
from tests.concurrency import ON_POSTGRESQL, WAIT, Worker, committing
from tests.factories import HouseholdFactory, MemberFactory
from tests.households.test_admin_entry import ADD_URL, errors_of, household_post
from tests.importing.builders import workbook

OWN_ID, FOREIGN_ID = "062183000111", "062070009999"
ELSEWHERE = "Số CCCD 062070009999 đã có trong sổ của đơn vị khác: một người chỉ có trong sổ một lần."


@pytest.fixture
def holders(users):
    """Y Ngọc holds OWN_ID in OWN-1 (commune 90101); Lò Văn Ba holds FOREIGN_ID in FOR-1 (commune 90201)."""
    own = HouseholdFactory(code="OWN-1", commune_id="90101")
    foreign = HouseholdFactory(code="FOR-1", commune_id="90201", head_name="Lò Văn Ba")
    MemberFactory(household=own, full_name="Y Ngọc", national_id=OWN_ID)
    MemberFactory(household=foreign, full_name="Lò Thị Tư", national_id=FOREIGN_ID)
    return {"own": own, "foreign": foreign}


def stored():
    return sorted(Member.objects.values_list("household__code", "full_name", "national_id"))


def new_household(national_id):
    return household_post(code="HH-NEW", members=[
        {"full_name": "A Blưk", "relation_to_head": "head", "gender": "male", "birth_year": "1980",
         "ethnic_group": "01", "national_id": national_id}])


def member_message(response):
    return " ".join(" ".join(errors.get("national_id", [])) for errors in errors_of(response)[2][0])


@pytest.mark.django_db
def test_the_household_page_refuses_an_id_held_in_the_officers_area_naming_the_holder(client, users, holders):
    client.force_login(users["commune"])
    before = stored()
    response = client.post(ADD_URL, new_household(OWN_ID))
    assert response.status_code == 200
    assert member_message(response).startswith(f"Số CCCD {OWN_ID} đã có trong sổ: Y Ngọc, hộ OWN-1.")
    assert "Tách hộ" in member_message(response)  # says how a person who moved is moved
    assert stored() == before and not Household.objects.filter(code="HH-NEW").exists()


@pytest.mark.django_db
def test_the_household_page_refuses_an_id_of_another_unit_without_telling_which(client, users, holders):
    client.force_login(users["commune"])
    before = stored()
    response = client.post(ADD_URL, new_household(FOREIGN_ID))
    page = response.content.decode()
    assert member_message(response) == ELSEWHERE
    for leak in ("FOR-1", "Lò Thị Tư", "Lò Văn Ba", "90201", "Xã Ba"):
        assert leak not in page
    assert stored() == before


@pytest.mark.django_db
def test_the_member_page_refuses_a_taken_id_on_the_field(client, users, holders):
    client.force_login(users["commune"])
    child = MemberFactory(household=holders["own"], full_name="Y Hoa")
    data = {"household": child.household_id, "full_name": child.full_name, "gender": "female", "birth_year": 2005,
            "ethnic_group": child.ethnic_group_id, "national_id": FOREIGN_ID, "has_labour_capacity": "on",
            "loaded_version": child.version}
    response = client.post(f"/admin/households/member/{child.pk}/change/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["national_id"] == [ELSEWHERE]
    child.refresh_from_db()
    assert child.national_id is None


@pytest.mark.django_db
def test_the_api_refuses_a_taken_id_on_create_and_on_change(users, holders):
    api = APIClient()
    api.force_authenticate(users["commune"])
    body = {"household": "OWN-1", "full_name": "Y Mới", "gender": "female", "birth_year": 2001,
            "ethnic_group": "14", "relation_to_head": "child"}
    foreign = api.post("/api/v1/members/", {**body, "national_id": FOREIGN_ID}, format="json")
    assert foreign.status_code == 400 and foreign.json() == {"national_id": [ELSEWHERE]}
    own = api.post("/api/v1/members/", {**body, "national_id": OWN_ID}, format="json")
    assert own.status_code == 400
    assert own.json()["national_id"][0] == f"Số CCCD {OWN_ID} đã có ở Y Ngọc trong hộ này: mỗi người một số CCCD."
    created = api.post("/api/v1/members/", {**body, "national_id": "062201000001"}, format="json")
    assert created.status_code == 201
    change = api.patch(f"/api/v1/members/{created.json()['id']}/", {"national_id": FOREIGN_ID,
                                                                    "version": created.json()["version"]}, format="json")
    assert change.status_code == 400 and change.json() == {"national_id": [ELSEWHERE]}
    assert Member.objects.get(pk=created.json()["id"]).national_id == "062201000001"


@pytest.mark.django_db
def test_the_import_refuses_a_taken_id_with_the_same_words(users, holders, tmp_path):
    rows = [["H-1", "A Blưk", "90101", "", "14", ""]]
    path = workbook(tmp_path / "ids.xlsx", rows, [["H-1", "A Blưk", "Nam", 1980, "14", "Chủ hộ", FOREIGN_ID]])
    result = households_import(acting_user=users["commune"], path=str(path), filename=path.name)
    assert [(e.sheet, e.row, e.column, e.message) for e in result.errors] == [("Nhân khẩu", 2, "Số CCCD", ELSEWHERE)]
    path = workbook(tmp_path / "own.xlsx", rows, [["H-1", "A Blưk", "Nam", 1980, "14", "Chủ hộ", OWN_ID]])
    result = households_import(acting_user=users["commune"], path=str(path), filename=path.name)
    assert [e.message for e in result.errors][0].startswith(f"Số CCCD {OWN_ID} đã có trong sổ: Y Ngọc, hộ OWN-1.")
    assert not Household.objects.filter(code="H-1").exists()


@pytest.mark.django_db
def test_a_member_keeps_its_own_id_and_an_id_held_in_a_household_that_left_is_still_refused(users, holders):
    """The guarantee is over every member: a person of a household that moved away or merged comes back by a
    move of their record, not by a second one."""
    member = Member.objects.get(national_id=OWN_ID)
    member_save(acting_user=users["commune"], member=member, full_name="Y Ngọc Anh")  # its own ID: no refusal
    Household.objects.filter(code="OWN-1").update(status="moved")
    other = HouseholdFactory(code="OWN-2", commune_id="90101")
    with pytest.raises(ValidationError) as error:
        member_save(acting_user=users["commune"], household=other, full_name="Y Ngọc Anh", ethnic_group=other.ethnic_group,
                    relation_to_head="other", national_id=OWN_ID)
    assert error.value.message_dict["national_id"][0].startswith(
        f"Số CCCD {OWN_ID} đã có trong sổ: Y Ngọc Anh, hộ OWN-1 (đã chuyển đi).")


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two writers at once: SQLite runs one writer at a time")
@committing
def test_two_writers_storing_one_id_at_once_one_is_refused_with_the_rule(users):
    """Both check before either commits; the unique index makes the second wait for the first, then refuse: the
    second writer gets the rule's message (never a 500), and the register holds the ID once."""
    first = HouseholdFactory(code="RACE-1", commune_id="90101")
    second = HouseholdFactory(code="RACE-2", commune_id="90201")
    new_id = "062199000123"

    def adding(household, user):
        return lambda: member_save(acting_user=users[user], household=household, full_name=f"Y {household.code}",
                                   ethnic_group=household.ethnic_group, relation_to_head="child", national_id=new_id)

    holder = Worker(adding(first, "commune"), hold=True)
    holder.start()
    assert holder.inside.wait(WAIT) and holder.error is None
    waiter = Worker(adding(second, "other_commune"))
    waiter.start()
    threading.Event().wait(0.5)
    assert waiter.is_alive()  # waiting on the first one's uncommitted row
    holder.finish()
    waiter.finish()
    assert holder.error is None
    assert isinstance(waiter.error, ValidationError)
    assert waiter.error.message_dict == {"national_id": [ELSEWHERE.replace(FOREIGN_ID, new_id)]}
    assert list(Member.objects.filter(national_id=new_id).values_list("household__code", flat=True)) == ["RACE-1"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two writers at once: SQLite runs one writer at a time")
@committing
def test_an_id_stored_by_hand_while_a_file_is_written_refuses_the_file_on_its_row(users, tmp_path):
    """The file was checked before the hand entry committed: the unique index refuses the import's insert, and the
    import says so on the member's row in the rule's words (the holder is outside the file's officer's area)."""
    first = HouseholdFactory(code="RACE-1", commune_id="90201")
    new_id = "062199000456"
    path = workbook(tmp_path / "race.xlsx", [["H-9", "A Blưk", "90101", "", "14", ""]],
                    [["H-9", "A Blưk", "Nam", 1980, "14", "Chủ hộ", new_id]])
    holder = Worker(lambda: member_save(acting_user=users["other_commune"], household=first, full_name="Y Ai",
                                        ethnic_group=first.ethnic_group, relation_to_head="child", national_id=new_id),
                    hold=True)
    holder.start()
    assert holder.inside.wait(WAIT) and holder.error is None
    answer = {}

    def importing():
        try:
            answer["result"] = households_import(acting_user=users["commune"], path=str(path), filename=path.name)
        finally:
            connection.close()

    importer = threading.Thread(target=importing, daemon=True)
    importer.start()
    threading.Event().wait(1.0)
    assert importer.is_alive()  # its insert waits on the hand entry's uncommitted row
    holder.finish()
    importer.join(WAIT)
    result = answer["result"]
    assert not result.committed
    assert [(e.sheet, e.row, e.column, e.message) for e in result.errors] == [
        ("Nhân khẩu", 2, "Số CCCD", ELSEWHERE.replace(FOREIGN_ID, new_id))]
    assert not Household.objects.filter(code="H-9").exists()
