"""The import reads the “Dân tộc” column as people write it (issue 26.8): a code or the group's whole name,
hyphens, spaces, case and diacritics ignored (core.text.compact_key, as the admin and the API find groups)."""
import pytest

from households.models import Household, Member
from importing.service import households_import
from tests.importing.builders import workbook


@pytest.mark.django_db
def test_a_group_named_as_people_write_it_is_the_group(users, tmp_path):
    path = workbook(tmp_path / "dan-toc.xlsx", [
        ["DT-1", "A Blưk", "90101", "", "xo dang", ""],
        ["DT-2", "Y Hoa", "90101", "", "BA NA", ""],
        ["DT-3", "Đinh Văn Hùng", "90101", "", "Xơ Đăng", ""],
    ], [["DT-1", "Y Lan", "Nữ", 1985, "ba-na", "Vợ/chồng", ""]], [])
    result = households_import(acting_user=users["district"], path=str(path), filename=path.name)
    assert result.errors == [] and result.committed
    assert dict(Household.objects.filter(code__startswith="DT-").values_list("code", "ethnic_group__name")) == {
        "DT-1": "Xơ-đăng", "DT-2": "Ba-na", "DT-3": "Xơ-đăng"}
    assert Member.objects.get(full_name="Y Lan").ethnic_group.name == "Ba-na"


@pytest.mark.django_db
def test_a_name_that_is_no_group_is_refused_on_its_cell(users, tmp_path):
    path = workbook(tmp_path / "sai.xlsx", [["DT-9", "A Blưk", "90101", "", "xo", ""]], [], [])
    result = households_import(acting_user=users["district"], path=str(path), filename=path.name)
    assert [(issue.sheet, issue.row, issue.column) for issue in result.errors] == [("Hộ gia đình", 2, "Dân tộc")]
    assert "Không có dân tộc “xo”" in result.errors[0].message
    assert not Household.objects.filter(code="DT-9").exists()
