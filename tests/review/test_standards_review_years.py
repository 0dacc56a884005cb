"""Standards are mapped on REVIEW years (shared/domain/poverty_standards.md, "Standards"): Decision 59/2015
for the reviews of 2015–2020, Decree 07/2021 for 2021–2025, the 2026–2030 standard for 2026–2029; the
2026–2030 standard as published (no absolute line); the data migration that corrects the seeded values and
leaves an administrator's changes alone; classification of a household near the lines at the boundaries."""
import importlib

import pytest
from django.apps import apps as django_apps

from review.classification import classify
from review.models import Assessment, Indicator, PovertyStandard, StandardLine
from review.services import lines_of, standard_for_year
from tests.factories import HouseholdFactory

migration = importlib.import_module("review.migrations.0003_standards_on_review_years")

SEEDED_YEARS = {"QD59-2015": (2016, 2021), "ND07-2021": (2022, 2026), "ND351-2025": (2027, 2030)}
REVIEW_YEARS = {"QD59-2015": (2015, 2020), "ND07-2021": (2021, 2025), "ND351-2025": (2026, 2029)}


def years():
    return {code: (first, last) for code, first, last in
            PovertyStandard.objects.values_list("code", "first_year", "last_year")}


def absolute_lines(code="ND351-2025"):
    return dict(StandardLine.objects.filter(standard__code=code).values_list("area_type", "absolute_line"))


def put_back_the_seed():
    """The values households/0004_standards wrote (what a database built before this change holds)."""
    for code, (first, last) in SEEDED_YEARS.items():
        PovertyStandard.objects.filter(code=code).update(first_year=first, last_year=last)
    PovertyStandard.objects.filter(code="ND351-2025").update(
        name="Chuẩn nghèo đa chiều giai đoạn 2027–2030", note=migration.SEEDED_ND351_NOTE)
    StandardLine.objects.filter(standard__code="ND351-2025", area_type="rural").update(absolute_line=1_900_000)
    StandardLine.objects.filter(standard__code="ND351-2025", area_type="urban").update(absolute_line=2_500_000)


# --- the mapping, as the migrated database holds it ---------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("year, code", [
    (2015, "QD59-2015"), (2020, "QD59-2015"),
    (2021, "ND07-2021"), (2025, "ND07-2021"),
    (2026, "ND351-2025"), (2029, "ND351-2025"),
])
def test_for_year_maps_review_years(year, code):
    assert [s.code for s in PovertyStandard.objects.for_year(year)] == [code]


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2014, 2030])
def test_no_standard_outside_the_review_years(year):
    """2030's review is not the 2026–2030 standard's (the domain file: reviews 2026–2029, lists 2027–2030)."""
    assert not PovertyStandard.objects.for_year(year).exists()


@pytest.mark.django_db
def test_migrated_database_holds_the_review_years_and_the_published_2026_standard():
    assert years() == REVIEW_YEARS
    standard = PovertyStandard.objects.get(code="ND351-2025")
    assert standard.name == "Chuẩn nghèo đa chiều giai đoạn 2026–2030"
    assert "Chưa kiểm chứng" in standard.note and "dự thảo" in standard.note
    lines = {line.area_type: line for line in standard.lines.all()}
    assert {area: (line.income_line, line.absolute_line, line.min_deprivations) for area, line in lines.items()} == {
        "rural": (2_200_000, None, 3), "urban": (2_800_000, None, 3)}
    # Decree 07's list without its indicator 12 (information devices), plus digital services and waste.
    indicators = {i.code: i.name for i in standard.indicators.all()}
    decree_07 = {i.code: i.name for i in Indicator.objects.filter(standard__code="ND07-2021")}
    assert "Phương tiện phục vụ tiếp cận thông tin" not in indicators.values()
    assert {code: indicators[code] for code in map(str, range(1, 12))} == {
        code: decree_07[code] for code in map(str, range(1, 12))}
    assert "Internet" in indicators["12"] and "rác thải" in indicators["13"] and len(indicators) == 13
    # Not read in the decree itself: marked for an administrator to confirm, never in the name (it prints).
    assert all("chưa kiểm chứng" not in indicators[code] for code in ("12", "13"))
    assert all(standard.indicators.values_list("needs_confirmation", flat=True))


# --- the data migration -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_migration_corrects_what_the_seed_wrote():
    put_back_the_seed()
    migration.forward(django_apps, None)
    assert years() == REVIEW_YEARS
    assert absolute_lines() == {"rural": None, "urban": None}
    standard = PovertyStandard.objects.get(code="ND351-2025")
    assert (standard.name, standard.note) == ("Chuẩn nghèo đa chiều giai đoạn 2026–2030", migration.ND351_NOTE)
    migration.forward(django_apps, None)  # twice changes nothing
    assert years() == REVIEW_YEARS


@pytest.mark.django_db
def test_migration_leaves_alone_what_an_administrator_changed():
    put_back_the_seed()
    PovertyStandard.objects.filter(code="ND351-2025").update(last_year=2031, name="Chuẩn do tỉnh sửa",
                                                             note="Ghi chú của tỉnh")
    StandardLine.objects.filter(standard__code="ND351-2025", area_type="rural").update(absolute_line=1_800_000)
    migration.forward(django_apps, None)
    assert years() == {**REVIEW_YEARS, "ND351-2025": (2027, 2031)}
    assert absolute_lines() == {"rural": 1_800_000, "urban": None}
    standard = PovertyStandard.objects.get(code="ND351-2025")
    assert (standard.name, standard.note) == ("Chuẩn do tỉnh sửa", "Ghi chú của tỉnh")


