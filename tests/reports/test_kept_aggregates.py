"""A year's aggregates kept in the database as well as the cache (reports.year_aggregates, issue 27): an emptied
cache (a restart, a deploy) reads them back instead of aggregating the province's years again, brings them up to
date commune by commune, and gives the same figures as a computation from scratch. Spending's benefits are kept
per commune the same way: a benefit written recomputes its household's commune only."""
import datetime

import pytest
from django.core.cache import cache

from households.models import Household
from programs.models import Benefit, Program
from programs.services import benefit_bulk_grant
from reports import cache as report_cache
from reports.dashboard import dashboard_page
from reports.models import KeptAggregate
from reports.poverty import poverty_summary
from reports.spending import spending_summary
from review.models import Assessment
from review.services import assessment_save
from tests.concurrency import committing
from tests.factories import HouseholdFactory

DAY = datetime.date(2024, 9, 1)


@pytest.fixture
def province(users, settings):
    """Two communes of district 901 with a household each, reviewed in 2023 and 2024, each given a lunch."""
    settings.REPORT_CACHE_SECONDS = 3600
    report_cache.reset_computation_counts()
    admin = users["admin"]
    for code, commune in (("KA-1", "90101"), ("KA-2", "90102")):
        household = HouseholdFactory(code=code, commune_id=commune, registered_on=datetime.date(2020, 1, 1))
        for year in (2023, 2024):
            assessment_save(acting_user=admin, household=household, year=year, income_per_capita=1_000_000,
                            deprivations=["1", "4", "9"])
        Benefit.objects.create(program_id="CS-AN-TRUA-MG", year=2024, date=DAY, household=household,
                               amount=300_000, quantity=2)
    yield users
    report_cache.reset_computation_counts()


def computed(prefix):
    """[(label's first word, communes recomputed or None for the whole year)] of the aggregates computed."""
    found = []
    for label, count in report_cache.computation_counts().items():
        if label.startswith(prefix):
            communes = int(label.rsplit("communes=", 1)[1]) if "communes=" in label else None
            found += [(label.split()[0], communes)] * count
    return sorted(found, key=str)


def fresh(function, users, settings, **kwargs):
    """The same report computed from scratch, the cache off."""
    settings.REPORT_CACHE_SECONDS = 0
    try:
        return function(user=users["district"], area_code="901", year=2024, **kwargs)
    finally:
        settings.REPORT_CACHE_SECONDS = 3600


def district(function, users):
    return function(user=users["district"], area_code="901", year=2024)


@committing  # aggregates are kept only outside a write's transaction
def test_an_emptied_cache_reads_the_years_from_the_database(province, settings):
    users = province
    before = district(poverty_summary, users)
    assert {row.name for row in KeptAggregate.objects.all()} == {"poverty.assessments", "poverty.registered"}
    cache.clear()  # a restart of Redis, a deploy
    report_cache.reset_computation_counts()
    after = district(poverty_summary, users)
    assert computed("poverty.") == []  # the report was computed again, its years read back
    assert list(report_cache.computation_counts()) and after == before == fresh(poverty_summary, users, settings)


@committing
def test_after_an_emptied_cache_a_review_recomputes_its_commune_from_the_kept_rows(province, settings):
    users = province
    district(poverty_summary, users)
    cache.clear()
    report_cache.reset_computation_counts()
    assessment_save(acting_user=users["admin"], household=Household.objects.get(code="KA-2"), year=2024,
                    income_per_capita=30_000_000, deprivations=[])  # escapes poverty
    after = district(poverty_summary, users)
    assert computed("poverty.") == [("poverty.assessments", 1), ("poverty.registered", 1)]
    assert after["total"]["poor"] == 1 and after["total"]["escaped"] == 1
    assert after == fresh(poverty_summary, users, settings)
    kept = KeptAggregate.objects.get(name="poverty.assessments", year=2024)
    assert kept.version == report_cache.data_version()  # brought up to date in the database too


@committing
def test_a_benefit_recomputes_its_households_commune_only(province, settings):
    users = province
    before = district(spending_summary, users)
    assert computed("spending.") == [("spending.benefits", None)]
    report_cache.reset_computation_counts()
    benefit_bulk_grant(acting_user=users["admin"], program=Program.objects.get(code="CS-AN-TRUA-MG"), year=2024,
                       date=DAY, quantity=1, amount=50_000,
                       recipients=[(Household.objects.get(code="KA-2"), None)])
    after = district(spending_summary, users)
    assert computed("spending.") == [("spending.benefits", 1)]
    lunch = after["rows"][0]
    assert (lunch["quantity"], lunch["amount"], lunch["households"]) == (5, 650_000, 2)
    assert after["total"]["amount"] == before["total"]["amount"] + 50_000
    assert after == fresh(spending_summary, users, settings)


