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


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_changed_row_whose_result_was_deleted_meanwhile_is_a_conflict(client, users, rows, assess):
    """Issue 24.1: another officer deletes a result while the page is open; the changed row is not re-created."""
    mine = assess(rows[0], 2024, income=3_000_000, user=users["admin"])
    gone = assess(rows[1], 2024, income=1_200_000, deprivations=["1", "4", "9"], user=users["admin"])
    client.force_login(users["district"])
    page = client.get(URL)
    loaded = {h.code: form["version"].value() for h, _, form in page.context["rows"]}
    assert loaded == {"LU-0": mine.version, "LU-1": gone.version}
    assert _api(users["admin"]).delete(f"/api/v1/assessments/{gone.pk}/").status_code == 204
    response = client.post(URL, {
        f"h{rows[0].pk}-version": str(mine.version), f"h{rows[0].pk}-income": "2.000.000",
        f"h{rows[1].pk}-version": str(gone.version), f"h{rows[1].pk}-income": "9.000.000",
        f"h{rows[1].pk}-deprivations": ["1", "4", "9"],
    })
    assert response.status_code == 200
    form = {h.code: form for h, _, form in response.context["rows"]}["LU-1"]
    assert "vừa bị người khác xoá" in " ".join(form.non_field_errors())
    assert "Chưa lưu gì" in " ".join(str(m) for m in response.context["messages"])
    assert not Assessment.objects.filter(household=rows[1], year=2024).exists()
    assert Assessment.objects.get(pk=mine.pk).income_per_capita == 3_000_000  # all or nothing


@pytest.mark.django_db
def test_untouched_row_whose_result_was_deleted_meanwhile_neither_blocks_nor_recreates(client, users, rows, assess):
    mine = assess(rows[0], 2024, income=3_000_000, user=users["admin"])
    gone = assess(rows[1], 2024, income=1_200_000, deprivations=["1", "4", "9"], user=users["admin"])
    client.force_login(users["district"])
    client.get(URL)
    assert _api(users["admin"]).delete(f"/api/v1/assessments/{gone.pk}/").status_code == 204
    response = client.post(URL, {  # the row as the page showed it
        f"h{rows[0].pk}-version": str(mine.version), f"h{rows[0].pk}-income": "2.000.000",
        f"h{rows[1].pk}-version": str(gone.version), f"h{rows[1].pk}-income": "1.200.000",
        f"h{rows[1].pk}-deprivations": ["1", "4", "9"],
    }, follow=True)
    assert response.redirect_chain and response.status_code == 200
    notes = " ".join(str(m) for m in response.context["messages"])
    assert "Đã lưu 1 hộ." in notes and "LU-1 vừa bị người khác xoá" in notes
    assert Assessment.objects.get(pk=mine.pk).income_per_capita == 2_000_000
    assert not Assessment.objects.filter(household=rows[1], year=2024).exists()


@pytest.mark.django_db
def test_service_refuses_an_expected_version_whose_result_is_gone(users, rows, assess):
    """The rule sits in review.assessments: the API and the admin get it too; creation (no version) is unchanged."""
    from core.versioning import ConcurrentEditError
    from review.assessments import assessment_delete, assessment_save

    gone = assess(rows[1], 2024, income=1_200_000, user=users["admin"])
    assessment_delete(acting_user=users["admin"], assessment=gone)
    with pytest.raises(ConcurrentEditError, match="vừa bị người khác xoá"):
        assessment_save(acting_user=users["admin"], household=rows[1], year=2024, income_per_capita=9_000_000,
                        expected_version=gone.version)
    assert not Assessment.objects.filter(household=rows[1], year=2024).exists()
    created = assessment_save(acting_user=users["admin"], household=rows[1], year=2024, income_per_capita=9_000_000)
    assert created.income_per_capita == 9_000_000


@pytest.mark.django_db
def test_a_role_that_only_reads_is_refused_403_when_it_posts_the_worksheet(client, users, rows):
    client.force_login(users["leader"])
    response = client.post(URL, {f"h{rows[0].pk}-version": "", f"h{rows[0].pk}-income": "2.000.000"})
    assert response.status_code == 403
    assert "chỉ được xem" in response.content.decode()
    assert not Assessment.objects.filter(household=rows[0]).exists()
