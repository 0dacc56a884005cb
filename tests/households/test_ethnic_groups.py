"""Ethnic groups are found as people write them (issue 26.8): "Xơ Đăng", "xo dang", "ba na" find Xơ-đăng and
Ba-na — hyphens, spaces, case and diacritics ignored — in the admin (the groups' list and the pickers of the
household and member forms), the API's filters and the import (tests/importing/test_ethnic_names.py), through
one key (core.text.compact_key)."""
import pytest
from rest_framework.test import APIClient

from core.text import compact_key
from households.models import EthnicGroup
from tests.factories import HouseholdFactory, MemberFactory

WRITTEN = {"Xơ Đăng": "14", "xo dang": "14", "XƠ-ĐĂNG": "14", "xodang": "14", "ba na": "13", "Ba Na": "13",
           "ba-na": "13", "14": "14", "1": "01"}


def test_one_key_for_every_way_of_writing_a_name():
    assert {compact_key(text) for text in ("Xơ Đăng", "xo dang", "XƠ-ĐĂNG", "Xơ-đăng", " xo  -  dang ")} == {"xodang"}
    assert compact_key("Ba-na") == compact_key("ba na") == "bana"


@pytest.mark.django_db
@pytest.mark.parametrize(("written", "code"), WRITTEN.items())
def test_the_groups_are_found_by_name_or_code_however_written(written, code):
    assert list(EthnicGroup.objects.matching(written).values_list("code", flat=True)) == [code]


@pytest.fixture
def people(users):
    """A Xơ-đăng household with a Ba-na member (married in), and a Kinh household."""
    xo_dang = HouseholdFactory(code="XD-1", commune_id="90101", ethnic_group=EthnicGroup.objects.get(code="14"))
    MemberFactory(household=xo_dang, full_name="Y Hlăm", ethnic_group=EthnicGroup.objects.get(code="13"))
    HouseholdFactory(code="KI-1", commune_id="90101", ethnic_group=EthnicGroup.objects.get(code="01"))
    return xo_dang


@pytest.mark.django_db
def test_the_admin_lists_and_picks_groups_as_people_write_them(client, users, people):
    client.force_login(users["admin"])
    for written, name in (("xo dang", "Xơ-đăng"), ("Xơ Đăng", "Xơ-đăng"), ("ba na", "Ba-na")):
        page = client.get("/admin/households/ethnicgroup/", {"q": written}).content.decode()
        assert name in page and "1 kết quả" in page, written
        for model in ("household", "member"):  # the pickers of the household's and the member's forms
            found = client.get("/admin/autocomplete/", {"app_label": "households", "model_name": model,
                                                       "field_name": "ethnic_group", "term": written}).json()
            assert [item["text"] for item in found["results"]] == [name], (model, written)


@pytest.mark.django_db
def test_the_api_filters_households_and_members_by_a_group_as_people_write_it(users, people):
    api = APIClient()
    api.force_authenticate(users["admin"])
    for written in ("Xơ Đăng", "xo dang", "xo-dang", "14"):
        households = api.get("/api/v1/households/", {"ethnic_group": written}).json()["results"]
        assert [h["code"] for h in households] == ["XD-1"], written
    members = api.get("/api/v1/members/", {"ethnic_group": "ba na"}).json()["results"]
    assert [m["full_name"] for m in members] == ["Y Hlăm"]
    assert api.get("/api/v1/households/", {"ethnic_group": "không có"}).json()["results"] == []
