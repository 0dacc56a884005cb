"""Pickers offer the places a form can use today: villages of the chosen commune, found by their label."""
import datetime

import pytest

from areas.models import AdministrativeUnit

AUTOCOMPLETE = "/admin/autocomplete/"


def pick(client, field, term="", **extra):
    response = client.get(AUTOCOMPLETE, {"app_label": "households", "model_name": "household", "field_name": field,
                                         "term": term, **extra})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


@pytest.fixture
def villages(areas):
    AdministrativeUnit.objects.create(code="90101-02", name="2", level="village", kind="thôn", parent_id="90101")
    AdministrativeUnit.objects.create(code="90102-02", name="2", level="village", kind="tổ dân phố",
                                      parent_id="90102")
    AdministrativeUnit.objects.create(code="90103", name="Cũ", level="commune", kind="xã", parent_id="901",
                                      valid_to=datetime.date(2025, 6, 30), successor_id="90101")


def test_a_village_is_found_as_it_is_shown(client, users, villages):
    """Regression: typing "Thôn 2", as the list shows it, found nothing (only "2" matched)."""
    client.force_login(users["district"])
    assert pick(client, "village", "Thôn 2") == ["Thôn 2 (90101-02)"]
    assert set(pick(client, "village", "2")) == {"Thôn 2 (90101-02)", "Tổ dân phố 2 (90102-02)"}


def test_the_village_picker_offers_the_chosen_communes_villages(client, users, villages):
    """Regression: every village of the district was offered, whichever commune was chosen."""
    client.force_login(users["district"])
    assert sorted(pick(client, "village", commune="90102")) == ["Thôn Hai (90102-01)", "Tổ dân phố 2 (90102-02)"]


def test_a_merged_commune_is_not_offered_where_households_are_placed_today(client, users, villages):
    client.force_login(users["district"])
    communes = pick(client, "commune")
    assert "Xã Cũ (90103)" not in communes and "Thị trấn Đắk Tô (90101)" in communes
    page = client.get("/admin/households/household/").content.decode()
    assert "?commune=90101" in page and "?commune=90103" not in page
