"""The import page (preview, commit, cancel, error file, template) and POST /api/v1/imports/."""
import io
import time

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core import jobs
from core.jobs import running, store
from households.models import Household
from importing import jobs as import_jobs
from importing.service import households_import
from tests.importing.builders import workbook
from tests.importing.test_import import GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS


@pytest.fixture
def files(tmp_path):
    good = workbook(tmp_path / "good.xlsx", GOOD_HOUSEHOLDS, GOOD_MEMBERS, GOOD_REVIEWS)
    bad = workbook(tmp_path / "bad.xlsx", [["H-9", "X", "99999", "", "14", ""]])
    return good, bad


def finished(client, job_url, seconds=60):
    """Poll the job's status like the page does, then open the job page."""
    deadline = time.monotonic() + seconds
    while True:
        state = client.get(job_url + "status.json").json()
        if state["status"] != "running":
            return client.get(job_url)
        assert time.monotonic() < deadline, state
        time.sleep(0.05)


def uploaded_and_checked(client, user, path):
    """Log in as `user`, upload `path`, wait for the check: the job page's URL."""
    client.force_login(user)
    with path.open("rb") as handle:
        job_url = client.post("/import/", {"file": handle}).url
    finished(client, job_url)
    return job_url


# The check and the import run in a thread with its own database connection: these tests commit for real.
background = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@background
def test_preview_then_commit(client, users, files):
    good, _ = files
    client.force_login(users["district"])
    with good.open("rb") as handle:
        started = client.post("/import/", {"file": handle})
    assert started.status_code == 302
    job_url = started.url
    preview = finished(client, job_url)
    html = preview.content.decode()
    assert preview.status_code == 200 and "Ghi vào sổ" in html and not Household.objects.exists()
    token = preview.context["token"]
    from django.test import Client

    other = Client()
    other.force_login(users["commune"])  # another officer cannot see, commit or follow someone else's upload
    assert other.post(f"/import/{token}/commit/").status_code == 404
    assert other.get(f"/import/{token}/status.json").status_code == 404
    assert client.post(f"/import/{token}/commit/").url == job_url
    done = finished(client, job_url)
    assert done.status_code == 302 and done.url == "/import/"
    assert "Đã nhập tệp good.xlsx: 7 bản ghi mới" in client.get("/import/").content.decode()
    assert Household.objects.count() == 2
    assert client.post(f"/import/{token}/commit/").status_code == 404  # done once


@background
def test_errors_preview_error_file_and_cancel(client, users, files):
    _, bad = files
    client.force_login(users["district"])
    with bad.open("rb") as handle:
        preview = finished(client, client.post("/import/", {"file": handle}).url)
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


@background
def test_progress_is_reported_while_the_job_runs(users, tmp_path):
    """The job's state, as the page polls it, walks through every sheet and every write."""
    rows = [[f"P-{n:05d}", f"Hộ {n}", "90101", "", "14", ""] for n in range(2500)]
    path = workbook(tmp_path / "big.xlsx", rows, None, None)
    seen = []
    original = store.save

    def record(token, **values):
        seen.append((values["status"], values["phase"], values["done"], values["total"]))
        original(token, **values)

    running.REPORT_EVERY_SECONDS, saved = 0, running.REPORT_EVERY_SECONDS
    store.save = record
    try:
        params, fields = import_jobs.params(filename="big.xlsx", dry_run=False)
        jobs.launch("import", user=users["district"], params=params, fields=fields, upload=path,
                    token="t-progress").thread.join(60)
    finally:
        store.save, running.REPORT_EVERY_SECONDS = original, saved
    assert ("running", "Đang kiểm tra trang “Hộ gia đình”", 1000, 2500) in seen
    assert ("running", "Đang kiểm tra trang “Hộ gia đình”", 2500, 2500) in seen
    assert ("running", "Đang ghi vào sổ: hộ gia đình", 2500, 2500) in seen
    assert ("running", "Đang ghi vào sổ: nhân khẩu", 2500, 2500) in seen  # heads from “Họ tên chủ hộ”
    assert seen[-1][0] == "done" and jobs.state("t-progress")["result"]["created"]["households"] == 2500
    assert Household.objects.count() == 2500


