"""What the check accepts, the commit writes: every value is checked the way the models and the columns take
it, with its error at (sheet, row, column); the one-head rule counts what is stored plus what the file adds;
one mistake on a household row is one error; a household gets the registration date of its first review."""
import datetime

import pytest

from households.models import Household, Member
from importing.service import households_import
from review.models import Assessment
from tests.factories import HouseholdFactory
from tests.importing.builders import workbook

TODAY = datetime.date.today()


def run(users, path, user="commune", dry_run=False):
    return households_import(acting_user=users[user], path=str(path), filename=path.name, dry_run=dry_run)


def issues(result):
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


def check_then_commit(users, path, user="commune"):
    """The check and the commit of one file: both must agree, and neither may fail with an exception."""
    check = run(users, path, user, dry_run=True)
    done = run(users, path, user)
    assert issues(check) == issues(done), (issues(check), issues(done))
    return done


def snapshot():
    return (list(Household.objects.order_by("code").values_list("code", "head_name", "address", "version")),
            list(Member.objects.order_by("id").values_list("full_name", "relation_to_head", "birth_year")),
            list(Assessment.objects.order_by("id").values_list("year", "income_per_capita", "b1_score")))


def review(code, year, income="", b1=""):
    return [code, year, income, b1, "", "", "", "", ""]


# -- the one-head rule: what is stored plus what the file adds --------------------------------------------
@pytest.mark.django_db
def test_a_second_head_for_a_stored_household_is_an_error_at_its_row(users, tmp_path):
    """EXIST-1 has its head in the register: a file naming another person “Chủ hộ” of it passed the check,
    then failed at commit on the one-head constraint (IntegrityError, “Lỗi hệ thống”)."""
    stored = HouseholdFactory(code="EXIST-1", commune_id="90101")
    before = snapshot()
    path = workbook(tmp_path / "head.xlsx", None, [["EXIST-1", "Y Mới", "Nữ", 1990, "14", "Chủ hộ", ""]], None)
    result = check_then_commit(users, path)
    assert not result.committed
    [(sheet, row, column, message)] = issues(result)
    assert (sheet, row, column) == ("Nhân khẩu", 2, "Quan hệ với chủ hộ")
    assert "EXIST-1" in message and stored.head_name in message and "một chủ hộ" in message
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("new_head_first", [True, False])
def test_the_head_changes_when_the_file_names_the_old_head_otherwise(users, tmp_path, new_head_first):
    """The file makes a new person head and the stored head a spouse: allowed (one head after the import),
    and written in an order the one-head constraint accepts."""
    stored = HouseholdFactory(code="EXIST-1", commune_id="90101")
    rows = [["EXIST-1", "Y Mới", "Nữ", 1990, "14", "Chủ hộ", ""],
            ["EXIST-1", stored.head_name, "Nam", 1980, "14", "Vợ/chồng", ""]]
    path = workbook(tmp_path / "swap.xlsx", None, rows if new_head_first else rows[::-1], None)
    result = check_then_commit(users, path)
    assert result.committed, issues(result)
    heads = list(Member.objects.filter(household=stored, relation_to_head="head").values_list("full_name", flat=True))
    assert heads == ["Y Mới"]


@pytest.mark.django_db
def test_two_stored_members_swap_head_and_spouse(users, tmp_path):
    stored = HouseholdFactory(code="EXIST-1", commune_id="90101")
    Member.objects.create(household=stored, full_name="Y Hoa", birth_year=1983, ethnic_group_id="14",
                          relation_to_head="spouse")
    path = workbook(tmp_path / "swap.xlsx", None, [["EXIST-1", "Y Hoa", "Nữ", 1983, "14", "Chủ hộ", ""],
                                                   ["EXIST-1", stored.head_name, "Nam", 1980, "14", "Vợ/chồng", ""]],
                    None)
    result = check_then_commit(users, path)
    assert result.committed, issues(result)
    assert stored.members.get(relation_to_head="head").full_name == "Y Hoa"


