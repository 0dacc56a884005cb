"""The worksheet saves a page in bulk (issue 27): a number of queries that does not grow with the rows, and the
same results, versions, movements and audit rows as the row-by-row service (review.assessments.assessment_save)
gives for the same inputs."""
import datetime
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households.models import Household
from review.models import Assessment
from review.services import assessment_save
from tests.factories import HouseholdFactory, MemberFactory

URL = "/review/90102/2024/"
INCOMES = [1_000_000, 1_900_000, 2_600_000, 6_000_000]  # poor or near-poor by deprivations, near-poor, average, not
DEPRIVATIONS = [["1", "4", "9"], [], ["2"], ["1", "3", "5", "7"]]
REASON = "Chủ hộ ốm nặng cả năm"


def _scenario(prefix, count, users):
    """`count` households of xã Hai, each in one of the shapes a page holds: a result of 2024 to change (with a
    result of 2023 before it and of 2025 after it, whose movements follow), a new result, a household registered
    during 2024 (its date moves back to 1 January), a member outside working age (the labour derivation)."""
    households = []
    for number in range(count):
        registered = datetime.date(2024, 6, 1) if number % 5 == 3 else datetime.date(2015, 1, 1)
        household = HouseholdFactory(code=f"{prefix}-{number:03d}", commune_id="90102", registered_on=registered)
        if number % 7 == 2:
            MemberFactory(household=household, birth_year=1950)
        if number % 2 == 0:
            save(users["admin"], household, 2024, income_per_capita=3_000_000)
        if number % 4 == 0:
            save(users["admin"], household, 2023, income_per_capita=1_000_000, deprivations=["1", "4", "9"])
        if number % 6 == 0:
            save(users["admin"], household, 2025, income_per_capita=1_500_000)
        households.append(household)
    return households


def save(user, household, year, **inputs):
    return assessment_save(acting_user=user, household=household, year=year, **inputs)


def _inputs(number):
    """What the officer types in row `number`: the worksheet's inputs, as assessment_save takes them."""
    inputs = {"income_per_capita": INCOMES[number % 4], "b1_score": None, "deprivations": DEPRIVATIONS[number % 4],
              "no_labour_capacity": False, "has_meritorious_member": number % 3 == 0}
    if number % 8 == 1:  # an override of the derived value, with its reason
        inputs.update(no_labour_capacity=True, labour_override_reason=REASON)
    return inputs


def _post(households):
    """The page's POST: every row changed, each with the version it was loaded with."""
    stored = {a.household_id: a.version for a in Assessment.objects.filter(year=2024, household__in=households)}
    data = {}
    for number, household in enumerate(households):
        inputs, prefix = _inputs(number), f"h{household.pk}"
        data[f"{prefix}-version"] = str(stored.get(household.pk, ""))
        data[f"{prefix}-income"] = f"{inputs['income_per_capita']:,}".replace(",", ".")
        data[f"{prefix}-deprivations"] = inputs["deprivations"]
        data[f"{prefix}-labour_reason"] = inputs.get("labour_override_reason", "")
        if inputs["no_labour_capacity"]:
            data[f"{prefix}-no_labour"] = "on"
        if inputs["has_meritorious_member"]:
            data[f"{prefix}-meritorious"] = "on"
    return data


def _by_service(households, user):
    """The same inputs through the row-by-row service, as the worksheet used to save them."""
    stored = {a.household_id: a.version for a in Assessment.objects.filter(year=2024, household__in=households)}
    for number, household in enumerate(households):
        inputs = {"labour_override_reason": "", **_inputs(number)}
        version = stored.get(household.pk)
        save(user, household, 2024, expected_version=version, create_only=version is None, **inputs)


def _outcome(households):
    """What an officer (and the audit) sees of each household, by its number on the page."""
    outcome = {}
    for number, household in enumerate(households):
        fresh = Household.objects.get(pk=household.pk)
        rows = Assessment.objects.filter(household=household).order_by("year")
        history = Assessment.history.filter(household_id=household.pk).order_by("year", "history_date", "history_id")
        outcome[number] = {
            "registered_on": fresh.registered_on, "household_version": fresh.version,
            "household_history": [(h.history_type, h.history_user_id, h.registered_on)
                                  for h in fresh.history.order_by("history_date", "history_id")],
            "results": [(a.year, a.classification, a.deprivation_count, a.deprivations, a.movement,
                         a.no_labour_capacity, a.labour_override_reason, a.has_meritorious_member, a.version,
                         a.income_per_capita, a.review_round.commune_id, a.review_round.year, a.is_ethnic_minority,
                         a.livelihood, a.standard_id) for a in rows],
            "history": [(h.year, h.history_type, h.history_user_id, h.version, h.classification, h.movement)
                        for h in history],
        }
    return outcome


