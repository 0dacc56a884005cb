"""A save applies only the inputs its caller gives, on top of the stored assessment: whatever a form or a
payload does not carry keeps its stored value, on every path (service, worksheet, API, admin)."""
import pytest
from rest_framework.test import APIClient

from review.models import Assessment, PovertyReason
from review.services import assessment_save
from tests.factories import HouseholdFactory

NOTES = "Chủ hộ khuyết tật, sống một mình"
LABOUR_REASON = "Chủ hộ bệnh nặng, không lao động được"


@pytest.fixture
def full(users):
    """An assessment with every input set, none of them at its default."""
    household = HouseholdFactory(code="FULL-1", commune_id="90102")
    return assessment_save(
        acting_user=users["admin"], household=household, year=2024, income_per_capita=1_200_000, b1_score=40,
        deprivations=["1", "4", "9"], no_labour_capacity=True, labour_override_reason=LABOUR_REASON,
        has_meritorious_member=True, has_social_protection_member=True, reasons=list(PovertyReason.objects.order_by("position")[:2]),
        notes=NOTES,
    )


def stored(assessment):
    """Every stored field of the assessment but the derived class and movement and the bookkeeping."""
    a = Assessment.objects.get(pk=assessment.pk)
    return {
        "income_per_capita": a.income_per_capita, "b1_score": a.b1_score, "deprivations": a.deprivation_codes,
        "no_labour_capacity": a.no_labour_capacity, "labour_override_reason": a.labour_override_reason,
        "has_meritorious_member": a.has_meritorious_member,
        "has_social_protection_member": a.has_social_protection_member, "is_ethnic_minority": a.is_ethnic_minority,
        "notes": a.notes, "reasons": sorted(a.reasons.values_list("name", flat=True)),
        "standard": a.standard_id, "commune": a.commune_id, "village": a.village_id, "is_urban": a.is_urban,
        "review_round": a.review_round_id,
    }


def test_fixture_sets_every_input(db, full):
    before = stored(full)
    assert before["has_social_protection_member"] and before["no_labour_capacity"] and before["is_ethnic_minority"]
    assert before["notes"] == NOTES and len(before["reasons"]) == 2 and before["b1_score"] == 40


# --- the service -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_service_applies_only_the_inputs_given(full, users):
    before = stored(full)
    saved = assessment_save(acting_user=users["district"], household=full.household, year=2024,
                            income_per_capita=5_000_000, expected_version=full.version)
    assert stored(saved) == {**before, "income_per_capita": 5_000_000}
    saved = assessment_save(acting_user=users["district"], household=full.household, year=2024, notes="",
                            has_social_protection_member=False, reasons=[])
    assert stored(saved) == {**before, "income_per_capita": 5_000_000, "notes": "",
                             "has_social_protection_member": False, "reasons": []}


@pytest.mark.django_db
def test_service_defaults_on_creation_and_refuses_unknown_inputs(users):
    household = HouseholdFactory(code="NEW-1", commune_id="90102")
    with pytest.raises(TypeError, match="classification"):
        assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=1,
                        classification="poor")
    created = assessment_save(acting_user=users["admin"], household=household, year=2024, income_per_capita=1)
    values = stored(created)
    assert (values["b1_score"], values["deprivations"], values["notes"], values["reasons"]) == (None, [], "", [])
    assert not (values["no_labour_capacity"] or values["has_meritorious_member"]
                or values["has_social_protection_member"])


