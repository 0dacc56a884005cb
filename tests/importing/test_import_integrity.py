"""The import stays inside the officer's area on every sheet, and no file can bring the server down."""
import os
import re
import resource
import subprocess
import sys
import zipfile

import pytest
from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font
from rest_framework.test import APIClient

from households.models import Household, Member
from importing.service import households_import
from review.models import Assessment
from tests.importing.builders import HOUSEHOLD_HEADERS, workbook
from tests.importing.test_import import GOOD_HOUSEHOLDS
from tests.importing.test_pages import background, finished

FOREIGN_HEAD = "Lò Văn Ba"
FOREIGN_ID = "062070009999"


def run(users, path, user):
    return households_import(acting_user=users[user], path=str(path), filename=path.name)


def issues(result):
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


@pytest.fixture
def foreign(users, tmp_path):
    """F-1: a household of commune 90201 (district 902), stored by its own officer, with a member and a review."""
    path = workbook(tmp_path / "own.xlsx", [["F-1", FOREIGN_HEAD, "90201", "", "14", ""]],
                    [["F-1", FOREIGN_HEAD, "Nam", 1970, "14", "Chủ hộ", FOREIGN_ID]],
                    [["F-1", 2024, "3.000.000", "", "", "", "", "", ""]])
    result = run(users, path, "other_commune")
    assert result.committed, result.errors
    return Household.objects.get(code="F-1")


def stored():
    """Everything the import could have written, with its history."""
    return {
        "households": list(Household.objects.order_by("code").values_list("code", "commune_id", "head_name",
                                                                           "version")),
        "members": list(Member.objects.order_by("id").values_list("household__code", "full_name", "national_id")),
        "assessments": list(Assessment.objects.order_by("id").values_list(
            "household__code", "year", "income_per_capita", "classification", "movement", "version")),
        "history": (Household.history.count(), Member.history.count(), Assessment.history.count()),
    }


LEAKS = ("90201", "Xã Ba", "xã khác", "ngoài địa bàn", FOREIGN_HEAD, "không thuộc địa bàn")


def assert_nothing_leaks(result):
    text = " ".join(e.message for e in result.errors)
    for leak in LEAKS:
        assert leak not in text, (leak, text)


# -- 1. every sheet, every row, in the officer's area -------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("user", ["commune", "district"])
def test_members_and_reviews_of_another_area_are_refused_and_nothing_is_written(users, foreign, tmp_path, user):
    """A commune (90101) or district (901) officer's file names F-1 of commune 90201 on the members and the
    review sheets: before the fix the review of F-1 was overwritten (income, class, movement) and a member
    was added to it. Now each row is an error at its cell, worded as for a code that does not exist."""
    before = stored()
    own = [["H-1", "A Blưk", "90101", "", "14", ""]]  # a good row of the officer's own: not written either
    intruding = workbook(tmp_path / "intruding.xlsx", own,
                         [["F-1", "Kẻ Lạ", "Nam", 1990, "14", "Con", ""]],
                         [["F-1", 2024, "100.000", "", "", "", "x", "x", "x"]])
    result = run(users, intruding, user)
    assert not result.committed
    message = "Không có hộ mã F-1 trong địa bàn của bạn (trong tệp hoặc trong sổ)."
    assert issues(result) == [("Nhân khẩu", 2, "Mã hộ", message), ("Rà soát", 2, "Mã hộ", message)]
    assert_nothing_leaks(result)
    assert stored() == before
    assert Assessment.objects.get(household=foreign).classification == "not_poor"

    # the same answer, word for word, as for a code that is nowhere
    unknown = workbook(tmp_path / "unknown.xlsx", own, [["F-9", "Kẻ Lạ", "Nam", 1990, "14", "Con", ""]],
                       [["F-9", 2024, "100.000", "", "", "", "x", "x", "x"]])
    assert [i[:3] + (i[3].replace("F-9", "F-1"),) for i in issues(run(users, unknown, user))] == issues(result)

    # the rule is the area, not the code: F-1's own officer can use the very same rows
    theirs = workbook(tmp_path / "theirs.xlsx", None, [["F-1", "Kẻ Lạ", "Nam", 1990, "14", "Con", ""]],
                      [["F-1", 2024, "100.000", "", "", "", "x", "x", "x"]])
    assert run(users, theirs, "other_commune").committed
    assert Assessment.objects.get(household=foreign).classification == "poor"


