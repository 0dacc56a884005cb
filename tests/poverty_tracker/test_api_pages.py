"""The API's pages in Vietnamese (issue 26.9): the browsable root, the docs page and the schema's title."""
import re

import pytest


@pytest.fixture
def officer(client, users):
    client.force_login(users["leader"])
    return client


def title_of(page):
    return re.search(r"<title>(.*?)</title>", page.content.decode(), re.S).group(1).strip()


@pytest.mark.django_db
def test_the_api_root_is_named_and_described_in_vietnamese(officer):
    page = officer.get("/api/v1/", HTTP_ACCEPT="text/html")
    html = page.content.decode()
    assert page.status_code == 200
    assert title_of(page) == "Trang gốc của API (phiên bản 1) – API Quản lý hộ nghèo, hộ cận nghèo"
    assert "Các tài nguyên của API (phiên bản 1)" in html and "Django REST framework" not in html
    assert "Api Root" not in html and "The default basic root view" not in html
    assert "households" in officer.get("/api/v1/", HTTP_ACCEPT="application/json").json()  # the index itself


@pytest.mark.django_db
def test_the_docs_page_and_the_schema_have_vietnamese_titles(officer):
    assert title_of(officer.get("/api/v1/docs/")) == "API Quản lý hộ nghèo, hộ cận nghèo"
    schema = officer.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    info = schema.json()["info"]
    assert info["title"] == "API Quản lý hộ nghèo, hộ cận nghèo" and info["description"].startswith("Hộ nghèo")
    assert schema["Content-Disposition"] == 'inline; filename="poverty_tracker-api.json"'
