"""Worksheet lost update: a row unassessed when the page loaded (blank version) is "create only". If someone
else assessed the household meanwhile, saving the page is a conflict on that row and nothing is saved."""
import pytest

from review.models import Assessment
from tests.factories import HouseholdFactory

URL = "/review/90102/2024/"


@pytest.fixture
def rows(users):
    return [HouseholdFactory(code=f"LU-{n}", commune_id="90102") for n in range(2)]


@pytest.mark.django_db
def test_row_assessed_by_someone_else_meanwhile_is_a_conflict(client, users, rows, assess):
    client.force_login(users["district"])
    page = client.get(URL)
    assert {h.code: form["version"].value() for h, _, form in page.context["rows"]} == {"LU-0": None, "LU-1": None}
    theirs = assess(rows[1], 2024, income=1_200_000, deprivations=["1", "4", "9"], user=users["admin"])
    response = client.post(URL, {
        f"h{rows[0].pk}-version": "", f"h{rows[0].pk}-income": "2.000.000",
        f"h{rows[1].pk}-version": "", f"h{rows[1].pk}-income": "9.000.000",
    })
    assert response.status_code == 200
    form = {h.code: form for h, _, form in response.context["rows"]}["LU-1"]
    assert "vừa được người khác rà soát" in " ".join(form.non_field_errors())
    stored = Assessment.objects.get(pk=theirs.pk)
    assert (stored.income_per_capita, stored.version) == (1_200_000, theirs.version)
    assert not Assessment.objects.filter(household=rows[0]).exists()  # all or nothing


@pytest.mark.django_db
def test_untouched_blank_row_assessed_meanwhile_does_not_block_the_page(client, users, rows, assess):
    client.force_login(users["district"])
    theirs = assess(rows[1], 2024, income=1_200_000, user=users["admin"])
    response = client.post(URL, {
        f"h{rows[0].pk}-version": "", f"h{rows[0].pk}-income": "2.000.000",
        f"h{rows[1].pk}-version": "",
    })
    assert response.status_code == 302
    assert Assessment.objects.get(household=rows[0]).income_per_capita == 2_000_000
    assert Assessment.objects.get(pk=theirs.pk).income_per_capita == 1_200_000