@pytest.mark.django_db
def test_household_sheet_does_not_tell_that_a_code_is_taken_in_another_area(users, foreign, tmp_path):
    before = stored()
    path = workbook(tmp_path / "taken.xlsx", [["F-1", "Người Mới", "90101", "", "14", ""]])
    result = run(users, path, "commune")
    assert issues(result) == [("Hộ gia đình", 2, "Mã hộ",
                               "Không dùng được mã hộ F-1 trong địa bàn của bạn: hãy dùng mã khác.")]
    assert_nothing_leaks(result)
    assert stored() == before


@pytest.mark.django_db
def test_a_national_id_of_another_area_is_refused_without_naming_its_household(users, foreign, tmp_path):
    path = workbook(tmp_path / "id.xlsx", GOOD_HOUSEHOLDS[:1], [["H-1", "A Blưk", "Nam", 1980, "14", "Chủ hộ",
                                                                   FOREIGN_ID]])
    result = run(users, path, "commune")
    # the ID is said to be taken (a person is in the register once), and nothing about where
    assert issues(result) == [("Nhân khẩu", 2, "Số CCCD", f"Số CCCD {FOREIGN_ID} đã có trong sổ của đơn vị khác: "
                                                          "một người chỉ có trong sổ một lần.")]
    assert_nothing_leaks(result)
    assert "F-1" not in result.errors[0].message and not Household.objects.filter(code="H-1").exists()
    # inside the officer's own area the household is still named, as before
    own = workbook(tmp_path / "own-id.xlsx", [["F-2", "Lò Thị Hai", "90201", "", "14", ""]],
                   [["F-2", "Lò Thị Hai", "Nữ", 1972, "14", "Chủ hộ", FOREIGN_ID]])
    [issue] = issues(run(users, own, "other_commune"))
    assert issue[:3] == ("Nhân khẩu", 2, "Số CCCD")
    assert issue[3].startswith(f"Số CCCD {FOREIGN_ID} đã có trong sổ: {FOREIGN_HEAD}, hộ F-1.")


# -- 2. what is read is bounded ------------------------------------------------------------------------------
def far_workbook(path):
    """A 5 KB workbook: the households sheet with one good row, and one value in its very last cell."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Hộ gia đình"
    sheet.append(HOUSEHOLD_HEADERS)
    sheet.append(GOOD_HOUSEHOLDS[0])
    sheet["XFD1048576"] = "x"
    book.save(path)
    assert path.stat().st_size < 10_000
    return path


CHILD = """
import sys
import django
django.setup()
from importing.reading import SHEETS, FileRefused, open_workbook, read_sheet
workbook = open_workbook(sys.argv[1])
try:
    for name in SHEETS:
        read_sheet(workbook, name, [])
    print("READ")
except FileRefused as error:
    print("REFUSED", error)
"""


def read_in_a_child(path):
    """Read `path` as the import does, in a child process: were the grid allocated, the child, not the test
    run, would die (its address space is capped, so that it fails at once whatever the machine's overcommit)."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "poverty_tracker.test_settings"}
    return subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=settings.BASE_DIR, env=env, text=True,
                          capture_output=True, timeout=300, preexec_fn=cap)


def assert_survives(path):
    child = read_in_a_child(path)
    assert child.returncode == 0, f"the reader killed its process ({child.returncode}): {child.stderr[-2000:]}"
    return child.stdout


def assert_too_big(message):
    assert "Hộ gia đình" in message and "1.000.000 dòng" in message and "60 cột" in message, message
    assert "dòng 1.048.576" in message and "cột XFD" in message, message


def test_a_value_in_the_last_cell_is_refused_before_the_grid_is_built(tmp_path):
    output = assert_survives(far_workbook(tmp_path / "far.xlsx"))
    assert output.startswith("REFUSED"), output
    assert_too_big(output)


@pytest.mark.django_db
def test_a_too_big_sheet_answers_400_on_the_api(users, tmp_path):
    path = far_workbook(tmp_path / "far.xlsx")
    assert_survives(path)  # before anything in this process reads it
    client = APIClient()
    client.force_authenticate(users["district"])
    with path.open("rb") as handle:
        answer = client.post("/api/v1/imports/", {"file": handle, "dry_run": "true"}, format="multipart")
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert len(errors) == 1 and errors[0]["row"] is None
    assert_too_big(errors[0]["message"])
    assert os.getpid() and not Household.objects.exists()  # still here, nothing stored


@background
def test_a_too_big_sheet_answers_400_on_the_page(client, users, tmp_path):
    path = far_workbook(tmp_path / "far.xlsx")
    assert_survives(path)
    client.force_login(users["district"])
    with path.open("rb") as handle:
        page = finished(client, client.post("/import/", {"file": handle}).url)
    assert page.status_code == 400
    assert_too_big(page.content.decode())
    token = page.context["token"]
    assert client.get(f"/import/{token}/errors.xlsx").status_code == 404  # no rows to mark, and no 500
    assert not Household.objects.exists()


