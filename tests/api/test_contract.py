"""The API contract resource by resource, auth, errors, scoping, the 409 lock and query counts."""
import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from households.models import Household, Member
from programs.models import Benefit
from review.models import Assessment, ReviewRound
from review.services import assessment_save
from tests.factories import HouseholdFactory, MemberFactory
from tests.review.procedure import recognise_in_order

API = "/api/v1"


@pytest.fixture(autouse=True)
def _no_throttle_carryover():
    cache.clear()


@pytest.fixture
def api(users):
    def as_user(name):
        client = APIClient()
        client.force_authenticate(users[name])
        return client
    return as_user


@pytest.fixture
def world(users):
    own = HouseholdFactory(code="OWN-1", commune_id="90101")
    MemberFactory(household=own, full_name="Y Con", birth_year=2019)
    foreign = HouseholdFactory(code="FOR-1", commune_id="90201")
    a1 = assessment_save(acting_user=users["admin"], household=own, year=2024, income_per_capita=1_000_000,
                         deprivations=["1", "4", "9"])
    a2 = assessment_save(acting_user=users["admin"], household=foreign, year=2024, income_per_capita=1_000_000,
                         deprivations=["1", "4", "9"])
    b1 = Benefit.objects.create(program_id="CS-BHYT", year=2024, date=datetime.date(2024, 1, 5), household=own)
    b2 = Benefit.objects.create(program_id="CS-BHYT", year=2024, date=datetime.date(2024, 1, 5), household=foreign)
    return {"own": own, "foreign": foreign, "own_assessment": a1, "foreign_assessment": a2, "own_benefit": b1,
            "foreign_benefit": b2}


