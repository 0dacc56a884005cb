"""The data version that keys cached reports changes whenever committed data changes, whatever the order in
which concurrent writers took their history ids and committed."""
import datetime

import pytest
from django.db import transaction

from areas.models import AdministrativeUnit
from households.models import EthnicGroup, Household
from households.services import household_create, household_update
from reports import cache as report_cache
from reports import year_aggregates
from reports.models import HouseholdCount
from reports.poverty import poverty_summary
from review.models import Assessment
from review.services import assessment_save
from tests.concurrency import ON_POSTGRESQL, Worker, committing
from tests.factories import HouseholdFactory


def reviewed(summary):
    total = summary["total"]
    return total["poor"] + total["near_poor"]


@pytest.mark.slow  # two connections
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


# --- a year's aggregates kept across data versions -----------------------------------------------------------

def aggregates_computed(year=None):
    """The year aggregates computed since the counts were reset: [(kind, year)]."""
    found = []
    for label, count in report_cache.computation_counts().items():
        if label.startswith("poverty."):
            kind, year_part = label.split()[:2]
            found += [(kind.removeprefix("poverty."), int(year_part.removeprefix("year=")))] * count
    return sorted(found) if year is None else sorted(kind for kind, y in found if y == year)


@pytest.fixture
def two_years(users):
    report_cache.reset_computation_counts()
    admin = users["admin"]
    for code, commune in (("YA-1", "90101"), ("YA-2", "90102")):
        household = HouseholdFactory(code=code, commune_id=commune)
        for year in (2023, 2024):
            assessment_save(acting_user=admin, household=household, year=year, income_per_capita=1_000_000,
                            deprivations=["1", "4", "9"])
    yield users
    report_cache.reset_computation_counts()


def district_summary(users, year):
    return poverty_summary(user=users["district"], area_code="901", year=year)


def uncached(users, year, settings):
    settings.REPORT_CACHE_SECONDS = 0
    try:
        return district_summary(users, year)
    finally:
        settings.REPORT_CACHE_SECONDS = 3600


@committing  # kept aggregates are stored only outside a write's transaction
def test_a_household_registered_today_recomputes_no_earlier_year(two_years, settings):
    users = two_years
    before = district_summary(users, 2024)
    assert aggregates_computed() == [("assessments", 2023), ("assessments", 2024), ("registered", 2023),
                                     ("registered", 2024)]
    report_cache.reset_computation_counts()
    household_create(acting_user=users["admin"], code="YA-NEW", commune=AdministrativeUnit.objects.get(code="90101"),
                     head_name="Hộ mới", ethnic_group=EthnicGroup.objects.get(code="14"))  # registered today
    after = district_summary(users, 2024)
    assert list(report_cache.computation_counts()) and aggregates_computed() == []  # the report, not its years
    assert after == before == uncached(users, 2024, settings)


@committing  # kept aggregates are stored only outside a write's transaction
def test_a_review_of_one_year_recomputes_that_year_only(two_years, settings):
    users = two_years
    district_summary(users, 2024)
    report_cache.reset_computation_counts()
    assessment_save(acting_user=users["admin"], household=Household.objects.get(code="YA-1"), year=2024,
                    income_per_capita=30_000_000, deprivations=[])  # no longer poor
    after = district_summary(users, 2024)
    assert aggregates_computed() == [("assessments", 2024), ("registered", 2024)]
    assert after["total"]["poor"] == 1 and after["total"]["escaped"] == 1
    assert after == uncached(users, 2024, settings)


@committing  # kept aggregates are stored only outside a write's transaction
def test_a_household_edited_recomputes_every_year(two_years, settings):
    """A move, a changed registration date or ethnic group may change any year the household lived in."""
    users = two_years
    district_summary(users, 2024)
    report_cache.reset_computation_counts()
    household = Household.objects.get(code="YA-1")
    household_update(acting_user=users["admin"], household=household, ethnic_group=EthnicGroup.objects.get(code="01"))
    after = district_summary(users, 2024)
    assert aggregates_computed() == [("assessments", 2023), ("assessments", 2024), ("registered", 2023),
                                     ("registered", 2024)]
    assert after["total"]["ethnic_minority_households"] == 1 and after == uncached(users, 2024, settings)


