"""The procedure over the API (scoped, in the schema) and in the admin (in Vietnamese, read only once written)."""
import pytest
from rest_framework.test import APIClient

from living_standard.models import LivingStandardRequest
from tests.living_standard.conftest import DECIDED, DETERMINED, REQUESTED

API = "/api/v1"


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_the_procedure_over_the_api(users, chair, farm, shop):
    officer = client_of(users["commune"])
    refused = officer.post(f"{API}/living-standard-requests/", {"household": shop.code, "requested_on": str(REQUESTED)},
                           format="json")
    assert refused.status_code == 400 and "household" in refused.json()
    request = officer.post(f"{API}/living-standard-requests/", {"household": farm.code,
                                                               "requested_on": str(REQUESTED)}, format="json")
    assert request.status_code == 201, request.json()
    determination = officer.post(f"{API}/living-standard-determinations/", {
        "request": request.json()["id"], "determined_on": str(DETERMINED), "total_income": 148_800_000,
        "social_assistance": 28_800_000}, format="json")
    assert determination.status_code == 201, determination.json()
    assert (determination.json()["income_per_capita"], determination.json()["meets"]) == (2_500_000, True)
    payload = {"determination": determination.json()["id"], "decision_number": "15/QĐ-UBND",
               "decision_date": str(DECIDED)}
    assert officer.post(f"{API}/living-standard-decisions/", payload, format="json").status_code == 403
    decided = client_of(chair).post(f"{API}/living-standard-decisions/", payload, format="json")
    assert decided.status_code == 201, decided.json()
    listed = client_of(users["district"]).get(f"{API}/living-standard-decisions/",
                                              {"commune": "90101", "year": 2026, "month": 11}).json()
    assert [row["household"] for row in listed["results"]] == [farm.code]
    assert client_of(users["other_commune"]).get(f"{API}/living-standard-decisions/").json()["results"] == []
    schema = client_of(users["admin"]).get(f"{API}/schema/", HTTP_ACCEPT="application/json").json()
    assert {f"{API}/living-standard-requests/", f"{API}/living-standard-determinations/",
            f"{API}/living-standard-decisions/"} <= set(schema["paths"])


@pytest.mark.django_db
def test_the_admin_in_vietnamese(client, users, chair, farm):
    client.force_login(users["commune"])
    page = client.get("/admin/living_standard/livingstandardrequest/add/")
    assert page.status_code == 200 and "Ngày nộp đơn" in page.content.decode()
    response = client.post("/admin/living_standard/livingstandardrequest/add/",
                           {"household": farm.pk, "requested_on": "02/11/2026", "note": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert LivingStandardRequest.objects.get().requested_on == REQUESTED  # 2 November, day first (issue 26.1)
    assert client.get("/admin/living_standard/livingstandarddecision/add/").status_code == 403  # the chairman's
    client.force_login(chair)
    index = client.get("/admin/").content.decode()
    assert "Hộ có mức sống trung bình" in index


@pytest.mark.django_db
def test_the_recognised_list_as_excel(client, users, chair, farm):
    from io import BytesIO

    from openpyxl import load_workbook

    from living_standard.models import LivingStandardDecision
    from living_standard.services import decision_record
    from tests.living_standard.test_services import determine

    decision_record(acting_user=chair, determination=determine(users, farm), decision_number="15/QĐ-UBND",
                    decision_date=DECIDED)
    client.force_login(users["district"])
    response = client.post("/admin/living_standard/livingstandarddecision/", {
        "action": "export_excel", "_selected_action": [LivingStandardDecision.objects.get().pk]})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "DANH SÁCH HỘ CÓ MỨC SỐNG TRUNG BÌNH"
    assert rows[2][1:3] == (farm.code, farm.head_name) and rows[2][5] == 2_500_000 and rows[2][6] == "15/QĐ-UBND"