@committing
def test_a_result_in_another_commune_moves_the_households_benefits_with_it(province, settings):
    """A household of 90102 reviewed in 90101 in 2024 lives in 90101 that year: its benefit is 90101's."""
    users = province

    def commune_90101():  # as the province's officer sees it (a commune officer does not see 90102's household)
        return spending_summary(user=users["admin"], area_code="90101", year=2024)
    assert commune_90101()["total"]["amount"] == 300_000
    report_cache.reset_computation_counts()
    result = Assessment.objects.get(household__code="KA-2", year=2024)
    result.commune_id = "90101"  # reviewed in 90101 that year (an import of that commune's list)
    result.save()
    after = commune_90101()
    assert after["total"]["amount"] == 600_000 and after["rows"][0]["households"] == 2
    # from its kept year, for the places the result was written in (90102, then 90101), not the whole year
    assert computed("spending.") == [("spending.benefits", 2)]
    settings.REPORT_CACHE_SECONDS = 0
    assert after == commune_90101()


@committing
def test_the_dashboard_after_an_emptied_cache_computes_none_of_its_years(province, settings):
    users = province
    settings.REPORT_WARMING = False
    args = dict(user=users["district"], area_code="901", year=2024, years=(2023, 2024))
    first = dashboard_page(**args)
    cache.clear()
    report_cache.reset_computation_counts()
    assert dashboard_page(**args) == first
    assert computed("poverty.") == [] and computed("spending.") == []


@committing
def test_a_communes_recomputation_keeps_the_households_its_villages_then_placed_there(province, moved_village,
                                                                                      settings):
    """A household of Thôn Năm (filed under 90101 since the 2025 reform) without a 2024 result lived in 90102 in
    2024: recomputing 90102 after a write there still counts it (review.placement.could_be_placed_in finds it by
    its village's version, not by its commune)."""
    users = province
    HouseholdFactory(code="KA-3", commune_id="90101", village_id=moved_village.code,
                     registered_on=datetime.date(2020, 1, 1))
    before = district(poverty_summary, users)
    assert [row["households"] for row in before["rows"]] == [1, 2]  # 90101, 90102
    report_cache.reset_computation_counts()
    assessment_save(acting_user=users["admin"], household=Household.objects.get(code="KA-2"), year=2024,
                    income_per_capita=30_000_000, deprivations=[])
    after = district(poverty_summary, users)
    assert computed("poverty.") == [("poverty.assessments", 1), ("poverty.registered", 1)]
    assert [row["households"] for row in after["rows"]] == [1, 2]
    assert after == fresh(poverty_summary, users, settings)


@committing
def test_ids_left_unused_by_a_rolled_back_write_do_not_make_a_small_write_recompute_every_year(province,
                                                                                               monkeypatch):
    """An import previewed (rolled back) takes history ids it never commits; the next save of one result must
    still recompute its commune only (on PostgreSQL the ids' gap is real; SQLite gives them out again)."""
    from django.db import transaction

    from reports import year_aggregates

    users = province
    district(poverty_summary, users)
    monkeypatch.setattr(year_aggregates, "YEARS_TOUCHED_ROWS", 3)
    with transaction.atomic():
        for _ in range(5):  # five history rows, then rolled back
            assessment_save(acting_user=users["admin"], household=Household.objects.get(code="KA-1"), year=2024,
                            income_per_capita=2_000_000)
        transaction.set_rollback(True)
    report_cache.reset_computation_counts()
    assessment_save(acting_user=users["admin"], household=Household.objects.get(code="KA-2"), year=2024,
                    income_per_capita=30_000_000, deprivations=[])
    district(poverty_summary, users)
    assert computed("poverty.") == [("poverty.assessments", 1), ("poverty.registered", 1)]


@committing
def test_a_household_entered_with_an_earlier_registration_recomputes_its_commune_only(province, settings):
    """An import's new households registered from 1 January of the year under review touch that year in their
    commune, not the province's year (they recomputed every commune of the year)."""
    users = province
    before = district(poverty_summary, users)
    report_cache.reset_computation_counts()
    HouseholdFactory(code="KA-NEW", commune_id="90102", registered_on=datetime.date(2024, 1, 1), with_head=False)
    after = district(poverty_summary, users)
    assert computed("poverty.") == [("poverty.assessments", 1), ("poverty.registered", 1)]
    assert [row["households"] for row in before["rows"]] == [1, 1]
    assert [row["households"] for row in after["rows"]] == [1, 2]
    assert after == fresh(poverty_summary, users, settings)
