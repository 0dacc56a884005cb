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
def test_overlapping_periods_of_one_unit_are_refused(tmp_path, client):
    """A unit is in one state on any day: the reports place a household by the version of its village in force on
    a day (review.placement), and two versions in force together would count it twice (issue 28)."""
    run_import(DOMAIN_FILE)
    bad = tmp_path / "overlap.csv"
    bad.write_text(HEADER + "23437-09,Chín,village,thôn,23437,,2025-06-30,,\n"
                   + "23437-09,Chín,village,thôn,23401,2025-06-01,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Dòng 3, cột valid_from: mã 23437-09 có hai giai đoạn chồng lên nhau"):
        run_import(bad)
    assert not AdministrativeUnit.objects.filter(code="23437-09").exists()
    from accounts.services import officer_save

    admin, _ = officer_save(username="root", role="admin", password="x", check_password=False)
    client.force_login(admin)
    page = "/admin/areas/administrativeunit/23401/change/"
    form = {"name": "Đăk Tô", "level": "commune", "kind": "xã", "parent": "51", "urban_rule": "kind",
            "valid_from": "2025-07-01", "valid_to": "", "successor": "", "note": "",
            "versions-TOTAL_FORMS": "2", "versions-INITIAL_FORMS": "0",
            "versions-0-valid_from": "", "versions-0-valid_to": "2025-06-30", "versions-0-name": "Đắk Tô",
            "versions-0-kind": "thị trấn", "versions-0-parent": "612",
            "versions-1-valid_from": "2025-06-01", "versions-1-valid_to": "", "versions-1-name": "Đăk Tô",
            "versions-1-kind": "xã", "versions-1-parent": "51"}
    versions_before = AdministrativeUnit.objects.get(code="23401").versions.count()
    response = client.post(page, form)
    assert response.status_code == 200 and "Hai giai đoạn của đơn vị chồng lên nhau" in response.content.decode()
    assert AdministrativeUnit.objects.get(code="23401").versions.count() == versions_before


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
