"""With DJANGO_REDIS_URL set, the report cache and the import jobs' state live in a real Redis
(127.0.0.1:6379 database 15 here), shared by every web process."""
import os

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from households.models import Household
from poverty_tracker.settings import cache_settings
from reports.spending import spending_summary
from tests.importing.builders import workbook
from tests.importing.test_pages import finished
from tests.redis_available import redis_or_skip

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_caches():
    redis_or_skip("the Redis cache tests")
    with override_settings(CACHES=cache_settings(REDIS_URL, None), REPORT_CACHE_SECONDS=60):
        from django.core.cache import caches

        caches["default"].clear()
        yield caches
        caches["default"].clear()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_job_state_and_report_cache_live_in_redis(redis_caches, client, users, tmp_path):
    assert type(redis_caches["imports"]).__name__ == "RedisCache"
    path = workbook(tmp_path / "redis.xlsx", [["R-1", "Y Đức", "90101", "", "14", ""]], None, None)
    client.force_login(users["district"])
    with path.open("rb") as handle:
        job_url = client.post("/import/", {"file": handle}).url
    token = job_url.strip("/").split("/")[-1]
    assert "Ghi vào sổ" in finished(client, job_url).content.decode()
    assert redis_caches["imports"].get(f"import-job:{token}")["result"]["would_create"]["households"] == 1
    client.post(f"/import/{token}/commit/")
    assert finished(client, job_url).url == "/import/" and Household.objects.filter(code="R-1").exists()

    first = spending_summary(user=users["district"], area_code="901", year=2024)
    with CaptureQueriesContext(connection) as cached:
        assert spending_summary(user=users["district"], area_code="901", year=2024) == first
    assert len(cached) == 1  # the data-version query; the result came from Redis