def rewritten(source, target, change, part="xl/worksheets/sheet1.xml"):
    """A copy of the workbook `source` whose XML `part` is passed through `change`."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            new.writestr(item, change(data) if item.filename == part else data)
    return target


def households_sheet(path):
    return workbook(path, [GOOD_HOUSEHOLDS[0]], None, None)


def with_cells(cells):
    """Put `cells` (raw XML) at the end of the sheet's data."""
    return lambda xml: xml.replace(b"</sheetData>", cells + b"</sheetData>")


@pytest.mark.django_db
@pytest.mark.parametrize("cells, where", [
    (b'<row r="50"><c r="B50" t="inlineStr"><is><t>x</t></is></c></row>', "dòng 50"),
    (b'<row r="5"><c r="BR5" t="inlineStr"><is><t>x</t></is></c></row>', "cột BR"),
    # cells without a reference follow the row (and the previous cell): expat walks them
    (b'<row r="50"><c t="inlineStr"><is><t>x</t></is></c></row>', "dòng 50"),
    (b'<row r="5">' + b'<c t="n"><v>1</v></c>' * 70 + b"</row>", "cột BI"),  # the first past the limit
    # written otherwise than Excel would: lower-case, prefixed, a ">" inside a value
    (b'<row r="50"><c r="b50" t="n"><v>1</v></c></row>', "dòng 50"),
    (b'<row r="50"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="B50" t="n">'
     b"<x:v>1</x:v></x:c></row>", "dòng 50"),
    (b'<row r="50"><c s="0" r="B50" t="n"><v>1</v></c></row>', "dòng 50"),
    (b'<row r="50"><c x=">" r="B50" t="n"><v>1</v></c></row>', "dòng 50"),
    # two references (the reader takes the last), or "<" inside a value: not XML, refused as damaged
    (b'<row r="5"><c r="B5" r="B50" t="n"><v>1</v></c></row>', "hỏng"),
    (b'<row r="5"><c r="B5" x="<" t="n"><v>1</v></c></row>', "hỏng"),
])
def test_where_a_sheet_ends_is_found_however_its_cells_are_written(users, tmp_path, settings, cells, where):
    settings.IMPORT_MAX_ROWS = 10
    path = rewritten(households_sheet(tmp_path / "plain.xlsx"), tmp_path / "odd.xlsx", with_cells(cells))
    result = run(users, path, "district")
    assert len(result.errors) == 1 and where in result.errors[0].message, issues(result)
    if where != "hỏng":
        assert "Hộ gia đình" in result.errors[0].message and "10 dòng" in result.errors[0].message
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_a_sheet_is_bounded_by_its_cells_so_a_long_narrow_one_passes_where_a_wide_one_is_refused(users, tmp_path,
                                                                                                 settings):
    """The grid the reader holds is rows × columns: a province's members sheet (many rows, 7 columns) is read,
    the same rows reaching column AX are refused, naming the limit in cells (issue 27)."""
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELLS = 1000, 1200  # 100 rows of the sheet's 12 columns fit
    narrow = rewritten(households_sheet(tmp_path / "plain.xlsx"), tmp_path / "narrow.xlsx",
                       with_cells(b'<row r="100"><c r="D100" t="inlineStr"><is><t></t></is></c></row>'))
    assert not [issue for issue in run(users, narrow, "district").errors if "quá lớn" in issue.message]
    wide = rewritten(households_sheet(tmp_path / "plain2.xlsx"), tmp_path / "wide.xlsx",
                     with_cells(b'<row r="100"><c r="AX100" t="inlineStr"><is><t>x</t></is></c></row>'))
    result = run(users, wide, "district")
    assert len(result.errors) == 1 and "dòng 100, cột AX" in result.errors[0].message, issues(result)
    assert "tối đa 1.200 ô (số dòng × số cột)" in result.errors[0].message
    assert Household.objects.count() == 1  # the narrow file's household; the wide one wrote nothing


