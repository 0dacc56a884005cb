"""import_areas: the domain file, idempotence, bad rows, XLSX; the history of the 2025 reform."""
import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from areas.models import AdministrativeUnit

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "areas" / "data" / "admin_units_kontum.csv"
HEADER = "code,name,level,kind,parent_code,valid_from,valid_to,successor_code,note\n"


def run_import(path):
    from io import StringIO

    out = StringIO()
    call_command("import_areas", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_domain_file_loads_reform_as_one_unit_with_history():
    output = run_import(DOMAIN_FILE)
    assert "25 mới" in output
    dak_to = AdministrativeUnit.objects.get(code="23401")
    # Today's state: xã Đăk Tô under the new province 51, rural.
    assert (dak_to.name, dak_to.kind, dak_to.parent_id, dak_to.is_urban) == ("Đăk Tô", "xã", "51", False)
    versions = list(dak_to.versions.values_list("name", "kind", "parent_id", "valid_to"))
    assert versions == [
        ("Đắk Tô", "thị trấn", "612", datetime.date(2025, 6, 30)),
        ("Đăk Tô", "xã", "51", None),
    ]
    tan_canh = AdministrativeUnit.objects.get(code="23437")
    assert tan_canh.successor_id == "23401" and tan_canh.valid_to == datetime.date(2025, 6, 30)
    assert AdministrativeUnit.objects.get(code="62").successor_id == "51"


@pytest.mark.django_db
def test_import_is_idempotent():
    run_import(DOMAIN_FILE)
    output = run_import(DOMAIN_FILE)
    assert "0 mới, 0 cập nhật, 25 không đổi" in output
    assert AdministrativeUnit.objects.count() == 25


@pytest.mark.django_db
def test_bad_rows_are_listed_with_line_numbers_and_nothing_changes(tmp_path):
    run_import(DOMAIN_FILE)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "23401,Đăk Tô đổi tên,commune,xã,51,2025-07-01,,,\n"       # line 2: fine on its own
        + "99999,Xã Lạ,commune,xã,77777,,,,\n"                     # line 3: unknown parent
        + "99998,,commune,xã,51,,,,\n"                              # line 4: empty name
        + "99997,Xã Sai Ngày,commune,xã,51,2025-13-01,,,\n"         # line 5: bad date
        + "99996,Phường Sai,commune,huyện,51,,,,\n",                # line 6: kind of another level
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        run_import(bad)
    message = str(error.value)
    assert "Dòng 3, cột parent_code" in message and "77777" in message
    assert "Dòng 4, cột name" in message
    assert "Dòng 5, cột valid_from" in message
    assert "Dòng 6, cột kind" in message
    assert AdministrativeUnit.objects.get(code="23401").name == "Đăk Tô"
    assert not AdministrativeUnit.objects.filter(code__startswith="9999").exists()


@pytest.mark.django_db
def test_missing_columns_and_missing_file(tmp_path):
    bad = tmp_path / "cols.csv"
    bad.write_text("code,name\n1,A\n", encoding="utf-8")
    with pytest.raises(CommandError, match="thiếu cột level"):
        run_import(bad)
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        run_import(tmp_path / "nope.csv")


@pytest.mark.django_db
def test_xlsx_file_and_urban_override(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["90", "Tỉnh Thử", "province", "tỉnh", None, None, None, None, None])
    sheet.append(["901", "Huyện Thử", "district", "huyện", "90", None, None, None, None])
    sheet.append(["90101", "Phường Một", "commune", "phường", "901", datetime.date(2020, 1, 1), None, None, None])
    sheet.append([90102, "Xã Hai", "commune", "xã", 901, None, None, None, None])
    path = tmp_path / "units.xlsx"
    workbook.save(path)
    run_import(path)
    assert AdministrativeUnit.objects.get(code="90101").is_urban is True
    assert AdministrativeUnit.objects.get(code="90101").valid_from == datetime.date(2020, 1, 1)
    commune = AdministrativeUnit.objects.get(code="90102")
    assert commune.is_urban is False
    commune.urban_rule = "urban"
    commune.save()
    assert AdministrativeUnit.objects.get(code="90102").is_urban is True


@pytest.mark.django_db
def test_valid_on_and_search_without_diacritics():
    run_import(DOMAIN_FILE)
    before = AdministrativeUnit.objects.communes().valid_on(datetime.date(2025, 1, 1))
    after = AdministrativeUnit.objects.communes().valid_on(datetime.date(2025, 8, 1))
    assert before.count() == 21 and after.count() == 9
    assert set(AdministrativeUnit.objects.search("dak to").values_list("code", flat=True)) >= {"612", "23401"}
