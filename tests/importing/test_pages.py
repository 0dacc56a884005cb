"""The import page (preview, commit, cancel, error file, template) and POST /api/v1/imports/."""
import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from households.models import Household
from tests.importing.test_import import GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS
from tests.importing.builders import workbook


@pytest.fixture
def files(tmp_path):
    good = workbook(tmp_path / "good.xlsx", GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS)
    bad = workbook(tmp_path / "bad.xlsx", [["H-9", "X", "99999", "", "14", ""]])
    return good, bad


@pytest.mark.django_db
def test_preview_then_commit(client, users, files):
    good, _ = files
    client.force_login(users["district"])
    with good.open("rb") as handle:
        preview = client.post("/import/", {"file": handle})
    html = preview.content.decode()
    assert preview.status_code == 200 and "Ghi vào sổ" in html and not Household.objects.exists()
    token = preview.context["token"]
    from django.test import Client

    other = Client()
    other.force_login(users["commune"])  # another officer cannot commit someone else's upload
    assert other.post(f"/import/{token}/commit/").status_code == 404
    assert client.post(f"/import/{token}/commit/").status_code == 302
    assert Household.objects.count() == 2
    assert client.post(f"/import/{token}/commit/").status_code == 404  # done once


@pytest.mark.django_db
def test_errors_preview_error_file_and_cancel(client, users, files):
    _, bad = files
    client.force_login(users["district"])
    with bad.open("rb") as handle:
        preview = client.post("/import/", {"file": handle})
    html = preview.content.decode()
    assert "không ghi gì" in html and "Không có xã/phường mã 99999" in html and "Ghi vào sổ" not in html
    token = preview.context["token"]
    marked = load_workbook(io.BytesIO(client.get(f"/import/{token}/errors.xlsx").content))
    sheet = marked["Hộ gia đình"]
    assert sheet.cell(1, sheet.max_column).value == "Lỗi"
    assert "Không có xã/phường mã 99999" in sheet.cell(2, sheet.max_column).value
    assert client.post(f"/import/{token}/cancel/").status_code == 302
    assert client.get(f"/import/{token}/errors.xlsx").status_code == 404
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_template_and_roles(client, users):
    client.force_login(users["commune"])
    template = load_workbook(io.BytesIO(client.get("/import/template.xlsx").content))
    assert template.sheetnames == ["Hộ gia đình", "Nhân khẩu", "Rà soát"]
    assert [c.value for c in template["Rà soát"][1]][:3] == ["Mã hộ", "Năm", "Thu nhập bình quân"]
    client.force_login(users["leader"])
    assert client.get("/import/").status_code == 403


@pytest.mark.django_db
def test_api_import(users, files):
    good, bad = files
    client = APIClient()
    client.force_authenticate(users["district"])
    with good.open("rb") as handle:
        dry = client.post("/api/v1/imports/", {"file": handle, "dry_run": "true"}, format="multipart")
    assert dry.status_code == 200
    assert dry.json()["created"] == {"households": 2, "members": 3, "assessments": 2}
    assert not Household.objects.exists()
    with good.open("rb") as handle:
        done = client.post("/api/v1/imports/", {"file": handle}, format="multipart")
    assert done.status_code == 200 and Household.objects.count() == 2
    with bad.open("rb") as handle:
        failed = client.post("/api/v1/imports/", {"file": handle}, format="multipart")
    assert failed.status_code == 400
    assert failed.json()["errors"][0] == {"sheet": "Hộ gia đình", "row": 2, "column": "Mã xã",
                                          "message": "Không có xã/phường mã 99999."}
    assert client.post("/api/v1/imports/", {}, format="multipart").status_code == 400
