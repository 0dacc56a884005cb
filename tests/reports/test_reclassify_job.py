"""Re-classifying the years of a standard from the admin: with workers configured the action confirms the
years and posts them to one job (not seconds of work in the admin's request); the job re-classifies them in
turn and says what changed in each."""
import re
import time

import pytest

from review.models import Assessment, PovertyStandard, StandardLine
from review.services import assessment_save
from tests.factories import HouseholdFactory


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_workers_the_action_confirms_the_years_and_one_job_reclassifies_them(users, client, settings):
    admin = users["admin"]
    household = HouseholdFactory(code="RCJ-1", commune_id="90102")  # a rural commune
    for year in (2023, 2024):
        assessment_save(acting_user=admin, household=household, year=year, income_per_capita=1_600_000,
                        deprivations=["1", "4", "9"])
    before = dict(Assessment.objects.filter(household=household).values_list("year", "classification"))
    line = StandardLine.objects.get(standard__code="ND07-2021", area_type="rural")
    line.income_line = 1_700_000  # the standard corrected: both years' results are now out of date
    line.save()
    client.force_login(admin)
    standard = PovertyStandard.objects.get(code="ND07-2021")

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/13"  # workers configured: the action only confirms
    page = client.post("/admin/review/povertystandard/", {"action": "reclassify_years",
                                                         "_selected_action": [standard.pk]})
    html = page.content.decode()
    assert page.status_code == 200 and 'action="/reports/jobs/reclassify/"' in html
    assert re.findall(r'name="year" value="(\d+)"', html) == ["2023", "2024"]
    assert dict(Assessment.objects.filter(household=household).values_list("year", "classification")) == before

    settings.CELERY_BROKER_URL = ""  # the job itself, here in a thread (tests/test_celery_jobs.py: on a worker)
    job_url = client.post("/reports/jobs/reclassify/", {"year": ["2024", "2023"]}).url
    _wait_for(lambda: client.get(job_url + "status.json").json()["status"] != "running")
    done = client.get(job_url).content.decode()
    assert "Phân loại lại năm 2023, 2024" in done
    assert done.index("Năm 2023:") < done.index("Năm 2024:")
    after = dict(Assessment.objects.filter(household=household).values_list("year", "classification"))
    assert after != before and after[2023] == after[2024]


@pytest.mark.django_db
def test_the_job_refuses_a_bad_year_and_non_administrators(users, client):
    client.force_login(users["district"])
    refused = client.post("/reports/jobs/reclassify/", {"year": "20x4"})  # the role first, then the body
    assert refused.status_code == 403 and "Chỉ quản trị viên được phân loại lại cả năm." in refused.content.decode()
    client.force_login(users["admin"])
    bad = client.post("/reports/jobs/reclassify/", {"year": ["2024", "20x4"]})
    assert bad.status_code == 400 and "20x4" in bad.content.decode()
    assert client.post("/reports/jobs/reclassify/", {}).status_code == 400