@pytest.mark.django_db
def test_national_ids_move_between_stored_members_of_one_household(users, tmp_path):
    """The file corrects two swapped ID numbers: each row is matched by name and birth year, and the ids
    cross over. The unique constraint must not see the intermediate state."""
    stored = HouseholdFactory(code="EXIST-1", commune_id="90101", with_head=False)
    Member.objects.create(household=stored, full_name="A", birth_year=1980, ethnic_group_id="14",
                          relation_to_head="head", national_id="062080000001")
    Member.objects.create(household=stored, full_name="B", birth_year=1982, ethnic_group_id="14",
                          relation_to_head="spouse", national_id="062080000002")
    path = workbook(tmp_path / "ids.xlsx", None, [["EXIST-1", "A", "Nam", 1980, "14", "Chủ hộ", "062080000003"],
                                                  ["EXIST-1", "B", "Nữ", 1982, "14", "Vợ/chồng", "062080000001"],
                                                  ["EXIST-1", "C", "Nữ", 2010, "14", "Con", "062080000002"]], None)
    result = check_then_commit(users, path)
    assert result.committed, issues(result)
    assert dict(stored.members.values_list("full_name", "national_id")) == {
        "A": "062080000003", "B": "062080000001", "C": "062080000002"}


@pytest.mark.django_db
def test_one_stored_member_named_by_two_rows_is_an_error(users, tmp_path):
    stored = HouseholdFactory(code="EXIST-1", commune_id="90101")
    path = workbook(tmp_path / "twice.xlsx", None, [["EXIST-1", stored.head_name, "Nam", 1980, "14", "Chủ hộ", ""],
                                                    ["EXIST-1", stored.head_name, "Nam", 1980, "14", "Con", ""]], None)
    result = check_then_commit(users, path)
    [(sheet, row, column, message)] = issues(result)
    assert (sheet, row) == ("Nhân khẩu", 3) and "dòng 2" in message


# -- numbers: the column types and the sanity limits -------------------------------------------------------
HOUSEHOLD = [["N-1", "A Blưk", "90101", "", "14", ""]]
HUGE = "9" * 25  # beyond 64 bits


@pytest.mark.django_db
@pytest.mark.parametrize("members, reviews, where", [
    (None, [review("N-1", 2024, HUGE)], ("Rà soát", "Thu nhập bình quân", "1.000.000.000")),
    (None, [review("N-1", 2024, 2**64)], ("Rà soát", "Thu nhập bình quân", "1.000.000.000")),
    (None, [review("N-1", 2024, 2**63 - 1)], ("Rà soát", "Thu nhập bình quân", "1.000.000.000")),
    (None, [review("N-1", 2024, "1.000.000.001")], ("Rà soát", "Thu nhập bình quân", "1.000.000.000")),
    (None, [review("N-1", 2024, "", HUGE)], ("Rà soát", "Điểm B1", "1.000")),
    (None, [review("N-1", 2024, "", 2**64)], ("Rà soát", "Điểm B1", "1.000")),
    (None, [review("N-1", 2024, "", 2**31)], ("Rà soát", "Điểm B1", "1.000")),
    (None, [review("N-1", 2024, "1.000.000", 1001)], ("Rà soát", "Điểm B1", "1.000")),
    (None, [review("N-1", HUGE, "1.000.000")], ("Rà soát", "Năm", "")),
    (None, [review("N-1", 2**64, "1.000.000")], ("Rà soát", "Năm", "")),
    (None, [review("N-1", 40000, "1.000.000")], ("Rà soát", "Năm", "")),
    ([["N-1", "Y", "Nữ", HUGE, "14", "Con", ""]], None, ("Nhân khẩu", "Năm sinh", "")),
    ([["N-1", "Y", "Nữ", 2**64, "14", "Con", ""]], None, ("Nhân khẩu", "Năm sinh", "")),
    ([["N-1", "Y", "Nữ", 40000, "14", "Con", ""]], None, ("Nhân khẩu", "Năm sinh", "tương lai")),
    ([["N-1", "Y", "Nữ", TODAY.year - 121, "14", "Con", ""]], None, ("Nhân khẩu", "Năm sinh", "120 năm")),
])
def test_numbers_beyond_the_columns_or_the_limits_are_errors_at_their_cell(users, tmp_path, members, reviews, where):
    path = workbook(tmp_path / "numbers.xlsx", HOUSEHOLD, members, reviews)
    result = check_then_commit(users, path)
    assert not result.committed
    sheet, column, text = where
    [(error_sheet, row, error_column, message)] = issues(result)
    assert (error_sheet, row, error_column) == (sheet, 2, column) and text in message, issues(result)
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_the_largest_accepted_numbers_are_written_as_they_are(users, tmp_path):
    path = workbook(tmp_path / "max.xlsx", HOUSEHOLD, [["N-1", "Y", "Nữ", TODAY.year - 120, "14", "Con", ""]],
                    [review("N-1", 2024, "1.000.000.000", 1000), review("N-1", 2023, "0")])
    result = check_then_commit(users, path)
    assert result.committed, issues(result)
    assert set(Assessment.objects.values_list("year", "income_per_capita", "b1_score")) == {
        (2024, 1_000_000_000, 1000), (2023, 0, None)}
    assert Member.objects.get(full_name="Y").birth_year == TODAY.year - 120