@pytest.mark.django_db
def test_a_page_saved_in_bulk_gives_what_the_row_by_row_service_gives(client, users):
    page = _scenario("WB", 24, users)
    twins = _scenario("WS", 24, users)
    client.force_login(users["district"])
    response = client.post(URL, _post(page))
    assert response.status_code == 302, response.context and [f.errors for _, _, f in response.context["rows"]]
    _by_service(twins, users["district"])
    assert _outcome(page) == _outcome(twins)
    shown = _outcome(page)
    assert shown[1]["results"][0][5:7] == (True, REASON)  # the override kept with its reason
    assert shown[3]["registered_on"] == datetime.date(2024, 1, 1)  # registered during 2024: moved back
    assert any(result[0] == 2025 and result[4] != "none" for n in shown for result in shown[n]["results"])


def _measure(client, users, prefix, count):
    households = _scenario(prefix, count, users)
    client.force_login(users["district"])
    data = _post(households)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post(URL, data)
        elapsed = time.perf_counter() - start
    assert response.status_code == 302
    assert Assessment.objects.filter(year=2024, household__in=households).count() == count
    return len(queries), elapsed


@pytest.mark.django_db
def test_a_page_of_100_rows_costs_at_most_40_queries_and_10_rows_cost_as_many(client, users):
    small, _ = _measure(client, users, "S", 10)
    large, elapsed = _measure(client, users, "L", 100)
    print(f"\nworksheet save on {connection.vendor}: 10 rows {small} queries, 100 rows {large} queries, "
          f"{elapsed * 1000:.0f} ms")
    assert large <= 40
    assert large == small


def _notes(response):
    return " ".join(str(message) for message in response.context["messages"])


def _row_errors(response, code):
    form = {household.code: form for household, _, form in response.context["rows"]}[code]
    return form.errors


@pytest.mark.django_db
def test_a_row_changed_by_someone_else_refuses_the_page_naming_the_household(client, users):
    page = _scenario("ST", 6, users)
    client.force_login(users["district"])
    data = _post(page)  # the page as loaded: row 2 at its version then
    save(users["admin"], page[2], 2024, income_per_capita=4_400_000)  # another officer saves row 2 meanwhile
    history = Assessment.history.count()
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "Chưa lưu gì" in _notes(response)
    assert "Kết quả rà soát năm 2024 của hộ ST-002 vừa được người khác sửa" in str(_row_errors(response, "ST-002"))
    assert not _row_errors(response, "ST-000")
    assert Assessment.history.count() == history  # nothing written, not even the rows without a conflict
    assert Assessment.objects.get(household=page[2], year=2024).income_per_capita == 4_400_000
    assert Assessment.objects.get(household=page[0], year=2024).income_per_capita == 3_000_000
    assert not Assessment.objects.filter(household=page[1], year=2024).exists()


@pytest.mark.django_db
def test_a_row_breaking_a_rule_is_named_by_its_field_and_nothing_is_written(client, users):
    page = _scenario("RU", 4, users)
    client.force_login(users["district"])
    data = _post(page)
    data[f"h{page[3].pk}-no_labour"] = "on"  # differs from the members (a man of working age), with no reason
    data[f"h{page[3].pk}-labour_reason"] = ""
    history = Assessment.history.count()
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "Cần ghi lý do" in " ".join(_row_errors(response, "RU-003")["labour_reason"])
    assert not _row_errors(response, "RU-001")
    assert Assessment.history.count() == history
    assert not Assessment.objects.filter(household=page[1], year=2024).exists()


@pytest.mark.django_db
def test_the_page_locks_households_then_rounds_then_results(client, users):
    """The one lock order of review.locks, each table once for the page (PostgreSQL: SQLite has no row locks)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite runs one writer at a time)")
    page = _scenario("LK", 12, users)
    client.force_login(users["district"])
    data = _post(page)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(URL, data).status_code == 302
    locks = [q["sql"] for q in queries.captured_queries if " FOR " in q["sql"]]
    tables = [next(table for table in ("households_household", "households_reviewround", "households_assessment")
                   if f'FROM "{table}"' in sql) for sql in locks]
    assert tables[:3] == ["households_household", "households_reviewround", "households_assessment"]
    assert tables.count("households_household") == 1  # every household of the page at once
