"""Splits and joins by the import: the “Chuyển từ hộ” column of the members sheet moves people of the register
with their record (households.moves, the rule of the page and the API); a file imported again moves nobody."""
import pytest

from households.models import Household, HouseholdEvent, HouseholdStatus, Member
from importing.service import households_import
from tests.factories import HouseholdFactory, MemberFactory
from tests.importing.builders import MEMBER_HEADERS, workbook

HEADERS = {"Nhân khẩu": [*MEMBER_HEADERS, "Chuyển từ hộ"]}


@pytest.fixture
def family(users):
    own = HouseholdFactory(code="OWN-1", commune_id="90101", head_name="A Nhơn")
    son = MemberFactory(household=own, full_name="Y Tuấn", gender="male", birth_year=1998, national_id="062098000001")
    wife = MemberFactory(household=own, full_name="Y Lan", birth_year=2000, relation_to_head="other")
    return {"own": own, "son": son, "wife": wife, "other": HouseholdFactory(code="OWN-2", commune_id="90101"),
            "foreign": HouseholdFactory(code="FOR-1", commune_id="90201")}


def run(users, path, user="commune"):
    return households_import(acting_user=users[user], path=str(path), filename=path.name)


def issues(result):
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


SPLIT_HOUSEHOLDS = [["OWN-1-T", "Y Tuấn", "90101", "90101-01", "14", ""]]
SPLIT_MEMBERS = [["OWN-1-T", "Y Tuấn", "Nam", 1998, "", "Chủ hộ", "062098000001", "OWN-1"],
                 ["OWN-1-T", "Y Lan", "Nữ", 2000, "", "Vợ/chồng", "", "OWN-1"]]


@pytest.mark.django_db
def test_a_split_by_import_moves_the_people_and_a_second_import_moves_nobody(users, family, tmp_path):
    path = workbook(tmp_path / "tach-ho.xlsx", SPLIT_HOUSEHOLDS, SPLIT_MEMBERS, None, headers=HEADERS)
    check = households_import(acting_user=users["commune"], path=str(path), filename=path.name, dry_run=True)
    assert not check.errors and check.would_update["members"] == 2 and check.would_create["members"] == 0
    assert any("Chuyển hộ: 2 người (1 lần tách hộ, 0 lần nhập hộ)" in notice for notice in check.notices)
    result = run(users, path)
    assert result.committed, issues(result)
    new = Household.objects.get(code="OWN-1-T")
    son = Member.objects.get(pk=family["son"].pk)
    assert (son.household, son.relation_to_head, son.national_id) == (new, "head", "062098000001")
    assert Member.objects.get(pk=family["wife"].pk).relation_to_head == "spouse"
    assert Member.objects.count() == 5  # nobody entered twice: three heads, the son and his wife
    event = HouseholdEvent.objects.get()
    assert (event.kind, event.source, new.origin) == ("split", family["own"], event)
    assert event.reason == "Theo danh sách nhập (tệp tach-ho.xlsx)"
    assert son.history.first().history_change_reason.startswith("Tách hộ ")
    assert son.history.first().history_user == users["commune"]
    assert list(family["own"].members.values_list("full_name", flat=True)) == ["A Nhơn"]
    again = run(users, path)
    assert again.committed and not again.errors
    assert (again.created["members"], again.updated["members"], HouseholdEvent.objects.count()) == (0, 0, 1)


@pytest.mark.django_db
def test_a_join_by_import_moves_everyone_and_merges_the_household(users, family, tmp_path):
    rows = [["OWN-2", name, "", None, "", "Khác", "", "OWN-1"]
            for name in family["own"].members.order_by("pk").values_list("full_name", flat=True)]
    path = workbook(tmp_path / "nhap-ho.xlsx", None, rows, None, headers=HEADERS)
    result = run(users, path)
    assert result.committed, issues(result)
    own = Household.objects.get(pk=family["own"].pk)
    assert (own.status, own.members.count()) == (HouseholdStatus.MERGED, 0)
    assert family["other"].members.count() == 4
    assert HouseholdEvent.objects.get().kind == "join"


@pytest.mark.django_db
def test_moves_the_rule_refuses_are_refused_by_the_import_and_nothing_is_written(users, family, tmp_path):
    before = sorted(Member.objects.values_list("pk", "household_id", "relation_to_head"))
    foreign = workbook(tmp_path / "foreign.xlsx", None, [["OWN-2", "Y Tuấn", "Nam", 1998, "", "Con", "", "FOR-1"]],
                       None, headers=HEADERS)
    assert issues(run(users, foreign)) == [
        ("Nhân khẩu", 2, "Chuyển từ hộ", "Không có hộ mã FOR-1 trong sổ thuộc địa bàn của bạn.")]
    nobody = workbook(tmp_path / "nobody.xlsx", None, [["OWN-2", "Y Ai", "Nam", 1990, "", "Con", "", "OWN-1"]],
                      None, headers=HEADERS)
    assert issues(run(users, nobody))[0][3].startswith("Không có Y Ai trong hộ OWN-1")
    everyone = [["OWN-1-T", name, "", None, "", "Chủ hộ" if name == "Y Tuấn" else "Khác", "", "OWN-1"]
                for name in family["own"].members.values_list("full_name", flat=True)]
    emptied = workbook(tmp_path / "emptied.xlsx", SPLIT_HOUSEHOLDS, everyone, None, headers=HEADERS)
    messages = [issue[3] for issue in issues(run(users, emptied))]
    assert any(message.startswith("Tách hộ phải còn người ở lại hộ OWN-1") for message in messages), messages
    headless = workbook(tmp_path / "headless.xlsx", SPLIT_HOUSEHOLDS,
                        [["OWN-1-T", "Y Tuấn", "Nam", 1998, "", "Con", "", "OWN-1"]], None, headers=HEADERS)
    assert ("Nhân khẩu", 2, "Quan hệ với chủ hộ", "Hộ mới cần một chủ hộ: hãy chọn “Chủ hộ” cho một người.") in \
        issues(run(users, headless))
    assert sorted(Member.objects.values_list("pk", "household_id", "relation_to_head")) == before
    assert not HouseholdEvent.objects.exists() and not Household.objects.filter(code="OWN-1-T").exists()