@pytest.mark.django_db
def test_formatted_empty_cells_far_away_do_not_count(users, tmp_path):
    """Excel writes a formatted but empty cell as <c r=".." s=".."/>: the reader holds no grid for it."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Hộ gia đình"
    sheet.append(HOUSEHOLD_HEADERS)
    sheet.append(GOOD_HOUSEHOLDS[0])
    sheet["CZ400000"].font = Font(bold=True)
    path = tmp_path / "formatted.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        assert re.search(rb'<c r="CZ400000" s="\d+"[^>]*/>', archive.read("xl/worksheets/sheet1.xml"))
    result = run(users, path, "district")
    assert result.errors == [] and result.committed


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                     for n in range(1, 10))
          + b"]>\n")


def with_laughs(use, comment=b""):
    def change(xml):
        xml = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
        xml = LAUGHS.replace(b"<!DOCTYPE", comment + b"<!DOCTYPE") + xml
        return xml.replace(b"A Bl\xc6\xb0k", b"&lol9;") if use else xml
    return change


@pytest.mark.django_db
@pytest.mark.parametrize("part, use, comment", [
    ("xl/worksheets/sheet1.xml", True, b""), ("xl/workbook.xml", False, b""), ("xl/styles.xml", False, b""),
    ("xl/worksheets/sheet1.xml", True, b"<!-- <worksheet> -->"),  # a comment that looks like the root first
])
def test_a_file_declaring_xml_entities_is_refused(users, tmp_path, part, use, comment):
    path = rewritten(households_sheet(tmp_path / "plain.xlsx"), tmp_path / "laughs.xlsx", with_laughs(use, comment),
                     part)
    assert "&lol9;" in zipfile.ZipFile(path).read(part).decode() or not use
    result = run(users, path, "district")
    assert len(result.errors) == 1 and "DTD" in result.errors[0].message and part in result.errors[0].message
    client = APIClient()
    client.force_authenticate(users["district"])
    with path.open("rb") as handle:
        answer = client.post("/api/v1/imports/", {"file": handle}, format="multipart")
    assert answer.status_code == 400 and "DTD" in answer.json()["errors"][0]["message"]
    assert not Household.objects.exists()


def with_comment(size):
    """A comment of `size` bytes inside the sheet's data: it packs to about a thousandth of that."""
    return lambda xml: xml.replace(b"<sheetData>", b"<sheetData><!--" + b"a" * size + b"-->")


@pytest.mark.django_db
@pytest.mark.parametrize("size, said", [(300 << 20, "giải nén ra quá lớn"), (20 << 20, "nén quá mức")])
def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(users, tmp_path, monkeypatch, size,
                                                                               said):
    """A 300 KB workbook holding a 300 MB comment took minutes of an import slot: the sizes its zip directory
    declares refuse it at once (the total; and a part packed over 100 to one)."""
    path = rewritten(households_sheet(tmp_path / "plain.xlsx"), tmp_path / "bomb.xlsx", with_comment(size))
    assert path.stat().st_size < size / 500

    def unpacked(*args, **kwargs):
        raise AssertionError("a part was unpacked or parsed")

    monkeypatch.setattr(zipfile.ZipFile, "open", unpacked)
    monkeypatch.setattr("importing.reading.CalamineWorkbook.from_path", unpacked)
    result = run(users, path, "district")
    assert len(result.errors) == 1 and said in result.errors[0].message, issues(result)
    assert not Household.objects.exists()


def test_every_scan_stops_reading_a_part_at_the_limit(tmp_path, settings):
    """Declared sizes can lie: the scans count what they read and stop at the limit, whatever the part holds."""
    from importing import xlsx_scan

    path = rewritten(households_sheet(tmp_path / "plain.xlsx"), tmp_path / "long.xlsx", with_comment(200_000))
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 100_000
    reads = []
    with zipfile.ZipFile(path) as archive:
        real = archive.open

        def counted(name, *args, **kwargs):
            stream = real(name, *args, **kwargs)
            original = stream.read
            stream.read = lambda size=-1: (lambda data: reads.append(len(data)) or data)(original(size))
            return stream

        archive.open = counted
        with pytest.raises(xlsx_scan.FileRefused, match="dài hơn"):
            xlsx_scan.extent(archive, "xl/worksheets/sheet1.xml", 10, 10)
    assert sum(reads) <= 100_001 + xlsx_scan.CHUNK_BYTES


@pytest.mark.django_db
def test_a_big_legitimate_workbook_is_well_inside_the_archive_limits(users, tmp_path):
    """5,000 households with members and reviews: well under the ratio limit (they pack about 13 to one) and a
    tenth of the size a province's 50,000 households would unpack to, itself under the limit."""
    from tests.importing.builders import province_workbook

    path = province_workbook(tmp_path / "province.xlsx", 5_000, ["90101", "90102"], villages_per_commune=1)
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    assert max(entry.file_size / entry.compress_size for entry in entries if entry.file_size > 1 << 20) < 25
    assert 10 * sum(entry.file_size for entry in entries) < settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    result = households_import(acting_user=users["district"], path=str(path), filename=path.name, dry_run=True)
    assert result.errors == [] and result.would_create["households"] == 5_000