@pytest.mark.django_db
def test_b1_only_in_a_year_whose_standard_has_no_b1_line_is_an_error(users, tmp_path):
    """2020 is classified by QĐ 59/2015, which has no B1 line: classify() raised MissingInput (500)."""
    path = workbook(tmp_path / "b1.xlsx", HOUSEHOLD, None, [review("N-1", 2020, "", 100)])
    result = check_then_commit(users, path)
    [(sheet, row, column, message)] = issues(result)
    assert (sheet, row, column) == ("Rà soát", 2, "Thu nhập bình quân") and "B1" in message
    ok = workbook(tmp_path / "b1-income.xlsx", HOUSEHOLD, None, [review("N-1", 2020, "900.000", 100)])
    assert check_then_commit(users, ok).committed


# -- text: the models' lengths, for new and stored households alike ----------------------------------------
LONG = "Nguyễn " * 57 + "A"  # 400 characters


@pytest.mark.django_db
@pytest.mark.parametrize("households, members, where", [
    ([["N-1", LONG, "90101", "", "14", ""]], None, ("Hộ gia đình", "Họ tên chủ hộ", "150")),
    ([["N-1", "A", "90101", "", "14", LONG]], None, ("Hộ gia đình", "Địa chỉ", "300")),
    ([["EXIST-1", LONG, "90101", "", "14", ""]], None, ("Hộ gia đình", "Họ tên chủ hộ", "150")),
    ([["EXIST-1", "A", "90101", "", "14", LONG]], None, ("Hộ gia đình", "Địa chỉ", "300")),
    (None, [["EXIST-1", LONG, "Nam", 1990, "14", "Con", ""]], ("Nhân khẩu", "Họ tên", "150")),
    (HOUSEHOLD, [["N-1", LONG, "Nam", 1990, "14", "Con", ""]], ("Nhân khẩu", "Họ tên", "150")),
    ([["N-1/" + "x" * 40, "A", "90101", "", "14", ""]], None, ("Hộ gia đình", "Mã hộ", "30")),
])
def test_over_long_text_is_an_error_at_its_cell_never_cut(users, tmp_path, households, members, where):
    assert len(LONG) == 400
    HouseholdFactory(code="EXIST-1", commune_id="90101")
    before = snapshot()
    path = workbook(tmp_path / "long.xlsx", households, members, None)
    result = check_then_commit(users, path)
    sheet, column, limit = where
    [(error_sheet, row, error_column, message)] = issues(result)
    assert (error_sheet, row, error_column) == (sheet, 2, column) and limit in message, issues(result)
    assert snapshot() == before


@pytest.mark.django_db
def test_text_at_the_model_limits_is_written_whole(users, tmp_path):
    name, address = "A" * 150, "B" * 300
    path = workbook(tmp_path / "limits.xlsx", [["N-1", name, "90101", "", "14", address]],
                    [["N-1", "C" * 150, "Nam", 1990, "14", "Con", ""]], None)
    assert check_then_commit(users, path).committed
    household = Household.objects.get(code="N-1")
    assert (household.head_name, household.address) == (name, address)
    assert set(household.members.values_list("full_name", flat=True)) == {name, "C" * 150}


