"""The data version that keys cached reports changes whenever committed data changes, whatever the order in
which concurrent writers took their history ids and committed."""
import pytest

from reports import cache as report_cache
from reports.poverty import poverty_summary
from review.services import assessment_save
from tests.concurrency import ON_POSTGRESQL, Worker, committing
from tests.factories import HouseholdFactory


def reviewed(summary):
    total = summary["total"]
    return total["poor"] + total["near_poor"] + total["average"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite has one writer at a time: its ids follow commit order")
@committing
def test_a_write_committed_after_a_later_one_still_changes_the_cached_report(users):
    """An import takes history ids 90–99 and commits after an edit that took 100: the newest id is 100 before
    and after the import's commit. A report computed between the two commits must not stay cached without
    the import's rows (it did: the version was only the newest ids)."""
    admin, district = users["admin"], users["district"]
    assessment_save(acting_user=admin, household=HouseholdFactory(code="DVR-1", commune_id="90101"), year=2024,
                    income_per_capita=1_000_000, deprivations=["1", "4", "9"])
    importing = Worker(lambda: assessment_save(
        acting_user=admin, household=HouseholdFactory(code="DVR-2", commune_id="90101"), year=2024,
        income_per_capita=1_000_000, deprivations=["4"]), hold=True)
    importing.start()
    try:
        assert importing.inside.wait(10) and importing.error is None
        # a later writer in another commune takes higher ids and commits first
        assessment_save(acting_user=admin, household=HouseholdFactory(code="DVR-3", commune_id="90102"), year=2024,
                        income_per_capita=1_000_000, deprivations=["4"])
        assert report_cache.PENDING in report_cache.data_version()
        assert reviewed(poverty_summary(user=district, area_code="901", year=2024)) == 2  # cached
    finally:
        importing.finish()
    assert importing.error is None
    assert report_cache.PENDING not in report_cache.data_version()
    assert reviewed(poverty_summary(user=district, area_code="901", year=2024)) == 3
