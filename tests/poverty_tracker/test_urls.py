"""Admin pages of models that left `households` in the split answer at their new app; old links redirect."""
import pytest


@pytest.mark.parametrize("old, new", [
    ("/admin/households/assessment/12/change/?_changelist_filters=year%3D2024",
     "/admin/review/assessment/12/change/?_changelist_filters=year%3D2024"),
    ("/admin/households/administrativeunit/", "/admin/areas/administrativeunit/"),
    ("/admin/households/officer/3/history/", "/admin/accounts/officer/3/history/"),
])
def test_old_admin_links_redirect_to_the_new_app(client, old, new):
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new


@pytest.mark.django_db
def test_models_that_stayed_keep_their_admin_pages(client, users):
    client.force_login(users["admin"])
    assert client.get("/admin/households/household/").status_code == 200
    assert client.get("/admin/review/assessment/").status_code == 200