@background
def test_a_failed_job_says_so_and_stores_nothing(client, users, files):
    job_url = uploaded_and_checked(client, users["district"], files[0])
    token = job_url.strip("/").split("/")[-1]
    # the officer's account is gone by the time the import runs: the job fails, the page says so
    import_jobs.run(token=token, user_id=0, path="missing.xlsx", filename="good.xlsx", dry_run=False)
    page = client.get(job_url)
    assert page.status_code == 500 and "Lỗi hệ thống: không ghi gì" in page.content.decode()
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_template_and_roles(client, users, tmp_path):
    client.force_login(users["commune"])
    content = client.get("/import/template.xlsx?year=2025").content  # Decree 07's 12 indicators
    template = load_workbook(io.BytesIO(content))
    assert template.sheetnames == ["Hộ gia đình", "Nhân khẩu", "Rà soát", "Hướng dẫn"]
    assert [c.value for c in template["Rà soát"][1]][:3] == ["Mã hộ", "Năm", "Thu nhập bình quân"]
    # Every column of every data sheet is explained, the indicator columns included ...
    guide = {(row[0], row[1]): row[2] for row in template["Hướng dẫn"].iter_rows(min_row=2, values_only=True) if row[1]}
    for name in ("Hộ gia đình", "Nhân khẩu", "Rà soát"):
        for header in [c.value for c in template[name][1] if not str(c.value).startswith("Chỉ số")]:
            assert (name, header) in guide, (name, header)
    assert "bỏ trống = không thiếu hụt" in guide[("Rà soát", "Chỉ số 1 … Chỉ số 12")]
    # ... and no example row waits on a data sheet: the template sent back unfilled imports nothing.
    assert all(template[name].max_row == 1 for name in ("Hộ gia đình", "Nhân khẩu", "Rà soát"))
    path = tmp_path / "mau.xlsx"
    path.write_bytes(content)
    result = households_import(acting_user=users["commune"], path=str(path), filename="mau.xlsx")
    assert result.errors == [] and not Household.objects.exists()
    client.force_login(users["leader"])
    page = client.get("/import/")
    assert page.status_code == 403 and 'type="file"' not in page.content.decode()  # no form to try


@pytest.mark.django_db
def test_api_import(users, files):
    good, bad = files
    client = APIClient()
    client.force_authenticate(users["district"])
    with good.open("rb") as handle:
        dry = client.post("/api/v1/imports/", {"file": handle, "dry_run": "true"}, format="multipart")
    assert dry.status_code == 200
    assert dry.json()["would_create"] == {"households": 2, "members": 3, "assessments": 2}
    assert dry.json()["created"] == {"households": 0, "members": 0, "assessments": 0}
    assert not Household.objects.exists()
    with good.open("rb") as handle:
        done = client.post("/api/v1/imports/", {"file": handle}, format="multipart")
    assert done.status_code == 200 and Household.objects.count() == 2
    assert done.json()["created"] == {"households": 2, "members": 3, "assessments": 2}
    assert done.json()["would_create"] == {"households": 0, "members": 0, "assessments": 0}
    with bad.open("rb") as handle:
        failed = client.post("/api/v1/imports/", {"file": handle}, format="multipart")
    assert failed.status_code == 400
    assert failed.json()["errors"][0] == {"sheet": "Hộ gia đình", "row": 2, "column": "Mã xã",
                                          "message": "Không có xã/phường mã 99999."}
    assert client.post("/api/v1/imports/", {}, format="multipart").status_code == 400


@background
def test_cancel_is_refused_while_the_import_writes(client, users, files):
    job_url = uploaded_and_checked(client, users["district"], files[0])
    token = job_url.strip("/").split("/")[-1]
    # the state a running commit leaves in the job store
    store.save(token, status="running", dry_run=False, phase="Đang ghi vào sổ: hộ gia đình", done=1000, total=2500,
               result=None)
    refused = client.post(f"/import/{token}/cancel/")
    assert refused.url == job_url
    page = client.get(job_url).content.decode()
    assert "không huỷ được giữa chừng" in page and "Đang ghi vào sổ: hộ gia đình: 1.000 / 2.500" in page
    jobs.forget(token)
    assert client.post(f"/import/{token}/cancel/").status_code == 302  # a check, or no job: cancel works
    assert client.get(job_url).status_code == 404


@background
def test_a_check_cancelled_while_it_runs_leaves_no_state(client, users, files):
    job_url = uploaded_and_checked(client, users["district"], files[0])
    token = job_url.strip("/").split("/")[-1]
    client.post(f"/import/{token}/cancel/")  # the file and the job's state are gone
    # the check that was still reading when the officer cancelled now fails on the missing file
    import_jobs.run(token=token, user_id=users["district"].pk, path="gone.xlsx", filename="good.xlsx", dry_run=True)
    assert jobs.state(token) is None
    assert client.get(job_url).status_code == 404
