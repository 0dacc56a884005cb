"""The regular review as a procedure (Decision 24/2021/QĐ-TTg Art. 5, review.regular_requests): Mẫu 04 apart from
Mẫu 01; the survey, village meeting and posting before the chairman's decision; the 15 days from request to
decision shown and overdue requests flagged; a refusal is a written, printable reply with its reasons; a request
after 14 December goes to the regular review, not to next year's periodic review."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from review.models import RegularReview, ReviewRequest
from review.regular import regular_recognise
from review.regular_requests import regular_refuse, regular_state, regular_steps_save
from review.requests import request_save
from review.selectors import households_to_review
from tests.concurrency import ON_POSTGRESQL, WAIT, Worker, committing
from tests.review.procedure import regular_steps

D = datetime.date
REQUESTED, DECIDED = D(2025, 2, 3), D(2025, 2, 14)


def leave_request(everyone, household, day=REQUESTED):
    return request_save(acting_user=everyone["commune"], household=household,
                        data={"requested_on": day, "kind": "leave"})


def escape(chair, household, request, day=DECIDED):
    return regular_recognise(acting_user=chair, household=household, classification="not_poor", effective_on=day,
                             decision_number="7/QĐ-UBND", decision_date=day, request=request)


@pytest.mark.django_db
def test_the_form_follows_the_date_and_the_kind(everyone, lists_2024):
    officer, rich = everyone["commune"], lists_2024["rich"]
    in_window = request_save(acting_user=officer, household=rich, data={"requested_on": D(2025, 10, 1)})
    assert (in_window.procedure, in_window.year) == ("periodic", 2025)
    after_window = request_save(acting_user=officer, household=lists_2024["near"], data={"requested_on": D(2025, 12, 20)})
    assert (after_window.procedure, after_window.year) == ("regular", 2026)  # the regular review, not 2026's
    leave = leave_request(everyone, lists_2024["poor"], D(2025, 10, 3))
    assert leave.procedure == "regular"  # to leave poverty: Mẫu 04 even during the window
    with pytest.raises(ValidationError) as error:
        request_save(acting_user=officer, household=lists_2024["poor"],
                     data={"requested_on": D(2025, 12, 16), "procedure": "periodic"})
    assert "ngoài kỳ rà soát định kỳ" in error.value.message_dict["procedure"][0]
    assert "Mẫu số 04" in error.value.message_dict["procedure"][0]
    with pytest.raises(ValidationError, match="thoát nghèo, thoát cận nghèo là Mẫu số 04"):
        request_save(acting_user=officer, household=lists_2024["near"],
                     data={"requested_on": D(2025, 10, 20), "kind": "leave", "procedure": "periodic"})
    assert ReviewRequest.objects.count() == 3


@pytest.mark.django_db
def test_a_decision_answering_a_request_waits_for_its_survey_meeting_and_posting(everyone, lists_2024):
    poor, chair = lists_2024["poor"], everyone["chair"]
    request = leave_request(everyone, poor)
    with pytest.raises(ValidationError) as error:
        escape(chair, poor, request)
    assert {"surveyed_on", "meeting_date", "posted_to"} <= set(error.value.message_dict)
    assert "«Các bước rà soát thường xuyên»" in error.value.message_dict["surveyed_on"][0]
    officer = everyone["commune"]
    request = regular_steps_save(acting_user=officer, request=request, surveyed_on=D(2025, 2, 4),
                                 meeting_date=D(2025, 2, 5), attendees=30, in_favour=14,
                                 posted_from=D(2025, 2, 6), posted_to=D(2025, 2, 12))
    with pytest.raises(ValidationError) as error:  # 14 of 30: under half
        escape(chair, poor, request)
    assert "14/30" in error.value.message_dict["meeting_date"][0]
    request = regular_steps_save(acting_user=officer, request=request, in_favour=15)  # exactly half passes
    with pytest.raises(ValidationError) as error:  # posted Thursday 06/02, decided Friday 07/02: 2 working days
        escape(chair, poor, request, day=D(2025, 2, 7))
    assert "chưa đủ 3 ngày làm việc" in error.value.message_dict["posted_to"][0]
    review = escape(chair, poor, request)
    assert review.request == request and not RegularReview.objects.exclude(pk=review.pk).exists()
    with pytest.raises(ValidationError, match="đã có quyết định"):  # decided: the steps stay as recorded
        regular_steps_save(acting_user=officer, request=request, attendees=31)


@pytest.mark.django_db
def test_steps_are_checked_and_written_by_the_communes_officers(everyone, lists_2024):
    request = leave_request(everyone, lists_2024["poor"])
    officer = everyone["commune"]
    with pytest.raises(ValidationError) as error:
        regular_steps_save(acting_user=officer, request=request, surveyed_on=D(2025, 2, 1),
                           meeting_date=datetime.date.today() + datetime.timedelta(days=2), attendees=10, in_favour=11,
                           posted_from=D(2025, 2, 10), posted_to=D(2025, 2, 8))
    errors = error.value.message_dict
    assert "trước ngày hộ nộp đơn (03/02/2025)" in errors["surveyed_on"][0]
    assert "chưa đến" in errors["meeting_date"][0]
    assert "không quá số người dự họp" in errors["in_favour"][0]
    assert "trước ngày bắt đầu niêm yết" in errors["posted_to"][0]
    for name, refusal in (("leader", PermissionDenied), ("chair", PermissionDenied), ("other_commune", ValidationError)):
        with pytest.raises(refusal):
            regular_steps_save(acting_user=everyone[name], request=request, surveyed_on=D(2025, 2, 4))
    request.refresh_from_db()
    assert request.surveyed_on is None and request.history.count() == 1
    periodic = request_save(acting_user=officer, household=lists_2024["rich"], data={"requested_on": D(2025, 10, 1)})
    with pytest.raises(ValidationError, match="Mẫu số 01 được xét trong kỳ rà soát định kỳ năm 2025"):
        regular_steps_save(acting_user=officer, request=periodic, surveyed_on=D(2025, 10, 2))
    with pytest.raises(ValidationError, match="Mẫu số 01"):  # nor answered by a regular review's decision
        regular_recognise(acting_user=everyone["chair"], household=lists_2024["rich"], classification="poor",
                          effective_on=D(2025, 10, 20), decision_number="9/QĐ-UBND", decision_date=D(2025, 10, 20),
                          request=periodic)


@pytest.mark.django_db
def test_the_fifteen_days_are_counted_and_overdue_requests_flagged(everyone, lists_2024, client):
    request = leave_request(everyone, lists_2024["poor"])
    state = regular_state(request, decided=False, today=D(2025, 2, 18))
    assert (state.deadline, state.days_left, state.overdue) == (D(2025, 2, 18), 0, False)
    state = regular_state(request, decided=False, today=D(2025, 2, 21))
    assert state.overdue and state.deadline_text == "Quá hạn 3 ngày (hạn 18/02/2025)"
    client.force_login(everyone["commune"])
    page = client.get("/review/90101/regular/").content.decode()  # today is long past 18/02/2025
    assert 'id="overdue-requests"' in page and "1 đơn rà soát thường xuyên đã quá hạn 15 ngày" in page
    assert 'class="overdue"' in page and "Quá hạn" in page
    escape(everyone["chair"], lists_2024["poor"], regular_steps(request))
    page = client.get("/review/90101/regular/").content.decode()
    assert 'id="overdue-requests"' not in page and "Đã có quyết định công nhận" in page


@pytest.mark.django_db
def test_a_refusal_is_the_chairmans_written_reply_with_its_reasons(everyone, lists_2024, client):
    near = lists_2024["near"]
    request = request_save(acting_user=everyone["commune"], household=near,
                           data={"requested_on": D(2025, 12, 20), "kind": "enter"})  # Mẫu 04, year 2026
    assert near.code in set(households_to_review("90101", 2026).values_list("code", flat=True))
    with pytest.raises(PermissionDenied):
        regular_refuse(acting_user=everyone["commune"], request=request, refused_on=D(2026, 1, 2), reasons="x")
    with pytest.raises(ValidationError) as error:
        regular_refuse(acting_user=everyone["chair"], request=request, refused_on=D(2025, 12, 19), reasons=" ")
    assert set(error.value.message_dict) == {"refused_on", "refusal_reasons"}
    refused = regular_refuse(acting_user=everyone["chair"], request=request, refused_on=D(2026, 1, 2),
                             number="3/UBND", reasons="Thu nhập bình quân cao hơn chuẩn.\nHọp thôn không đồng ý.")
    assert refused.history.first().history_user == everyone["chair"]
    assert regular_state(refused, decided=False).state == "refused"
    # Answered: off the 2026 list to review, and no decision or second reply answers it.
    assert near.code not in set(households_to_review("90101", 2026).values_list("code", flat=True))
    with pytest.raises(ValidationError, match="đã được trả lời không công nhận ngày 02/01/2026"):
        regular_refuse(acting_user=everyone["chair"], request=refused, refused_on=D(2026, 1, 3), reasons="x")
    client.force_login(everyone["commune"])
    reply = client.get(f"/review/90101/regular/requests/{refused.pk}/reply/")
    text = reply.content.decode()
    assert reply.status_code == 200 and "Số: 3/UBND" in text and "ngày 02 tháng 01 năm 2026" in text
    assert "Thu nhập bình quân cao hơn chuẩn.<br>Họp thôn không đồng ý." in text
    assert "không đủ điều kiện" in text and "CHỦ TỊCH" in text and "chưa kiểm chứng" not in text
    unanswered = ReviewRequest.objects.create(household=near, commune_id="90101", year=2025, requested_on=D(2025, 10, 1))
    assert client.get(f"/review/90101/regular/requests/{unanswered.pk}/reply/").status_code == 404
    client.force_login(everyone["other_chair"])  # another commune's chairman: not found
    assert client.get(f"/review/90101/regular/requests/{refused.pk}/reply/").status_code == 404


@pytest.mark.django_db
def test_the_request_page_records_the_steps_and_the_reply(everyone, lists_2024, client):
    request = leave_request(everyone, lists_2024["poor"])
    url = f"/review/90101/regular/requests/{request.pk}/"
    client.force_login(everyone["commune"])
    page = client.get(url).content.decode()
    assert 'id="steps-form"' in page and 'id="blockers"' in page and 'id="refuse"' not in page
    posted = client.post(url, {"action": "steps", "steps-surveyed_on": "2025-02-04", "steps-meeting_date": "2025-02-05",
                               "steps-attendees": "20", "steps-in_favour": "20", "steps-posted_from": "2025-02-06",
                               "steps-posted_to": "2025-02-12", "steps-version": request.version}, follow=True)
    text = posted.content.decode()
    assert "Đã ghi các bước" in text and 'id="ready"' in text and "20/20 người đồng ý" in text
    stale = client.post(url, {"action": "steps", "steps-surveyed_on": "2025-02-05", "steps-version": request.version})
    assert stale.status_code == 200 and "phiên bản" in stale.content.decode()
    assert client.post(url, {"action": "refuse", "refusal-refused_on": "2025-02-14",
                             "refusal-refusal_reasons": "x"}).status_code == 403
    client.force_login(everyone["chair"])
    page = client.get(url).content.decode()
    assert 'id="refuse"' in page and f"request={request.pk}" in page
    done = client.post(url, {"action": "refuse", "refusal-refused_on": "2025-02-14", "refusal-refusal_number": "5/UBND",
                             "refusal-refusal_reasons": "Hộ vẫn thiếu hụt 3 chỉ số.",
                             "refusal-version": ReviewRequest.objects.get().version}, follow=True)
    assert "Đã ghi văn bản trả lời" in done.content.decode() and 'id="print-reply"' in done.content.decode()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_the_api_records_steps_and_refusals_by_role(everyone, lists_2024):
    request = leave_request(everyone, lists_2024["poor"])
    url = f"/api/v1/review-requests/{request.pk}"
    assert api(everyone["leader"]).post(f"{url}/steps/", {"surveyed_on": "?"}, format="json").status_code == 403
    bad = api(everyone["commune"]).post(f"{url}/steps/", {"surveyed_on": "2025-01-01"}, format="json")
    assert bad.status_code == 400 and "trước ngày hộ nộp đơn" in bad.json()["surveyed_on"][0]
    assert api(everyone["commune"]).post(f"{url}/refusal/", {}, format="json").status_code == 403
    answer = api(everyone["chair"]).post(f"{url}/refusal/", {"refused_on": "2025-02-10", "refusal_reasons": "Lý do."},
                                         format="json")
    assert answer.status_code == 200 and (answer.json()["state"], answer.json()["refused_on"]) == (
        "refused", "2025-02-10")
    listed = api(everyone["commune"]).get("/api/v1/review-requests/?procedure=regular").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(row["id"], row["state"], row["overdue"]) for row in rows] == [(request.pk, "refused", False)]


@pytest.mark.django_db
def test_the_admin_records_the_form_and_the_steps(everyone, lists_2024, client):
    client.force_login(everyone["commune"])
    answer = client.post("/admin/review/reviewrequest/add/", {
        "household": lists_2024["poor"].pk, "kind": "leave", "procedure": "", "requested_on": "2025-02-03",
        "year": "", "note": "", "surveyed_on": "2025-02-04", "meeting_date": "2025-02-05", "attendees": "12",
        "in_favour": "9", "posted_from": "", "posted_to": ""})
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    stored = ReviewRequest.objects.get()
    assert (stored.procedure, stored.surveyed_on, stored.in_favour) == ("regular", D(2025, 2, 4), 9)


# --- a reply and a decision at once (PostgreSQL: row locks) ------------------------------------------------------

@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks (SELECT … FOR UPDATE) exist on PostgreSQL only; SQLite "
                                              "serialises every write anyway")
@committing
def test_a_decision_during_a_refusal_waits_and_is_refused(everyone, lists_2024):
    request = regular_steps(leave_request(everyone, lists_2024["poor"]))
    refusing = Worker(lambda: regular_refuse(acting_user=everyone["chair"], request=request, refused_on=DECIDED,
                                             reasons="Hộ vẫn thiếu hụt 3 chỉ số."), hold=True)
    refusing.start()
    assert refusing.inside.wait(WAIT) and refusing.error is None
    deciding = Worker(lambda: escape(everyone["chair"], lists_2024["poor"], request))
    deciding.start()
    try:
        deciding.inside.wait(1.0)
        assert not deciding.inside.is_set(), "the decision did not wait for the reply in flight"
    finally:
        refusing.finish()
        deciding.finish()
    assert isinstance(deciding.error, ValidationError)
    assert "đã được trả lời không công nhận" in deciding.error.message_dict["request"][0]
    assert not RegularReview.objects.exists() and ReviewRequest.objects.get().refused_on == DECIDED
