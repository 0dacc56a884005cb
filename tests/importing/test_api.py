"""The import's API (importing.api): a read-only role is refused by role, 403 with the import's message, before
its file is looked at (it used to be refused after reading, as an error of the file)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from households.models import Household

READ_ONLY = "Tài khoản của bạn chỉ được xem, không được nhập dữ liệu."


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"file": "not a workbook"}])
def test_a_leader_posting_an_import_gets_403_with_the_message(users, body):
    client = APIClient()
    client.force_authenticate(users["leader"])
    if body.get("file"):
        body = {"file": SimpleUploadedFile("so.xlsx", b"PK\x03\x04 not really")}
    answer = client.post("/api/v1/imports/", body, format="multipart")
    assert answer.status_code == 403 and answer.json() == {"detail": READ_ONLY}
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_the_import_page_refuses_a_leader_with_the_same_message(users, client):
    client.force_login(users["leader"])
    for page in (client.get("/import/"), client.post("/import/", {})):
        assert page.status_code == 403 and READ_ONLY in page.content.decode()