@committing
def test_an_aggregate_computed_inside_a_write_that_rolls_back_is_not_kept(two_years, settings):
    """A report read inside a write's transaction sees the write; if the write then fails, what was computed
    from it must not be used again (a later write of another year would not make its year look touched)."""
    users = two_years
    assert district_summary(users, 2024)["total"]["poor"] == 2
    with pytest.raises(RuntimeError), transaction.atomic():
        assessment_save(acting_user=users["admin"], household=Household.objects.get(code="YA-1"), year=2024,
                        income_per_capita=30_000_000, deprivations=[])
        assert district_summary(users, 2024)["total"]["poor"] == 1  # its own write, seen inside
        raise RuntimeError("the write fails after the report was read")
    other_year = Assessment.objects.get(household__code="YA-2", year=2023)
    other_year.notes = "ghi chú"
    other_year.save()  # one history row, of 2023 only: the version moves past the rolled-back ids
    HouseholdCount.objects.create(commune_id="90101", year=2020, households=1, ethnic_minority_households=1)
    after = district_summary(users, 2024)
    assert after["total"]["poor"] == 2 and after == uncached(users, 2024, settings)


@pytest.mark.django_db
def test_an_assessment_moved_to_another_year_touches_both_years(two_years):
    version = report_cache.data_version()
    assessment = Assessment.objects.get(household__code="YA-1", year=2023)
    Assessment.objects.filter(pk=assessment.pk).update(year=2022)  # no history row: the version is unchanged
    assessment.refresh_from_db()
    assessment.save()  # a history row with the new year only
    touched = year_aggregates.years_touched(version, report_cache.data_version())
    assert 2022 in touched and 2023 in touched and 2024 not in touched


@pytest.mark.django_db
def test_other_tables_touch_no_year_of_the_aggregates_and_the_map_touches_every_year(two_years):
    users = two_years
    version = report_cache.data_version()
    HouseholdCount.objects.create(commune_id="90101", year=2024, households=10, ethnic_minority_households=5)
    touched = year_aggregates.years_touched(version, report_cache.data_version())
    assert not any(year in touched for year in range(2015, 2030))
    unit = AdministrativeUnit.objects.get(code="90101")
    unit.name = unit.name + " (đổi tên)"
    unit.save()
    assert 1990 in year_aggregates.years_touched(version, report_cache.data_version())
    assert district_summary(users, 2024)["rows"][0]["households"] == 10  # the declared count is read anew


@pytest.mark.django_db
def test_more_writes_than_are_worth_reading_touch_every_year(two_years, monkeypatch):
    version = report_cache.data_version()
    monkeypatch.setattr(year_aggregates, "YEARS_TOUCHED_ROWS", 1)
    for code in ("YA-1", "YA-2"):  # two history rows of 2024 reviews: more than the limit of one
        assessment_save(acting_user=two_years["admin"], household=Household.objects.get(code=code), year=2024,
                        income_per_capita=2_000_000)
    assert 2020 in year_aggregates.years_touched(version, report_cache.data_version())
    monkeypatch.setattr(year_aggregates, "YEARS_TOUCHED_ROWS", 10_000)
    assert 2020 not in year_aggregates.years_touched(version, report_cache.data_version())


def communes_recomputed():
    """The year aggregates recomputed for some communes only since the counts were reset: [(kind, communes)]."""
    return sorted((label.split()[0].removeprefix("poverty."), int(label.rsplit("communes=", 1)[1]))
                  for label in report_cache.computation_counts() if label.startswith("poverty.") and "communes=" in label)


@committing  # kept aggregates are stored only outside a write's transaction
def test_a_review_in_one_commune_recomputes_that_commune_of_that_year_only(two_years, settings):
    """A worksheet's save or an import of one commune recomputes that commune's year, not the province's."""
    users = two_years
    district_summary(users, 2024)
    report_cache.reset_computation_counts()
    assessment_save(acting_user=users["admin"], household=Household.objects.get(code="YA-2"), year=2024,
                    income_per_capita=30_000_000, deprivations=[])
    after = district_summary(users, 2024)
    assert communes_recomputed() == [("assessments", 1), ("registered", 1)]
    assert after["total"]["poor"] == 1 and after == uncached(users, 2024, settings)


@committing  # kept aggregates are stored only outside a write's transaction
def test_a_first_result_in_another_commune_moves_the_household_out_of_its_register_commune(two_years, settings):
    """A household registered in 90102 and reviewed in 90101 counts in 90101 that year: both communes change."""
    users = two_years
    moved = HouseholdFactory(code="YA-3", commune_id="90102", registered_on=datetime.date(2020, 1, 1))
    before = district_summary(users, 2024)
    report_cache.reset_computation_counts()
    first = Assessment.objects.get(household__code="YA-1", year=2024)
    Assessment.objects.create(household=moved, year=2024, standard=first.standard, commune_id="90101",
                              review_round=first.review_round, income_per_capita=30_000_000,
                              classification="not_poor")  # one history row, naming 90101 only
    after = district_summary(users, 2024)
    assert [kind for kind, _ in communes_recomputed()] == ["assessments", "registered"]  # not the whole year
    assert [row["households"] for row in before["rows"]] == [1, 2]  # 90101, 90102
    assert [row["households"] for row in after["rows"]] == [2, 1]
    assert after == uncached(users, 2024, settings)
