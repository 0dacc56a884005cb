"""The procedure over the API (scoped, in the schema), the admin in Vietnamese, and the list as Excel."""
from io import BytesIO

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from low_income.models import LowIncomeConfirmation
from tests.low_income.conftest import APPLIED, DECIDED, DETERMINED

API = "/api/v1"


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_the_procedure_over_the_api(users, chair, worker):
    officer = client_of(users["commune"])
    assert client_of(users["other_commune"]).post(f"{API}/low-income-applications/", {
        "member": worker.pk, "applied_on": str(APPLIED)}, format="json").status_code == 400  # not theirs
    application = officer.post(f"{API}/low-income-applications/", {"member": worker.pk,
                                                                  "applied_on": str(APPLIED)}, format="json")
    assert application.status_code == 201, application.json()
    assert application.json()["household"] == worker.household.code
    above = officer.post(f"{API}/low-income-determinations/", {
        "application": application.json()["id"], "determined_on": str(DETERMINED), "income_per_month": 3_100_000},
        format="json")
    assert above.status_code == 400 and "income_per_month" in above.json()
    determination = officer.post(f"{API}/low-income-determinations/", {
        "application": application.json()["id"], "determined_on": str(DETERMINED), "income_per_month": 2_800_000},
        format="json")
    assert determination.status_code == 201, determination.json()
    assert determination.json()["income_line"] == 3_000_000
    payload = {"determination": determination.json()["id"], "decision_number": "20/QĐ-UBND",
               "decision_date": str(DECIDED)}
    assert officer.post(f"{API}/low-income-confirmations/", payload, format="json").status_code == 403
    confirmed = client_of(chair).post(f"{API}/low-income-confirmations/", payload, format="json")
    assert confirmed.status_code == 201, confirmed.json()
    listed = client_of(users["district"]).get(f"{API}/low-income-confirmations/",
                                              {"commune": "90101", "year": 2026, "month": 11}).json()
    assert [row["member_name"] for row in listed["results"]] == ["Nguyễn Văn Lao"]
    assert client_of(users["other_commune"]).get(f"{API}/low-income-confirmations/").json()["results"] == []
    schema = client_of(users["admin"]).get(f"{API}/schema/", HTTP_ACCEPT="application/json").json()
    assert {f"{API}/low-income-applications/", f"{API}/low-income-determinations/",
            f"{API}/low-income-confirmations/"} <= set(schema["paths"])


@pytest.mark.django_db
def test_the_admin_in_vietnamese_and_the_list_as_excel(client, users, chair, worker):
    client.force_login(users["commune"])
    page = client.get("/admin/low_income/lowincomeapplication/add/")
    assert page.status_code == 200 and "Ngày nộp đơn" in page.content.decode()
    response = client.post("/admin/low_income/lowincomeapplication/add/",
                           {"member": worker.pk, "applied_on": APPLIED.isoformat(), "note": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    application = worker.low_income_applications.get()
    response = client.post("/admin/low_income/lowincomedetermination/add/", {
        "application": application.pk, "determined_on": DETERMINED.isoformat(),
        "income_per_month": "2500000", "note": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert client.get("/admin/low_income/lowincomeconfirmation/add/").status_code == 403  # the chairman's
    client.force_login(chair)
    assert "Người lao động có thu nhập thấp" in client.get("/admin/").content.decode()
    response = client.post("/admin/low_income/lowincomeconfirmation/add/", {
        "determination": application.determination.pk, "decision_number": "20/QĐ-UBND",
        "decision_date": DECIDED.isoformat(), "notes": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.force_login(users["district"])
    response = client.post("/admin/low_income/lowincomeconfirmation/", {
        "action": "export_excel", "_selected_action": [LowIncomeConfirmation.objects.get().pk]})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "DANH SÁCH NGƯỜI LAO ĐỘNG CÓ THU NHẬP THẤP"
    assert rows[2][1:3] == ("Nguyễn Văn Lao", worker.household.code) and rows[2][6] == 2_500_000


@pytest.mark.django_db
def test_only_administrators_change_the_lines(client, users):
    client.force_login(users["commune"])
    assert client.get("/admin/low_income/lowincomethreshold/add/").status_code == 403
    client.force_login(users["admin"])
    page = client.get("/admin/low_income/lowincomethreshold/")
    assert page.status_code == 200 and "Nghị định 30/2025/NĐ-CP" in page.content.decode()