# -- one mistake, one error -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_refused_household_row_does_not_make_its_members_and_reviews_errors(users, tmp_path):
    """One bad village code on the household row used to give four errors: three of them “Không có hộ mã …”
    on its member and review rows, although the household is in the file."""
    path = workbook(tmp_path / "village.xlsx", [["N-1", "A Blưk", "90101", "Thôn Không Có", "14", ""]],
                    [["N-1", "A Blưk", "Nam", 1980, "14", "Chủ hộ", ""], ["N-1", "Y Hoa", "Nữ", 1983, "14", "Vợ/chồng", ""]],
                    [review("N-1", 2024, "1.200.000")])
    result = check_then_commit(users, path)
    [(sheet, row, column, message)] = issues(result)
    assert (sheet, row, column) == ("Hộ gia đình", 2, "Thôn") and "Thôn Không Có" in message


@pytest.mark.django_db
def test_a_code_in_no_household_row_is_still_an_error_on_other_sheets(users, tmp_path):
    path = workbook(tmp_path / "unknown.xlsx", HOUSEHOLD, [["N-2", "Y", "Nữ", 1990, "14", "Con", ""]],
                    [review("N-2", 2024, "1.200.000")])
    result = check_then_commit(users, path)
    assert [(sheet, row, column) for sheet, row, column, _ in issues(result)] == [
        ("Nhân khẩu", 2, "Mã hộ"), ("Rà soát", 2, "Mã hộ")]


# -- the registration date ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_new_household_is_registered_in_its_first_reviewed_year(users, tmp_path):
    """Imported with its 2022–2025 reviews, the household was registered “today” (after all its reviews)."""
    path = workbook(tmp_path / "years.xlsx", [*HOUSEHOLD, ["N-2", "Y Hoa", "90101", "", "14", ""]], None,
                    [review("N-1", year, "1.200.000") for year in (2025, 2023, 2022, 2024)])
    assert check_then_commit(users, path).committed
    assert Household.objects.get(code="N-1").registered_on == datetime.date(2022, 1, 1)
    assert Household.objects.get(code="N-2").registered_on == TODAY  # no review: registered by the import


@pytest.mark.django_db
def test_a_stored_household_reviewed_before_its_registration_moves_back_with_its_history(users, tmp_path):
    stored = HouseholdFactory(code="EXIST-1", commune_id="90101", registered_on=datetime.date(2024, 6, 1))
    later = HouseholdFactory(code="EXIST-2", commune_id="90101", registered_on=datetime.date(2020, 3, 1))
    path = workbook(tmp_path / "late.xlsx", None, None,
                    [review("EXIST-1", 2023, "1.200.000"), review("EXIST-1", 2024, "1.200.000"),
                     review("EXIST-2", 2024, "1.200.000")])
    result = check_then_commit(users, path)
    assert result.committed and result.updated["households"] == 1
    stored.refresh_from_db()
    assert stored.registered_on == datetime.date(2023, 1, 1) and stored.version == 2
    record = stored.history.first()
    assert record.history_user == users["commune"] and "01/01/2023" in record.history_change_reason
    later.refresh_from_db()
    assert (later.registered_on, later.version) == (datetime.date(2020, 3, 1), 1)
    again = check_then_commit(users, path)
    assert again.committed and again.updated["households"] == 0


@pytest.mark.django_db
def test_invisible_control_characters_are_errors_at_their_cell(users, tmp_path):
    """calamine decodes Excel's _xHHHH_ escapes: a NUL in a code reached PostgreSQL, which refuses it (500),
    and other control characters were stored as they were."""
    path = workbook(tmp_path / "control.xlsx", [["N_x0000_1", "A Blưk", "90101", "", "14", ""],
                                                ["N-2", "A_x0001_B", "90101", "", "14", ""]],
                    [["N-3_x0000_", "Y", "Nữ", 1990, "14", "Con", ""]], None)
    result = check_then_commit(users, path)
    assert [(sheet, row, column) for sheet, row, column, _ in issues(result)] == [
        ("Hộ gia đình", 2, "Mã hộ"), ("Hộ gia đình", 3, "Họ tên chủ hộ"), ("Nhân khẩu", 2, "Mã hộ")]
    assert all("ký tự" in message for *_, message in issues(result))
    assert not Household.objects.exists()
