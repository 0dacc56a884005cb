"""Importing the officers' workbooks: all or nothing, idempotent, precise errors, scope and locks."""
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from households.models import Household, Member
from importing.service import households_import
from review.models import Assessment
from tests.importing.builders import province_workbook, workbook
from tests.review.procedure import recognise_in_order

GOOD_HOUSEHOLDS = [
    ["H-1", "A Blưk", "90101", "Thôn Một", "14", "Thôn Một"],
    ["H-2", "Nguyễn Văn Bình", 90102, "90102-01", "Kinh", ""],
]
GOOD_MEMBERS = [
    ["H-1", "A Blưk", "Nam", 1980, "Xơ Đăng", "Chủ hộ", "062080001234"],
    ["H-1", "Y Hoa", "Nữ", "1983", 14, "Vợ/chồng", ""],
]
GOOD_REVIEWS = [
    ["H-1", 2024, "1.200.000", "", "", "x", "x", "x", "có"],
    ["H-2", 2024, "3000000", "", "", "", "", "", ""],
]


def run(users, path, user="district", dry_run=False):
    return households_import(acting_user=users[user], path=str(path), filename=path.name, dry_run=dry_run)


@pytest.fixture
def good(tmp_path):
    return workbook(tmp_path / "good.xlsx", GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS)


@pytest.mark.django_db
def test_good_file_imports_everything_and_classifies(users, good):
    result = run(users, good)
    assert result.errors == [] and result.committed
    assert dict(result.created) == {"households": 2, "members": 3, "assessments": 2}
    h1 = Household.objects.get(code="H-1")
    assert (h1.commune_id, h1.village_id, h1.ethnic_group_id) == ("90101", "90101-01", "14")
    assert h1.members.get(relation_to_head="head").national_id == "062080001234"
    h2 = Household.objects.get(code="H-2")
    assert h2.members.get().relation_to_head == "head"  # head made from “Họ tên chủ hộ”
    assert h2.members.get().full_name == "Nguyễn Văn Bình"
    a1 = Assessment.objects.get(household=h1)
    assert (a1.classification, a1.movement, a1.deprivation_codes, a1.has_meritorious_member) == (
        "poor", "newly_poor", ["1", "4", "9"], True)
    assert Assessment.objects.get(household=h2).classification == "not_poor"
    assert h1.history.first().history_change_reason == "Nhập từ tệp good.xlsx"
    assert h1.history.first().history_user == users["district"]
    assert Household.objects.search("a bluk").get() == h1


