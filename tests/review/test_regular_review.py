"""Regular (in-year) review (Decision 24/2021/QĐ-TTg): between two annual reviews the commune chairman
recognises a household as poor, near-poor or out of poverty by a decision of its own, effective from a date;
it amends the lists in force (those of the previous review year) without reopening that year's round.
Households' requests put them on the list to review of the review their date falls in."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from households.models import HouseholdStatus
from review.calendar import review_year_of
from review.models import Assessment, Certificate, RegularReview, ReviewRequest, ReviewRound, RoundLockedError
from review.regular import regular_recognise, regular_review_revoke
from review.requests import request_delete, request_save
from review.selectors import class_in_force_on
from tests.factories import HouseholdFactory
from tests.review.procedure import recognise_round, regular_steps

D = datetime.date


def escape(user, household, **extra):
    values = {"classification": "not_poor", "effective_on": D(2025, 3, 15), "decision_number": "12/QĐ-UBND",
              "decision_date": D(2025, 3, 10), **extra}
    return regular_recognise(acting_user=user, household=household, **values)


# --- recognition by role --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_chairman_recognises_an_escape_without_reopening_the_locked_annual_round(everyone, lists_2024):
    assessment = Assessment.objects.get(household=lists_2024["poor"], year=2024)
    review = escape(everyone["chair"], lists_2024["poor"])
    assert (review.year, review.previous_classification, review.classification) == (2024, "poor", "not_poor")
    assert (review.commune_id, review.village_id, review.decision_number) == ("90101", "90101-01", "12/QĐ-UBND")
    # The annual round stays recognised and locked; the annual result is untouched.
    review_round = ReviewRound.objects.get(pk=lists_2024["round"].pk)
    assert review_round.is_locked and review_round.decision_date == D(2024, 12, 15)
    stored = Assessment.objects.get(pk=assessment.pk)
    assert (stored.classification, stored.version) == ("poor", assessment.version)
    # The audit trail names the chairman and the decision.
    record = review.history.get()
    assert record.history_user == everyone["chair"]
    assert "12/QĐ-UBND" in record.history_change_reason


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["commune", "district", "leader", "province"])
def test_only_the_chairman_or_an_administrator_recognises(everyone, lists_2024, role):
    with pytest.raises(PermissionDenied):
        escape(everyone[role], lists_2024["poor"])
    assert not RegularReview.objects.exists()
    assert escape(everyone["admin"], lists_2024["poor"]).classification == "not_poor"


@pytest.mark.django_db
def test_another_communes_chairman_is_refused(everyone, lists_2024):
    with pytest.raises(ValidationError, match="không thuộc địa bàn"):
        escape(everyone["other_chair"], lists_2024["poor"])
    assert not RegularReview.objects.exists()


# --- the class before, and what is refused ------------------------------------------------------------

@pytest.mark.django_db
def test_the_class_before_follows_the_annual_list_then_the_regular_reviews(everyone, lists_2024):
    poor = lists_2024["poor"]
    assert class_in_force_on(poor, D(2025, 1, 1))[0] == "poor"
    escape(everyone["chair"], poor)
    assert class_in_force_on(poor, D(2025, 3, 14))[0] == "poor"
    assert class_in_force_on(poor, D(2025, 3, 15))[0] == "not_poor"
    later = escape(everyone["chair"], poor, classification="near_poor", effective_on=D(2025, 6, 1),
                   decision_number="30/QĐ-UBND", decision_date=D(2025, 5, 28))
    assert later.previous_classification == "not_poor"
    # A household on no list (not reviewed in 2024) was not poor.
    newcomer = HouseholdFactory(code="RR-NEW")
    review = escape(everyone["chair"], newcomer, classification="poor")
    assert (review.previous_classification, review.year) == ("not_poor", 2024)


@pytest.mark.django_db
def test_refusals_name_the_field(everyone, lists_2024):
    chair, poor, near, rich = everyone["chair"], lists_2024["poor"], lists_2024["near"], lists_2024["rich"]

    def refused(household, **extra):
        with pytest.raises(ValidationError) as error:
            escape(chair, household, **extra)
        return error.value.message_dict

    assert "không có gì thay đổi" in refused(rich)["classification"][0]  # not poor already
    assert "không có gì thay đổi" in refused(poor, classification="poor")["classification"][0]
    assert "mức sống trung bình" in refused(near, classification="average")["classification"][0]
    missing = refused(poor, decision_number=" ", decision_date=None, effective_on="")
    assert {"decision_number", "decision_date", "effective_on"} <= set(missing)
    assert "không hợp lệ" in refused(poor, decision_date="31/02/2025")["decision_date"][0]
    # Effective in 2024, it would amend the 2023 lists, which were never recognised here.
    assert "năm 2023 của xã chưa được công nhận" in refused(
        poor, effective_on=D(2024, 12, 20), decision_date=D(2024, 12, 20))["effective_on"][0]
    assert "trước ngày ký" in refused(poor, effective_on=D(2025, 3, 1))["effective_on"][0]
    today = datetime.date.today()
    assert "chưa đến" in refused(poor, decision_date=today + datetime.timedelta(days=1))["decision_date"][0]
    assert "quá 31 ngày" in refused(poor, effective_on=today + datetime.timedelta(days=60))["effective_on"][0]
    assert not RegularReview.objects.exists()


@pytest.mark.django_db
def test_no_regular_review_effective_before_the_lists_recognition(assess, everyone):
    """The 2024 lists recognised on 10/01/2025: a regular review cannot amend them from an earlier day."""
    household = HouseholdFactory(code="RR-LATE")
    review_round = assess(household, 2024, income=1_000_000, deprivations=["1", "4", "9"]).review_round
    recognise_round(everyone, everyone["chair"], review_round, D(2025, 1, 10))
    with pytest.raises(ValidationError) as error:
        escape(everyone["chair"], household, effective_on=D(2025, 1, 5), decision_date=D(2025, 1, 5))
    assert "trước ngày công nhận danh sách năm 2024 (10/01/2025)" in error.value.message_dict["effective_on"][0]
    assert "decision_date" in error.value.message_dict


@pytest.mark.django_db
def test_lists_not_yet_recognised_take_no_regular_review(everyone, lists_2024, assess):
    """Effective in 2026, it would amend the 2025 lists: their round is still open."""
    assess(lists_2024["poor"], 2025, income=1_000_000, deprivations=["1", "4", "9"])
    with pytest.raises(ValidationError, match="năm 2025 của xã chưa được công nhận"):
        escape(everyone["chair"], lists_2024["poor"], effective_on=D(2026, 2, 1), decision_date=D(2026, 1, 20))


@pytest.mark.django_db
def test_no_regular_review_once_the_next_annual_review_is_recognised(everyone, lists_2024, assess):
    review_round = assess(lists_2024["poor"], 2025, income=1_000_000, deprivations=["1", "4", "9"]).review_round
    recognise_round(everyone, everyone["chair"], review_round, D(2025, 12, 12))
    with pytest.raises(ValidationError, match="năm 2025 đã được công nhận"):
        escape(everyone["chair"], lists_2024["poor"], effective_on=D(2025, 12, 20), decision_date=D(2025, 12, 20))
    assert escape(everyone["chair"], lists_2024["poor"], effective_on=D(2025, 12, 1),
                  decision_date=D(2025, 12, 1)).year == 2024


@pytest.mark.django_db
def test_a_decision_cannot_slip_before_one_already_recorded(everyone, lists_2024):
    escape(everyone["chair"], lists_2024["poor"], effective_on=D(2025, 5, 1), decision_date=D(2025, 5, 1))
    with pytest.raises(ValidationError, match="phải có hiệu lực sau ngày đó"):
        escape(everyone["chair"], lists_2024["poor"], classification="near_poor")


@pytest.mark.django_db
def test_survey_figures_must_lead_to_the_class_recognised(everyone, lists_2024):
    with pytest.raises(ValidationError) as error:
        escape(everyone["chair"], lists_2024["poor"], income_per_capita=1_000_000, deprivations=["1", "4", "9"])
    assert "hộ nghèo" in error.value.message_dict["classification"][0]
    with pytest.raises(ValidationError) as error:
        escape(everyone["chair"], lists_2024["poor"], deprivations=["99"])
    assert "99" in error.value.message_dict["deprivations"][0]
    review = escape(everyone["chair"], lists_2024["poor"], income_per_capita=5_000_000, deprivations=["4"])
    assert (review.deprivations, review.deprivation_count) == (",4,", 1)


@pytest.mark.django_db
def test_a_household_that_left_is_not_recognised(everyone, lists_2024):
    household = lists_2024["poor"]
    household.status, household.left_on = HouseholdStatus.MOVED, D(2025, 2, 1)
    household.save()
    with pytest.raises(ValidationError, match="không còn cư trú"):
        escape(everyone["chair"], household)


@pytest.mark.django_db
def test_a_household_recognised_poor_receives_the_certificate_of_the_standard(everyone, lists_2024):
    newcomer = HouseholdFactory(code="RR-CERT")
    review = escape(everyone["chair"], newcomer, classification="poor")
    certificate = Certificate.objects.get(household=newcomer)
    assert (certificate.commune_id, certificate.issued_on) == ("90101", review.decision_date)
    assert certificate.standard.first_year <= 2024 <= certificate.standard.last_year


@pytest.mark.django_db
def test_revoking_keeps_the_chain_and_the_audit_trail(everyone, lists_2024):
    first = escape(everyone["chair"], lists_2024["poor"])
    second = escape(everyone["chair"], lists_2024["poor"], classification="near_poor", effective_on=D(2025, 6, 1),
                    decision_number="30/QĐ-UBND", decision_date=D(2025, 6, 1))
    with pytest.raises(ValidationError, match="quyết định sau cùng"):
        regular_review_revoke(acting_user=everyone["chair"], review=first, reason="Nhập nhầm")
    with pytest.raises(PermissionDenied):
        regular_review_revoke(acting_user=everyone["commune"], review=second, reason="Nhập nhầm")
    second_pk = second.pk
    regular_review_revoke(acting_user=everyone["chair"], review=second, reason="Nhập nhầm hộ")
    assert list(RegularReview.objects.values_list("pk", flat=True)) == [first.pk]
    deleted = RegularReview.history.filter(id=second_pk, history_type="-").get()
    assert (deleted.history_user, deleted.history_change_reason) == (everyone["chair"], "Huỷ: Nhập nhầm hộ")


# --- requests --------------------------------------------------------------------------------------------

def test_a_request_after_the_window_closes_counts_for_next_years_review(settings):
    assert review_year_of(D(2025, 12, 14)) == 2025
    assert review_year_of(D(2025, 12, 15)) == 2026
    assert review_year_of(D(2025, 3, 1)) == 2025
    settings.REVIEW_WINDOW_CLOSES = "11-30"
    assert review_year_of(D(2025, 12, 1)) == 2026


@pytest.mark.django_db
def test_request_save_defaults_the_year_and_refuses_what_is_wrong(everyone):
    household = HouseholdFactory(code="RQ-1")
    officer = everyone["commune"]
    request = request_save(acting_user=officer, household=household, data={"requested_on": D(2025, 12, 20)})
    assert (request.year, request.kind, request.commune_id) == (2026, "enter", "90101")
    assert request.history.get().history_user == officer
    # A corrected date moves it to the review it falls in; a year that does not fit is refused.
    request = request_save(acting_user=officer, household=household, data={"requested_on": D(2025, 10, 1)},
                           instance=request, expected_version=request.version)
    assert request.year == 2025
    with pytest.raises(ValidationError) as error:
        request_save(acting_user=officer, household=household, data={"requested_on": D(2025, 10, 2), "year": 2026},
                     instance=request)
    assert "kỳ rà soát năm 2025" in error.value.message_dict["year"][0]
    with pytest.raises(ValidationError) as error:
        request_save(acting_user=officer, household=household, data={"requested_on": D(2025, 11, 2)})
    assert "đã có" in error.value.message_dict["kind"][0]  # one request of a kind per review
    with pytest.raises(ValidationError, match="chưa đến"):
        request_save(acting_user=officer, household=household,
                     data={"requested_on": datetime.date.today() + datetime.timedelta(days=1), "kind": "leave"})
    for name, refusal in (("other_commune", ValidationError), ("chair", PermissionDenied), ("leader", PermissionDenied)):
        with pytest.raises(refusal):  # out of the area: the household's error; a role that enters nothing: 403
            request_save(acting_user=everyone[name], household=household, data={"requested_on": D(2025, 1, 5),
                                                                               "kind": "leave"})
    assert ReviewRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_request_of_a_recognised_review_stays_as_it_is(everyone, lists_2024):
    officer = everyone["commune"]
    with pytest.raises(RoundLockedError):
        request_save(acting_user=officer, household=lists_2024["rich"], data={"requested_on": D(2024, 10, 1)})
    request = request_save(acting_user=officer, household=lists_2024["poor"],
                           data={"requested_on": D(2025, 2, 1), "kind": "leave"})
    escape(everyone["chair"], lists_2024["poor"], request=regular_steps(request))
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):  # cited by the recognition: 409 over the API
        request_delete(acting_user=officer, request=request)


# --- the page and the admin ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_regular_page_offers_each_role_what_it_may_do(client, everyone, lists_2024):
    client.force_login(everyone["commune"])
    page = client.get("/review/90101/regular/").content.decode()
    assert 'id="new-request"' in page and 'id="recognise"' not in page
    recognise = {"action": "recognise", "rec-household": "RR-POOR", "rec-classification": "not_poor",
                 "rec-effective_on": "2025-03-15", "rec-decision_number": "12/QĐ-UBND",
                 "rec-decision_date": "2025-03-10"}
    assert client.post("/review/90101/regular/", recognise).status_code == 403
    saved = client.post("/review/90101/regular/", {"action": "request", "req-household": "RR-RICH",
                                                   "req-kind": "enter", "req-requested_on": "2025-12-20"}, follow=True)
    # Made after the periodic window closed (14/12): a Mẫu 04 request, decided within 15 days.
    assert "Đã ghi đơn Mẫu số 04 của hộ RR-RICH" in saved.content.decode()
    assert "quyết định trước ngày 04/01/2026" in saved.content.decode()
    client.force_login(everyone["chair"])
    page = client.get("/review/90101/regular/").content.decode()
    assert 'id="recognise"' in page and 'id="new-request"' not in page
    bad = client.post("/review/90101/regular/", {**recognise, "rec-classification": "poor"})
    assert bad.status_code == 200 and "không có gì thay đổi" in bad.content.decode()
    done = client.post("/review/90101/regular/", recognise, follow=True).content.decode()
    assert "Đã công nhận hộ RR-POOR là hộ không nghèo (trước đó: hộ nghèo)" in done
    assert RegularReview.objects.get().history.get().history_user == everyone["chair"]
    client.force_login(everyone["other_commune"])
    assert client.get("/review/90101/regular/").status_code == 404


@pytest.mark.django_db
def test_the_admin_recognises_through_the_service_for_the_chairman_only(client, everyone, lists_2024):
    client.force_login(everyone["commune"])
    assert client.get("/admin/review/regularreview/add/").status_code == 403
    assert client.get("/admin/review/reviewrequest/add/").status_code == 200
    client.force_login(everyone["chair"])
    assert client.get("/admin/review/regularreview/add/").status_code == 200
    form = {"household": lists_2024["poor"].pk, "classification": "not_poor", "effective_on": "2025-03-15",
            "decision_number": "12/QĐ-UBND", "decision_date": "2025-03-01"}
    refused = client.post("/admin/review/regularreview/add/", {**form, "effective_on": "2025-02-01"})
    assert refused.status_code == 200 and "trước ngày ký" in refused.content.decode()
    assert client.post("/admin/review/regularreview/add/", form).status_code == 302
    review = RegularReview.objects.get()
    assert (review.previous_classification, review.history.get().history_user) == ("poor", everyone["chair"])
    change = client.get(f"/admin/review/regularreview/{review.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()  # read only
    assert client.post(f"/admin/review/regularreview/{review.pk}/delete/", {"post": "yes"}).status_code == 403


# --- the demo ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_demo_shows_a_household_recognised_mid_year_and_a_request(client):
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from reports.in_year import poverty_report
    from review.selectors import households_to_review

    call_command("seed_demo", stdout=io.StringIO())
    review = RegularReview.objects.get()
    assert (review.commune_id, review.year, review.effective_on, review.decision_number) == (
        "23401", 2024, D(2025, 3, 20), "35/QĐ-UBND")
    assert review.previous_classification == Assessment.objects.get(household=review.household, year=2024).classification
    assert (review.classification, review.request.kind) == ("not_poor", "leave")
    applied = ReviewRequest.objects.get(kind="enter", procedure="periodic")
    listed = set(households_to_review("23401", 2025).values_list("code", flat=True))
    assert applied.household.code in listed and review.household.code not in listed
    chair = get_user_model().objects.get(username="chair")
    # Reviewed in 2024 in a commune merged into xã Đăk Tô by the 2025 reform: counted where its list entry is,
    # on the district's map of 2024 and on today's map of the commune.
    district = get_user_model().objects.get(username="district")
    for user, area, comparable in ((district, "612", False), (chair, "23401", True)):
        report = poverty_report(user=user, area_code=area, year=2024, as_of="2025-06-30", comparable=comparable)
        assert report["total"]["poor_escaped_in_year"] == 1
        assert report["total"]["poor_as_of"] == report["total"]["poor"] - 1
    client.force_login(chair)
    assert "35/QĐ-UBND" in client.get("/review/23401/regular/").content.decode()
    call_command("seed_demo", stdout=io.StringIO())  # again: nothing added
    assert (RegularReview.objects.count(), ReviewRequest.objects.count()) == (1, 3)