@pytest.mark.django_db
def test_token_auth_and_unauthenticated(users):
    client = APIClient()
    assert client.get(f"{API}/households/").status_code in (401, 403)
    response = client.post(f"{API}/auth/token/", {"username": "commune", "password": "x"}, format="json")
    assert response.status_code == 200 and len(response.json()["token"]) == 40
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(f"{API}/households/").status_code == 200
    wrong = APIClient().post(f"{API}/auth/token/", {"username": "commune", "password": "sai"}, format="json")
    assert wrong.status_code == 400 and "non_field_errors" in wrong.json()
    missing = APIClient().post(f"{API}/auth/token/", {"username": "commune"}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()


@pytest.mark.django_db
def test_token_endpoint_locks_after_repeated_failures(users, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient()
    for _ in range(3):
        client.post(f"{API}/auth/token/", {"username": "leader", "password": "sai"}, format="json")
    response = client.post(f"{API}/auth/token/", {"username": "leader", "password": "x"}, format="json")
    assert response.status_code in (403, 429)
    assert "token" not in response.json()


@pytest.mark.django_db
def test_household_contract_and_scope(api, world):
    client = api("commune")
    page = client.get(f"{API}/households/").json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert [h["code"] for h in page["results"]] == ["OWN-1"]
    household = page["results"][0]
    assert {"code", "commune", "village", "head_name", "ethnic_group", "address", "status", "members"} <= set(household)
    assert household["commune"] == "90101" and household["ethnic_group"] == "14"
    assert {m["full_name"] for m in household["members"]} == {"Y Con", world["own"].head_name}
    assert client.get(f"{API}/households/FOR-1/").status_code == 404
    assert client.get(f"{API}/households/FOR-1/").json() == {"detail": "Không tìm thấy."} or \
        "detail" in client.get(f"{API}/households/FOR-1/").json()
    found = client.get(f"{API}/households/", {"search": "nguyen van"}).json()
    assert [h["code"] for h in found["results"]] == ["OWN-1"]
    district = api("district").get(f"{API}/households/", {"commune": "901"}).json()
    assert [h["code"] for h in district["results"]] == ["OWN-1"]
    poor = api("admin").get(f"{API}/households/", {"year": 2024, "classification": "poor"}).json()
    assert {h["code"] for h in poor["results"]} == {"OWN-1", "FOR-1"}
    assert api("admin").get(f"{API}/households/", {"classification": "poor"}).status_code == 400


@pytest.mark.django_db
def test_household_create_makes_a_head_and_refuses_bad_input(api, world):
    client = api("commune")
    created = client.post(f"{API}/households/", {"code": "NEW-1", "commune": "90101", "village": "90101-01",
                                                   "head_name": " A  Blưk ", "ethnic_group": "14"}, format="json")
    assert created.status_code == 201, created.json()
    household = Household.objects.get(code="NEW-1")
    assert household.head_name == "A Blưk" and household.members.get().relation_to_head == "head"
    other = client.post(f"{API}/households/", {"code": "NEW-2", "commune": "90201", "head_name": "X",
                                                "ethnic_group": "1"}, format="json")
    assert other.status_code == 400 and "commune" in other.json()
    duplicate = client.post(f"{API}/households/", {"code": "NEW-1", "commune": "90101", "head_name": "X",
                                                    "ethnic_group": "01"}, format="json")
    assert duplicate.status_code == 400 and "code" in duplicate.json()
    assert api("leader").post(f"{API}/households/", {}, format="json").status_code == 403
    stale = client.patch(f"{API}/households/NEW-1/", {"address": "x", "version": 99}, format="json")
    assert stale.status_code == 409 and "detail" in stale.json()
    fresh = client.patch(f"{API}/households/NEW-1/", {"address": "Thôn Một", "version": household.version},
                         format="json")
    assert fresh.status_code == 200 and fresh.json()["address"] == "Thôn Một"


@pytest.mark.django_db
def test_members_contract_and_rules(api, world):
    client = api("commune")
    listed = client.get(f"{API}/members/").json()["results"]
    assert {m["household"] for m in listed} == {"OWN-1"}
    assert set(listed[0]) >= {"id", "household", "full_name", "gender", "birth_year", "ethnic_group",
                              "relation_to_head", "national_id"}
    member = {"household": "OWN-1", "full_name": "B", "gender": "female", "birth_year": 2010, "ethnic_group": "14",
              "relation_to_head": "child"}
    bad_id = client.post(f"{API}/members/", {**member, "national_id": "123"}, format="json")
    assert bad_id.status_code == 400 and "12 chữ số" in bad_id.json()["national_id"][0]
    bad_year = client.post(f"{API}/members/", {**member, "birth_year": 2999}, format="json")
    assert bad_year.status_code == 400 and "tương lai" in bad_year.json()["birth_year"][0]
    second_head = client.post(f"{API}/members/", {"household": "OWN-1", "full_name": "C", "gender": "male",
                                                  "birth_year": 1990, "ethnic_group": "14",
                                                  "relation_to_head": "head"}, format="json")
    assert second_head.status_code == 400
    foreign = client.post(f"{API}/members/", {"household": "FOR-1", "full_name": "D", "gender": "male",
                                              "birth_year": 1990, "ethnic_group": "14",
                                              "relation_to_head": "child"}, format="json")
    assert foreign.status_code == 400 and "household" in foreign.json()
    head = Member.objects.get(household=world["own"], relation_to_head="head")
    assert client.delete(f"{API}/members/{head.pk}/").status_code == 400
    foreign_member = world["foreign"].members.first()
    assert client.get(f"{API}/members/{foreign_member.pk}/").status_code == 404


@pytest.mark.django_db
def test_assessments_contract_lock_and_scope(api, world, users):
    client = api("commune")
    listed = client.get(f"{API}/assessments/", {"year": 2024}).json()["results"]
    assert [a["household"] for a in listed] == ["OWN-1"]
    row = listed[0]
    assert row["classification"] == "poor" and row["movement"] == "newly_poor"
    assert row["deprivations"] == ["1", "4", "9"] and row["standard"] == "ND07-2021" and row["commune"] == "90101"
    assert client.get(f"{API}/assessments/{world['foreign_assessment'].pk}/").status_code == 404
    changed = client.patch(f"{API}/assessments/{row['id']}/", {"income_per_capita": 5_000_000,
                                                                "version": row["version"]}, format="json")
    assert changed.status_code == 200 and changed.json()["classification"] == "not_poor"
    bad = client.post(f"{API}/assessments/", {"household": "OWN-1", "year": 2023, "income_per_capita": -1,
                                              "deprivations": ["13"]}, format="json")
    assert bad.status_code == 400 and {"income_per_capita", "deprivations"} <= set(bad.json())
    duplicate = client.post(f"{API}/assessments/", {"household": "OWN-1", "year": 2024, "income_per_capita": 1},
                            format="json")
    assert duplicate.status_code == 400 and "year" in duplicate.json()
    rounds = client.get(f"{API}/review-rounds/", {"year": 2024}).json()["results"]
    assert [(r["commune"], r["status"]) for r in rounds] == [("90101", "open")]
    submitted = client.post(f"{API}/review-rounds/{rounds[0]['id']}/submit/", {"reported_on": "2024-11-18"},
                            format="json")  # a report made on paper in November, recorded now
    assert submitted.status_code == 200 and submitted.json()["submitted_at"].startswith("2024-11-18")
    # the level above never locks a round: "approve" answers what to do instead, for every role
    for name in ("commune", "district"):
        refused = api(name).post(f"{API}/review-rounds/{rounds[0]['id']}/approve/")
        assert refused.status_code == 400 and "Chủ tịch UBND xã công nhận" in refused.json()["status"][0]
    recognise_in_order(ReviewRound.objects.get(pk=rounds[0]["id"]))  # the chairman's decision locks it
    assert client.get(f"{API}/review-rounds/{rounds[0]['id']}/").json()["status"] == "approved"
    locked = client.patch(f"{API}/assessments/{row['id']}/", {"income_per_capita": 1,
                                                               "version": changed.json()["version"]}, format="json")
    assert locked.status_code == 409 and "đã được công nhận và đang khoá" in locked.json()["detail"]
    assert client.delete(f"{API}/assessments/{row['id']}/").status_code == 409
    assert Assessment.objects.get(pk=row["id"]).income_per_capita == 5_000_000
    reopened = api("district").post(f"{API}/review-rounds/{rounds[0]['id']}/reopen/", {"reason": "Sửa"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"


@pytest.mark.django_db
def test_benefits_and_programs_contract(api, world):
    client = api("commune")
    benefits = client.get(f"{API}/benefits/").json()["results"]
    assert [b["household"] for b in benefits] == ["OWN-1"]
    assert set(benefits[0]) >= {"id", "program", "year", "date", "household", "member", "quantity", "amount"}
    assert client.get(f"{API}/benefits/{world['foreign_benefit'].pk}/").status_code == 404
    fractional = client.post(f"{API}/benefits/", {"program": "CS-AN-TRUA-MG", "year": 2024, "date": "2024-09-01",
                                                  "household": "OWN-1", "quantity": 1, "amount": "1.5"}, format="json")
    assert fractional.status_code == 400 and "amount" in fractional.json()
    outside = client.post(f"{API}/benefits/", {"program": "DA2", "year": 2027, "date": "2027-01-01",
                                               "household": "OWN-1", "quantity": 1, "amount": 1}, format="json")
    assert outside.status_code == 400 and "year" in outside.json()
    ok = client.post(f"{API}/benefits/", {"program": "CS-AN-TRUA-MG", "year": 2024, "date": "2024-09-01",
                                          "household": "OWN-1", "quantity": 9, "amount": 1_440_000}, format="json")
    assert ok.status_code == 201
    programs = client.get(f"{API}/programs/", {"page_size": 500}).json()
    assert {"code": "DA1", "parent": "CTMTQG-GNBV"}.items() <= next(
        p for p in programs["results"] if p["code"] == "DA1").items()
    assert client.get(f"{API}/poverty-standards/ND07-2021/").json()["indicators"][0] == {
        "code": "1", "dimension": "Việc làm", "name": "Việc làm"}
    assert len(client.get(f"{API}/ethnic-groups/").json()) == 54
    areas = client.get(f"{API}/areas/", {"level": "commune"}).json()["results"]
    assert [a["code"] for a in areas] == ["90101"]
    assert api("admin").get(f"{API}/areas/", {"valid_on": "2024-01-01", "parent": "901"}).json()["count"] == 2


@pytest.mark.django_db
def test_reports_contract(api, world):
    client = api("district")
    poverty = client.get(f"{API}/reports/poverty/", {"year": 2024, "area": "901"}).json()
    assert poverty["area"] == {"code": "901", "name": "Huyện Một"} and poverty["year"] == 2024
    total = poverty["total"]
    for key in ["households", "ethnic_minority_households", "poor", "poor_rate", "near_poor", "near_poor_rate",
                "poor_ethnic_minority", "ethnic_minority_poor_rate", "escaped", "newly_poor", "relapsed",
                "near_poor_to_poor", "poor_no_labour_capacity", "poor_meritorious"]:
        assert key in total, key
    assert total["poor"] == 1 and total["poor_rate"] == "100.00"
    assert poverty["rows"][0]["area"]["code"] == "90101"
    spending = client.get(f"{API}/reports/spending/", {"year": 2024, "area": "901"}).json()
    assert spending["rows"][0]["program"] == {"code": "CS-BHYT", "name": "Cấp thẻ bảo hiểm y tế"}
    assert client.get(f"{API}/reports/training/", {"year": 2024, "area": "901"}).status_code == 200
    assert client.get(f"{API}/reports/cooperatives/", {"year": 2024, "area": "901"}).status_code == 200
    assert client.get(f"{API}/reports/poverty/", {"year": "x", "area": "901"}).status_code == 400
    assert client.get(f"{API}/reports/poverty/", {"year": 2024}).status_code == 400
    assert client.get(f"{API}/reports/poverty/", {"year": 2024, "area": "902"}).status_code == 404
    assert client.get(f"{API}/reports/poverty/", {"year": 2024, "area": "nope"}).status_code == 404
    xlsx = client.get(f"{API}/reports/poverty/", {"year": 2024, "area": "901", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db
def test_pagination_limits(api, world):
    client = api("admin")
    for number in range(12):
        HouseholdFactory(code=f"P-{number:02d}", commune_id="90102")
    page = client.get(f"{API}/households/", {"page_size": 5}).json()
    assert len(page["results"]) == 5 and page["count"] == 14 and "page=2" in page["next"]
    capped = client.get(f"{API}/households/", {"page_size": 100000}).json()
    assert len(capped["results"]) == 14
    assert client.get(f"{API}/households/", {"page": 99}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["households", "members", "assessments", "benefits", "review-rounds",
                                      "areas", "cooperative-groups", "training-courses", "community-projects",
                                      "commendations", "budget-allocations", "household-counts", "programs"])
def test_list_queries_do_not_grow_with_length(api, world, users, resource):
    client = api("admin")
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"{API}/{resource}/").status_code == 200
    for number in range(8):
        household = HouseholdFactory(code=f"Q-{number}", commune_id="90102")
        MemberFactory(household=household)
        assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=1)
        Benefit.objects.create(program_id="CS-BHYT", year=2024, date=datetime.date(2024, 1, 5), household=household)
    with CaptureQueriesContext(connection) as large:
        assert client.get(f"{API}/{resource}/").status_code == 200
    assert len(large) == len(small)


@pytest.mark.django_db
def test_schema_and_offline_docs(api):
    client = api("leader")
    schema = client.get(f"{API}/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/households/{code}/" in schema.json()["paths"]
    docs = client.get(f"{API}/docs/").content.decode()
    assert "swagger" in docs.lower()
    import re

    sources = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert sources and all(s.startswith("/") for s in sources), sources


@pytest.mark.parametrize("path", ["/households/", "/auth/token/"])
def test_json_nested_too_deep_is_a_400_not_a_500(api, path):
    """Regression: 100,000 nested brackets raised RecursionError in the JSON parser (HTTP 500)."""
    client = api("admin") if path != "/auth/token/" else APIClient()
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(f"{API}{path}", body, content_type="application/json")
    assert response.status_code == 400
    assert "lồng nhau quá sâu" in response.json()["detail"]


@pytest.mark.django_db
def test_the_import_answer_tells_what_was_written_from_what_would_be(api):
    """Issue 24.6: a refused or checked-only import answers `created` zero and its counts under `would_create`;
    the schema documents both (the contract changed: `would_create`, `would_update` added)."""
    schema = api("leader").get(f"{API}/schema/", HTTP_ACCEPT="application/json").json()
    answer = schema["components"]["schemas"]["ImportAnswer"]["properties"]
    assert {"created", "updated", "would_create", "would_update", "unchanged", "errors", "committed"} <= set(answer)
    post = schema["paths"]["/api/v1/imports/"]["post"]["responses"]
    assert post["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ImportAnswer")