@pytest.mark.django_db
def test_second_import_changes_nothing_and_a_corrected_file_only_what_changed(users, good, tmp_path):
    run(users, good)
    histories = Household.history.count() + Member.history.count() + Assessment.history.count()
    again = run(users, good)
    assert again.errors == []
    assert (dict(again.created), dict(again.updated)) == ({}, {})
    assert dict(again.unchanged) == {"households": 2, "members": 2, "assessments": 2}
    assert Household.history.count() + Member.history.count() + Assessment.history.count() == histories
    corrected = workbook(tmp_path / "fixed.xlsx", GOOD_HOUSEHOLDS, GOOD_MEMBERS,
                         [GOOD_REVIEWS[0], ["H-2", 2024, "1.100.000", "", "", "", "x", "x", "x"]])
    result = run(users, corrected)
    assert dict(result.updated) == {"assessments": 1}
    assert Assessment.objects.get(household__code="H-2").classification == "poor"
    history = Assessment.objects.get(household__code="H-2").history
    assert history.filter(history_change_reason="Nhập từ tệp fixed.xlsx", history_user=users["district"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("households, members, reviews, where", [
    ([["H-9", "", "90101", "", "14", ""]], None, None, ("Hộ gia đình", 2, "Họ tên chủ hộ", "trống")),
    ([["H-9", "X", "99999", "", "14", ""]], None, None, ("Hộ gia đình", 2, "Mã xã", "Không có xã")),
    ([["H-9", "X", "90101", "", "Người Sao Hỏa", ""]], None, None, ("Hộ gia đình", 2, "Dân tộc", "Không có dân tộc")),
    ([["H-9", "X", "90101", "", "14", ""], ["H-9", "Y", "90101", "", "14", ""]], None, None,
     ("Hộ gia đình", 3, "Mã hộ", "lặp lại")),
    ([["H-9", "X", "90201", "", "14", ""]], None, None, ("Hộ gia đình", 2, "Mã xã", "không thuộc địa bàn")),
    (GOOD_HOUSEHOLDS, [["H-1", "A", "Nam", 1980, "14", "Chủ hộ", ""], ["H-1", "B", "Nam", 1981, "14", "Chủ hộ", ""]],
     None, ("Nhân khẩu", 3, "Quan hệ với chủ hộ", "2 chủ hộ")),
    (GOOD_HOUSEHOLDS, None, [["H-1", 2024, "1,2 triệu", "", "", "", "", "", ""]],
     ("Rà soát", 2, "Thu nhập bình quân", "không phải số")),
    (GOOD_HOUSEHOLDS, [["H-1", "A", "Nam", "năm tám mươi", "14", "Chủ hộ", ""]], None,
     ("Nhân khẩu", 2, "Năm sinh", "không phải số")),
    (GOOD_HOUSEHOLDS, None, [["H-1", 2012, "100", "", "", "", "", "", ""]], ("Rà soát", 2, "Năm", "Không có chuẩn")),
    (GOOD_HOUSEHOLDS, [["H-1", "NguyÔn V¨n A", "Nam", 1980, "14", "Chủ hộ", ""]], None,
     ("Nhân khẩu", 2, "Họ tên", "TCVN3")),
    (GOOD_HOUSEHOLDS, [["H-1", "Nguyeãn Vaên A", "Nam", 1980, "14", "Chủ hộ", ""]], None,
     ("Nhân khẩu", 2, "Họ tên", "VNI")),
])
def test_bad_rows_are_named_and_nothing_is_stored(users, tmp_path, households, members, reviews, where):
    path = workbook(tmp_path / "bad.xlsx", households, members, reviews)
    result = run(users, path)
    assert not result.committed
    issues = [(e.sheet, e.row, e.column, e.message) for e in result.errors]
    sheet, row, column, text = where
    assert any(i[0] == sheet and i[1] == row and i[2] == column and text in i[3] for i in issues), issues
    assert not Household.objects.exists() and not Assessment.objects.exists()


@pytest.mark.django_db
def test_indicator_missing_from_the_years_standard(users, tmp_path):
    path = workbook(tmp_path / "ind.xlsx", GOOD_HOUSEHOLDS, None, [["H-1", 2024, "1000", "", "", "", "x"]],
                    headers={"Rà soát": ["Mã hộ", "Năm", "Thu nhập bình quân", "Điểm B1", "Không có khả năng lao động",
                                         "Có người có công", "Chỉ số 13"]})
    result = run(users, path)
    assert any(e.column == "Chỉ số 13" and "không có chỉ số" in e.message for e in result.errors)


@pytest.mark.django_db
def test_header_problems_and_file_problems(users, tmp_path):
    missing = workbook(tmp_path / "missing.xlsx", [["H-1", "X", "14"]],
                       headers={"Hộ gia đình": ["Mã hộ", "Họ tên chủ hộ", "Dân tộc"]})
    assert any("Thiếu cột bắt buộc “Mã xã”" in e.message for e in run(users, missing).errors)
    merged = workbook(tmp_path / "merged.xlsx", [["H-1", "X", "", "90101", "14"]],
                      headers={"Hộ gia đình": ["Mã hộ", "Họ tên chủ hộ", None, "Mã xã", "Dân tộc"]})
    assert any(e.column == "C" and "gộp ô" in e.message for e in run(users, merged).errors)
    book = Workbook()
    sheet = book.active
    sheet.title = "Hộ gia đình"
    sheet.append(["Mã hộ", "Họ tên chủ hộ", "Mã xã", "Dân tộc"])
    sheet.append(["H-1", "=A1&\"x\"", "90101", "14"])
    book.create_sheet("Nhân khẩu")
    formula = tmp_path / "formula.xlsx"
    book.save(formula)
    errors = run(users, formula).errors
    assert any(e.row == 2 and e.column == "B" and "công thức" in e.message for e in errors)
    assert any(e.sheet == "Nhân khẩu" and "trống" in e.message for e in errors)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert ".xls" in run(users, tmp_path / "old.xls").errors[0].message
    (tmp_path / "list.csv").write_text("Mã hộ,Họ tên\n1,2\n", encoding="utf-8")
    assert ".csv" in run(users, tmp_path / "list.csv").errors[0].message
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04garbage")
    assert "hỏng" in run(users, tmp_path / "broken.xlsx").errors[0].message
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_huge_file_is_refused(users, good, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    assert "quá lớn" in run(users, good).errors[0].message


@pytest.mark.django_db
def test_locked_round_rows_are_errors(users, good, tmp_path):
    run(users, good)
    review_round = Assessment.objects.get(household__code="H-1").review_round
    recognise_in_order(review_round)  # the chairman locks it, in the order of Art. 4
    changed = workbook(tmp_path / "late.xlsx", None, None, [["H-1", 2024, "9.000.000", "", "", "", "", "", ""]])
    result = run(users, changed)
    assert any("đang khoá" in e.message for e in result.errors)
    assert Assessment.objects.get(household__code="H-1").income_per_capita == 1_200_000


@pytest.mark.django_db
def test_dry_run_and_leader(users, good):
    result = run(users, good, dry_run=True)
    assert result.errors == [] and not result.committed and not Household.objects.exists()
    assert dict(result.would_create) == {"households": 2, "members": 3, "assessments": 2}
    assert dict(result.created) == {}  # a check writes nothing: it says what it would create
    assert "chỉ được xem" in run(users, good, user="leader").errors[0].message


@pytest.mark.django_db
def test_queries_do_not_grow_with_rows(users, tmp_path):
    small = province_workbook(tmp_path / "small.xlsx", 20, ["90101", "90102"], villages_per_commune=1)
    with CaptureQueriesContext(connection) as few:
        assert run(users, small).errors == []
    large = province_workbook(tmp_path / "large.xlsx", 200, ["90101", "90102"], villages_per_commune=1)
    with CaptureQueriesContext(connection) as many:
        result = run(users, large)
    assert result.errors == [] and result.created["households"] == 180
    # writes go in batches (SQLite allows ~999 parameters a statement): a few statements more per
    # thousand rows, never one per row
    assert len(many) - len(few) < 0.2 * 180, (len(few), len(many))


@pytest.mark.django_db
def test_command_prints_counts_and_errors(users, good, tmp_path):
    out = io.StringIO()
    call_command("import_households", str(good), "--user", "district", "--dry-run", stdout=out)
    # a check says what it would write, not that it created it
    assert "hộ: sẽ thêm 2, sẽ sửa 0, 0 không đổi" in out.getvalue() and not Household.objects.exists()
    phases, out = io.StringIO(), io.StringIO()
    call_command("import_households", str(good), "--user", "district", stdout=out, stderr=phases)
    assert Household.objects.count() == 2 and "hộ: 2 mới, 0 sửa, 0 không đổi" in out.getvalue()
    assert "Đang kiểm tra trang “Nhân khẩu”…" in phases.getvalue()
    assert "Đang ghi vào sổ: hộ gia đình…" in phases.getvalue()
    bad = workbook(tmp_path / "bad.xlsx", [["H-9", "X", "99999", "", "14", ""]])
    with pytest.raises(CommandError, match="Hộ gia đình, dòng 2, cột Mã xã"):
        call_command("import_households", str(bad), "--user", "district", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_file_refused_at_its_commit_says_what_it_would_have_created_and_that_it_created_nothing(users, good,
                                                                                                  monkeypatch):
    """The loser of two identical imports answered 400 with "created": {"households": 2 …} though it wrote
    nothing: the same file is imported (and committed) between its check and its write."""
    from rest_framework.test import APIClient

    from importing import service

    checked = service.check_reviews

    def check_then_the_same_file_wins(plan, sheet):
        checked(plan, sheet)
        monkeypatch.setattr(service, "check_reviews", checked)
        assert run(users, good).committed  # the winner

    monkeypatch.setattr(service, "check_reviews", check_then_the_same_file_wins)
    client = APIClient()
    client.force_authenticate(users["district"])
    with good.open("rb") as handle:
        answer = client.post("/api/v1/imports/", {"file": handle}, format="multipart")
    assert answer.status_code == 400 and answer.json()["committed"] is False
    assert answer.json()["errors"] and "không ghi gì" in answer.json()["errors"][0]["message"].lower()
    assert answer.json()["created"] == answer.json()["updated"] == {"households": 0, "members": 0, "assessments": 0}
    assert answer.json()["would_create"] == {"households": 2, "members": 3, "assessments": 2}
    assert not Household.objects.exists()  # the loser's transaction held the winner too: both rolled back here