@pytest.mark.django_db
def test_migration_does_not_make_two_standards_share_a_year():
    """An administrator moved the 2026–2030 standard to start with the 2025 review: Decree 07's corrected
    years (2021–2025) would overlap it, so Decree 07 keeps its years for the administrator to settle."""
    put_back_the_seed()
    PovertyStandard.objects.filter(code="ND351-2025").update(first_year=2025)
    migration.forward(django_apps, None)
    assert years() == {"QD59-2015": (2015, 2020), "ND07-2021": (2022, 2026), "ND351-2025": (2025, 2030)}


@pytest.mark.django_db
def test_migration_adds_missing_2026_indicators_and_changes_no_other():
    Indicator.objects.filter(standard__code="ND351-2025", code="13").delete()
    Indicator.objects.filter(standard__code="ND351-2025", code="5").update(name="Tên do tỉnh sửa")
    migration.forward(django_apps, None)
    indicators = dict(Indicator.objects.filter(standard__code="ND351-2025").values_list("code", "name"))
    assert indicators["13"] == "Xử lý rác thải sinh hoạt (chưa kiểm chứng)" and indicators["5"] == "Tên do tỉnh sửa"
    assert len(indicators) == 13


@pytest.mark.django_db
def test_migration_reverses_to_the_seed():
    migration.backward(django_apps, None)
    assert years() == SEEDED_YEARS
    assert absolute_lines() == {"rural": 1_900_000, "urban": 2_500_000}
    migration.forward(django_apps, None)
    assert years() == REVIEW_YEARS


@pytest.mark.django_db
def test_existing_assessments_keep_their_stored_standard_and_class(users, assess):
    """A 2021 assessment stored under Decision 59 (the seeded mapping) stays so after the correction."""
    household = HouseholdFactory(code="OLD-2021", commune_id="90102")
    put_back_the_seed()
    stored = assess(household, 2021, income=650_000, deprivations=["1"])
    assert (stored.standard.code, stored.classification) == ("QD59-2015", "poor")  # 650,000 ≤ absolute 700,000
    migration.forward(django_apps, None)
    stored.refresh_from_db()
    assert (stored.standard.code, stored.classification) == ("QD59-2015", "poor")
    assert standard_for_year(2021).code == "ND07-2021"


# --- classification at the boundaries, computed by hand from the domain table ------------------------

def by_year(year, income, deprivations, urban=False):
    return classify(lines_of(standard_for_year(year), urban), deprivations=deprivations, income=income)


@pytest.mark.django_db
@pytest.mark.parametrize("income, deprivations, urban, year, expected", [
    # 2020 (Decision 59, rural: income line 1,000,000, absolute line 700,000) / 2021 (Decree 07, rural 1,500,000)
    (1_200_000, 3, False, 2020, "not_poor"),   # 1,200,000 > 1,000,000; no average class under Decision 59
    (1_200_000, 3, False, 2021, "poor"),       # ≤ 1,500,000 and 3 deprivations
    (900_000, 1, False, 2020, "near_poor"),    # above the absolute 700,000: ≤ 1,000,000 with < 3 deprivations
    (900_000, 1, False, 2021, "near_poor"),    # ≤ 1,500,000 with < 3
    (650_000, 1, False, 2020, "poor"),         # ≤ the absolute line 700,000
    (650_000, 1, False, 2021, "near_poor"),    # Decree 07 has no absolute line
    # 2025 (Decree 07: rural 1,500,000, average 2,250,000; urban 2,000,000 / 3,000,000) / 2026 (2,200,000 / 2,800,000)
    (2_000_000, 3, False, 2025, "not_poor"),   # > 1,500,000 (no "average" from the review: its own procedure)
    (2_000_000, 3, False, 2026, "poor"),       # ≤ 2,200,000 and 3 deprivations
    (1_800_000, 0, False, 2025, "not_poor"),
    (1_800_000, 0, False, 2026, "near_poor"),  # the draft absolute line 1,900,000 would have said poor
    (2_300_000, 5, False, 2025, "not_poor"),   # > 2,250,000
    (2_300_000, 5, False, 2026, "not_poor"),   # > 2,200,000 (no average line for 2026–2030 yet)
    (2_400_000, 1, True, 2025, "not_poor"),    # urban: > 2,000,000
    (2_400_000, 1, True, 2026, "near_poor"),   # urban: ≤ 2,800,000 with < 3 (draft absolute 2,500,000: poor)
    (2_800_000, 3, True, 2026, "poor"),
])
def test_classification_at_the_boundaries(income, deprivations, urban, year, expected):
    assert by_year(year, income, deprivations, urban) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("year, income, deprivations, standard, expected", [
    (2020, 1_200_000, ["1", "2", "3"], "QD59-2015", "not_poor"),
    (2021, 1_200_000, ["1", "2", "3"], "ND07-2021", "poor"),
    (2020, 900_000, ["1"], "QD59-2015", "near_poor"),
    (2025, 2_000_000, ["1", "2", "3"], "ND07-2021", "not_poor"),
    (2026, 2_000_000, ["1", "2", "13"], "ND351-2025", "poor"),
    (2026, 1_800_000, [], "ND351-2025", "near_poor"),
])
def test_a_saved_assessment_takes_the_standard_of_its_review_year(users, assess, year, income, deprivations, standard,
                                                                  expected):
    household = HouseholdFactory(code=f"B-{year}-{income}", commune_id="90102")  # a rural commune (xã)
    assessment = assess(household, year, income=income, deprivations=deprivations)
    assert (assessment.standard.code, assessment.classification) == (standard, expected)
    assert Assessment.objects.get(pk=assessment.pk).standard.code == standard