# --- the worksheet -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_worksheet_save_keeps_what_the_worksheet_does_not_show(client, users, full):
    before = stored(full)
    client.force_login(users["district"])
    prefix = f"h{full.household_id}"
    response = client.post("/review/90102/2024/", {
        f"{prefix}-version": str(full.version), f"{prefix}-income": "1.500.000", f"{prefix}-b1": "40",
        f"{prefix}-deprivations": ["1", "4", "9"], f"{prefix}-no_labour": "on", f"{prefix}-meritorious": "on",
    })
    assert response.status_code == 302
    assert stored(full) == {**before, "income_per_capita": 1_500_000}
    # what the worksheet does show is applied, unticking included
    response = client.post("/review/90102/2024/", {
        f"{prefix}-version": str(Assessment.objects.get(pk=full.pk).version), f"{prefix}-income": "1.500.000",
        f"{prefix}-b1": "", f"{prefix}-deprivations": ["1"],
    })
    assert response.status_code == 302
    assert stored(full) == {**before, "income_per_capita": 1_500_000, "b1_score": None, "deprivations": ["1"],
                            "no_labour_capacity": False, "labour_override_reason": "",
                            "has_meritorious_member": False}


# --- the API -----------------------------------------------------------------------------------------

@pytest.fixture
def api(users):
    client = APIClient()
    client.force_authenticate(users["district"])
    return client


@pytest.mark.django_db
def test_api_patch_keeps_what_the_payload_does_not_carry(api, full):
    before = stored(full)
    url = f"/api/v1/assessments/{full.pk}/"
    response = api.patch(url, {"income_per_capita": 5_000_000, "version": full.version}, format="json")
    assert response.status_code == 200, response.json()
    assert stored(full) == {**before, "income_per_capita": 5_000_000}
    body = response.json()
    assert (body["has_social_protection_member"], body["notes"]) == (True, NOTES)
    assert body["income_per_capita"] == 5_000_000 and body["version"] == full.version + 1


@pytest.mark.django_db
def test_api_writes_social_protection_and_notes(api, full):
    before = stored(full)
    response = api.patch(f"/api/v1/assessments/{full.pk}/", {
        "has_social_protection_member": False, "notes": "Đã có việc làm", "version": full.version}, format="json")
    assert response.status_code == 200, response.json()
    assert stored(full) == {**before, "has_social_protection_member": False, "notes": "Đã có việc làm"}
    household = HouseholdFactory(code="API-NEW", commune_id="90102")
    created = api.post("/api/v1/assessments/", {
        "household": "API-NEW", "year": 2024, "income_per_capita": 1_000_000,
        "has_social_protection_member": True, "notes": "Mới rà soát"}, format="json")
    assert created.status_code == 201, created.json()
    assessment = Assessment.objects.get(household=household)
    assert (assessment.has_social_protection_member, assessment.notes) == (True, "Mới rà soát")


@pytest.mark.django_db
def test_api_put_keeps_inputs_it_does_not_carry(api, full):
    before = stored(full)
    response = api.put(f"/api/v1/assessments/{full.pk}/", {
        "household": "FULL-1", "year": 2024, "income_per_capita": 1_300_000, "version": full.version}, format="json")
    assert response.status_code == 200, response.json()
    assert stored(full) == {**before, "income_per_capita": 1_300_000}


# --- the admin ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_admin_change_form_keeps_what_the_post_does_not_carry(client, users, full):
    before = stored(full)
    client.force_login(users["district"])
    url = f"/admin/review/assessment/{full.pk}/change/"
    reasons = [str(pk) for pk in full.reasons.values_list("pk", flat=True)]
    # as a browser sends the form: every field, only the income changed
    response = client.post(url, {
        "loaded_version": str(full.version), "income_per_capita": "1500000", "b1_score": "40",
        "deprivation_codes": ["1", "4", "9"], "no_labour_capacity": "on", "has_meritorious_member": "on",
        "has_social_protection_member": "on", "reasons": reasons, "notes": NOTES,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert stored(full) == {**before, "income_per_capita": 1_500_000}
    # text and number inputs that are not on the submitted page keep their stored values
    response = client.post(url, {
        "loaded_version": str(Assessment.objects.get(pk=full.pk).version), "income_per_capita": "1600000",
        "deprivation_codes": ["1", "4", "9"], "no_labour_capacity": "on", "has_meritorious_member": "on",
        "has_social_protection_member": "on", "reasons": reasons,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert stored(full) == {**before, "income_per_capita": 1_600_000}
