"""Review rounds: who moves them, and a recognised round stays locked on every path."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from review.models import Assessment, ReviewRound, RoundLockedError
from review.services import assessment_delete, round_opinion, round_recognise, round_reopen, round_return, round_submit
from tests.factories import HouseholdFactory
from tests.review.procedure import procedure_days, recognise_in_order


@pytest.fixture
def approved(assess, household, users):
    assessment = assess(household, 2024, income=1_200_000, deprivations=["1", "4", "9"])
    review_round = assessment.review_round
    recognise_in_order(review_round)
    return Assessment.objects.get(pk=assessment.pk)


@pytest.mark.django_db
def test_workflow_permissions_by_role(assess, household, users):
    review_round = assess(household, 2024, income=1_200_000).review_round
    for user in (users["leader"], users["district"]):
        with pytest.raises(PermissionDenied, match="Vai trò của bạn không được"):
            round_submit(acting_user=user, review_round=review_round)
    with pytest.raises(ValidationError, match="không thuộc địa bàn"):
        round_submit(acting_user=users["other_commune"], review_round=review_round)
    round_submit(acting_user=users["commune"], review_round=review_round)
    with pytest.raises(ValidationError, match="lý do"):
        round_return(acting_user=users["district"], review_round=review_round, reason=" ")
    round_return(acting_user=users["district"], review_round=review_round, reason="Thiếu hộ thôn 2")
    review_round.refresh_from_db()
    assert (review_round.status, review_round.return_reason) == ("open", "Thiếu hộ thôn 2")
    round_submit(acting_user=users["commune"], review_round=review_round,
                 reported_on=procedure_days(2024)["reported"])  # the report as it went up, in November 2024
    for user in (users["commune"], users["leader"]):  # the level above's opinion is the district's
        with pytest.raises(PermissionDenied):
            round_opinion(acting_user=user, review_round=review_round, opinion_date=None, opinion="x")
    with pytest.raises(PermissionDenied):  # the district gives its opinion; only the chairman recognises
        round_recognise(acting_user=users["district"], review_round=review_round, decision_number="1",
                        decision_date=None)
    recognise_in_order(review_round)
    with pytest.raises(PermissionDenied):
        round_reopen(acting_user=users["commune"], review_round=review_round, reason="x")
    round_reopen(acting_user=users["district"], review_round=review_round, reason="Sai thu nhập hộ HH-REVIEW")
    reasons = list(review_round.history.values_list("history_change_reason", "status", "history_user__username"))
    assert reasons[0] == ("Mở lại: Sai thu nhập hộ HH-REVIEW", "open", "district")
    assert reasons[1][1:] == ("approved", "admin") and reasons[1][0].startswith("Công nhận: QĐ 125/QĐ-UBND")
    assert ("Báo cáo, xin ý kiến huyện ngày", "submitted", "commune") in [((r[0] or "")[:30], r[1], r[2]) for r in reasons]


@pytest.mark.django_db
def test_locked_round_refuses_services_model_and_querysets(approved, assess, household, users):
    with pytest.raises(RoundLockedError):
        assess(household, 2024, income=9_000_000)
    with pytest.raises(RoundLockedError):
        assessment_delete(acting_user=users["admin"], assessment=approved)
    approved.notes = "sửa thẳng"
    with pytest.raises(RoundLockedError):
        approved.save()
    with pytest.raises(RoundLockedError):
        approved.delete()
    with pytest.raises(RoundLockedError):
        Assessment.objects.filter(pk=approved.pk).update(income_per_capita=1)
    with pytest.raises(RoundLockedError):
        Assessment.objects.all().delete()
    # a new household of the same commune and year cannot join the locked round either
    with pytest.raises(RoundLockedError):
        assess(HouseholdFactory(code="HH-LATE"), 2024, income=1)
    stored = Assessment.objects.get(pk=approved.pk)
    assert (stored.income_per_capita, stored.notes) == (1_200_000, "")
    assert Assessment.objects.count() == 1


@pytest.mark.django_db
def test_locked_round_refuses_the_admin(approved, client, users):
    client.force_login(users["district"])
    url = f"/admin/review/assessment/{approved.pk}/change/"
    data = {"income_per_capita": "9000000", "b1_score": "", "deprivation_codes": ["1"], "notes": "",
            "loaded_version": str(approved.version)}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "đã được công nhận và đang khoá" in str(response.context["adminform"].form.non_field_errors())
    response = client.post(f"/admin/review/assessment/{approved.pk}/delete/", {"post": "yes"}, follow=True)
    assert "đã được công nhận và đang khoá" in response.content.decode()
    response = client.post("/admin/review/assessment/", {
        "action": "delete_selected", "_selected_action": [approved.pk], "post": "yes"}, follow=True)
    assert "đã được công nhận và đang khoá" in response.content.decode()
    add = client.post("/admin/review/assessment/add/", {
        "household": HouseholdFactory(code="HH-ADD").pk, "year": "2024", "income_per_capita": "1",
        "deprivation_codes": [], "notes": ""})
    assert "đã được công nhận và đang khoá" in str(add.context["adminform"].form.non_field_errors())
    assert Assessment.objects.get(pk=approved.pk).income_per_capita == 1_200_000
    assert Assessment.objects.count() == 1
    # after a reopen with a reason, the admin can correct it
    round_reopen(acting_user=users["district"], review_round=ReviewRound.objects.get(), reason="Sửa")
    response = client.post(url, {**data, "loaded_version": str(Assessment.objects.get().version)})
    assert response.status_code == 302
    stored = Assessment.objects.get()
    assert (stored.income_per_capita, stored.classification) == (9_000_000, "not_poor")


@pytest.mark.django_db
def test_admin_add_shows_service_errors_next_to_fields(client, users, household):
    client.force_login(users["commune"])
    response = client.post("/admin/review/assessment/add/", {
        "household": household.pk, "year": "2024", "income_per_capita": "-5", "deprivation_codes": ["1"], "notes": ""})
    assert response.status_code == 200
    assert "không được âm" in " ".join(response.context["adminform"].form.errors["income_per_capita"])
    assert not Assessment.objects.exists()
    response = client.post("/admin/review/assessment/add/", {
        "household": household.pk, "year": "2024", "income_per_capita": "1200000",
        "deprivation_codes": ["1", "4", "9"], "notes": ""})
    assert response.status_code == 302
    assert Assessment.objects.get().classification == "poor"
