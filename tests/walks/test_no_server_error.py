"""No input makes the site answer 5xx: a property-based run over the HTML pages' query strings and forms,
and over imported workbooks (the API has its own run over the OpenAPI schema, tests/api/test_schema_fuzz.py).
Runs on SQLite and on PostgreSQL with the suite."""
import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importing.service import households_import
from review.services import assessment_save
from tests.factories import HouseholdFactory
from tests.importing.builders import workbook
from tests.walks.test_scoping_walk import foreign, walk_urls  # noqa: F401 (the walk's fixture and URL list)

FUZZ = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))

# Values that broke pages before: huge and negative numbers, 64-bit edges, text where numbers go, markup.
nasty_text = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["0", "-1", "9" * 25, str(2**63), str(2**63 - 1), "1e309", "NaN", "", " ", "2024.5",
                     "<script>", "'; DROP TABLE x;--", "=1+1", "%00", "𝔘𝔫𝔦", "x" * 500, "../../etc/passwd"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),  # what a cell can hold
)
PARAMETERS = ["year", "area", "format", "comparable", "q", "p", "o", "page", "page_size", "commune", "village",
              "status", "classification", "household", "e", "all", "_changelist_filters"]


@pytest.mark.django_db
def test_no_page_answers_5xx_to_any_query(client, users, foreign):  # noqa: F811
    urls = [url for url in walk_urls(foreign) if "?" not in url and "/logout/" not in url]
    client.force_login(users["district"])

    @FUZZ
    @given(url=st.sampled_from(urls), query=st.dictionaries(st.sampled_from(PARAMETERS), nasty_text, max_size=4))
    def run(url, query):
        response = client.get(url, query)
        assert response.status_code < 500, (url, query, response.status_code)

    run()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_worksheet_answers_a_bad_row_with_its_error(client, users):
    household = HouseholdFactory(code="WS-1", commune_id="90101")
    assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=1_000_000)
    client.force_login(users["commune"])
    page = client.get("/review/90101/2024/")
    assert page.status_code == 200

    @FUZZ
    @given(income=nasty_text, b1=nasty_text, flag=nasty_text, version=nasty_text)
    def run(income, b1, flag, version):
        prefix = f"h{household.pk}"
        form = {f"{prefix}-version": version, f"{prefix}-income": income, f"{prefix}-b1": b1,
                f"{prefix}-no_labour": flag, f"{prefix}-deprivations": ["1", flag]}
        response = client.post("/review/90101/2024/", form)
        assert response.status_code < 500, (income, b1, flag, version, response.status_code)

    run()


cell = st.one_of(nasty_text, st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
                 st.none(), st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2200, 1, 1)))
numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from(["1.200.000", "9" * 30, ""]))


def plausible(choices):
    """Mostly values an officer would type, sometimes anything: the run gets past the first check."""
    return st.one_of(st.sampled_from(choices), st.sampled_from(choices), cell)


household_row = st.tuples(st.just(None), cell, plausible(["90101", "90201", "1"]), plausible(["90101-01", "", "9"]),
                          plausible(["14", "Kinh", "01"]), cell).map(list)
member_row = st.tuples(st.just(None), plausible(["Y A", "x" * 400]), plausible(["Nam", "Nữ"]),
                       plausible([1980, 2010, 2099]), plausible(["14", ""]),
                       plausible(["Chủ hộ", "Con", "Vợ/chồng"]), plausible(["", "062190001234", "9" * 20])).map(list)
review_row = st.tuples(st.just(None), plausible([2020, 2021, 2024, 2026]), numbers, plausible(["", 50, 200, 2**64]),
                       plausible(["", "x"]), plausible(["", "có"]), plausible(["", "x"]), plausible(["", "x"]),
                       plausible(["", "x"])).map(list)


@pytest.mark.django_db
def test_no_workbook_makes_the_import_fail_with_a_server_error(users, tmp_path):
    """Any cell in any column of the three sheets: the import answers with its errors or imports, and the
    check and the commit agree (what the check accepts, the commit writes)."""
    HouseholdFactory(code="EXIST-1", commune_id="90101")

    @FUZZ
    @given(households=st.lists(household_row, max_size=3), members=st.lists(member_row, max_size=3),
           reviews=st.lists(review_row, max_size=3),
           codes=st.lists(st.sampled_from(["EXIST-1", "NEW-1", "NEW-2", "FOREIGN"]), min_size=9, max_size=9))
    def run(households, members, reviews, codes):
        for rows, offset in ((households, 0), (members, 3), (reviews, 6)):
            for number, row in enumerate(rows):
                row[0] = codes[offset + number]  # rows about households that exist, are new or are foreign
        path = workbook(tmp_path / "fuzz.xlsx", households, members, reviews)
        check = households_import(acting_user=users["commune"], path=str(path), filename="fuzz.xlsx", dry_run=True)
        assert not any("Lỗi hệ thống" in str(error) for error in check.errors), check.errors
        if not check.errors:
            done = households_import(acting_user=users["commune"], path=str(path), filename="fuzz.xlsx")
            assert done.errors == [], (households, members, reviews, done.errors)

    run()
