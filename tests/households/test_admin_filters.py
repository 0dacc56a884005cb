"""The household list's commune and village filters: the user's communes, and the chosen commune's villages
on today's map, read by the database."""
import pytest


def filter_choices(response, parameter):
    """The filter's choices; none when the page leaves the filter out (it has nothing to offer)."""
    specs = [spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", "") == parameter]
    return [code for spec in specs for code, _ in spec.lookup_choices]


@pytest.mark.django_db
def test_the_village_filter_lists_the_chosen_communes_villages_of_today(client, users, moved_village):
    """Thôn Năm (90102-05) has been under 90101 since the 2025 reform: listed there, not under 90102 (its
    code's prefix put it under 90102 before)."""
    client.force_login(users["district"])
    response = client.get("/admin/households/household/?commune=90101")
    assert filter_choices(response, "village") == ["90102-05", "90101-01"]  # by name: "Năm", "Thôn Một"
    response = client.get("/admin/households/household/?commune=90102")
    assert "90102-05" not in filter_choices(response, "village")
    response = client.get("/admin/households/household/")
    assert filter_choices(response, "commune") and filter_choices(response, "village") == []  # a commune first


@pytest.mark.django_db
def test_the_commune_filter_lists_only_the_users_communes(client, users):
    client.force_login(users["commune"])
    assert filter_choices(client.get("/admin/households/household/"), "commune") == ["90101"]
