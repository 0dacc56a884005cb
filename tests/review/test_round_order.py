"""The recognition in the order of Decision 24/2021/QĐ-TTg Art. 4 (review.round_order), the decisions of a round
kept across a reopening (RecognitionDecision: recognition, amendment, correction), the level above's opinion,
and the rounds the district approved in earlier releases."""
import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from review.certificates import certificates_issue
from review.models import Certificate, RecognitionDecision, ReviewRound, RoundStatus
from review.rounds import (
    APPROVE_GONE,
    round_decision_correct,
    round_opinion,
    round_recognise,
    round_reopen,
    round_submit,
)
from tests.factories import HouseholdFactory
from tests.review.procedure import hold_meetings

D = datetime.date
API = "/api/v1/review-rounds"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def round_2026(assess, everyone):
    """xã 90101's 2026 round: one poor household of Thôn Một."""
    return assess(HouseholdFactory(code="OR-1"), 2026, income=1_000_000, deprivations=["1", "4", "9"]).review_round


def meet(everyone, review_round, **fields):
    from review.meetings import village_meeting_save

    values = {"meeting_date": D(2026, 11, 2), "attendees": 40, "in_favour": 30, "posted_from": D(2026, 11, 3),
              "posted_to": D(2026, 11, 9), **fields}
    return village_meeting_save(acting_user=everyone["commune"], review_round=review_round, village="90101-01",
                                **values)


def recognise(everyone, review_round, day, number="301/QĐ-UBND"):
    return round_recognise(acting_user=everyone["chair"], review_round=review_round, decision_number=number,
                           decision_date=day, confirm_unassessed=True)


@pytest.mark.django_db
def test_the_23401_case_no_meeting_no_posting_and_a_decision_before_the_report_is_refused(everyone, round_2026):
    round_submit(acting_user=everyone["commune"], review_round=round_2026, reported_on=D(2026, 12, 5))
    with pytest.raises(ValidationError) as refused:
        recognise(everyone, round_2026, D(2026, 12, 4))
    errors = refused.value.message_dict
    assert "thôn 90101-01 có hộ được rà soát nhưng chưa có biên bản họp thôn" in errors["village_meetings"][0]
    assert "village-meetings" in errors["village_meetings"][0]  # where to record it
    assert errors["decision_date"] == ["Ngày quyết định (04/12/2026) trước ngày báo cáo, xin ý kiến tỉnh (05/12/2026): "
                                       "quyết định công nhận ký sau khi báo cáo cấp trên."]
    round_2026.refresh_from_db()
    assert round_2026.status == RoundStatus.SUBMITTED and not Certificate.objects.exists()
    assert not RecognitionDecision.objects.exists()


@pytest.mark.django_db
def test_a_posting_must_run_its_working_days(everyone, round_2026, settings):
    meet(everyone, round_2026, posted_from=D(2026, 11, 5), posted_to=D(2026, 11, 6))  # Thursday, Friday: 2 days
    round_submit(acting_user=everyone["commune"], review_round=round_2026, reported_on=D(2026, 11, 16))
    round_opinion(acting_user=everyone["province"], review_round=round_2026, opinion_date=D(2026, 11, 18),
                  opinion="Thống nhất")
    with pytest.raises(ValidationError) as refused:
        recognise(everyone, round_2026, D(2026, 11, 20))
    assert "chưa đủ 3 ngày làm việc" in refused.value.message_dict["posting"][0]
    settings.REVIEW_POSTING_WORKING_DAYS = 2  # a province's plan that says two days
    recognise(everyone, round_2026, D(2026, 11, 20))
    assert ReviewRound.objects.get(pk=round_2026.pk).is_locked


@pytest.mark.django_db
def test_a_meeting_with_no_posting_recorded_stops_the_recognition(everyone, round_2026):
    meet(everyone, round_2026, posted_from=None, posted_to=None)
    round_submit(acting_user=everyone["commune"], review_round=round_2026, reported_on=D(2026, 11, 16))
    with pytest.raises(ValidationError) as refused:
        recognise(everyone, round_2026, D(2026, 11, 30))
    assert "thôn 90101-01: chưa ghi ngày niêm yết công khai" in refused.value.message_dict["posting"][0]


@pytest.mark.django_db
def test_without_the_level_aboves_answer_the_chairman_waits_its_days(everyone, round_2026):
    meet(everyone, round_2026)
    round_submit(acting_user=everyone["commune"], review_round=round_2026, reported_on=D(2026, 11, 16))  # Monday
    with pytest.raises(ValidationError) as refused:
        recognise(everyone, round_2026, D(2026, 11, 18))
    message = refused.value.message_dict["opinion"][0]
    assert "Tỉnh chưa có ý kiến về báo cáo ngày 16/11/2026" in message and "từ ngày 19/11/2026" in message
    recognise(everyone, round_2026, D(2026, 11, 19))  # three working days after the report
    assert ReviewRound.objects.get(pk=round_2026.pk).is_locked


@pytest.mark.django_db
def test_with_the_opinion_the_decision_follows_it(everyone, round_2026):
    meet(everyone, round_2026)
    round_submit(acting_user=everyone["commune"], review_round=round_2026, reported_on=D(2026, 11, 16))
    with pytest.raises(ValidationError, match="trước ngày xã báo cáo"):
        round_opinion(acting_user=everyone["province"], review_round=round_2026, opinion_date=D(2026, 11, 13),
                      opinion="Đồng ý")
    with pytest.raises(ValidationError) as refused:
        round_opinion(acting_user=everyone["province"], review_round=round_2026, opinion_date=None, opinion=" ")
    assert set(refused.value.message_dict) == {"opinion", "opinion_date"}
    round_opinion(acting_user=everyone["province"], review_round=round_2026, opinion_date=D(2026, 11, 17),
                  opinion="Thống nhất kết quả")
    with pytest.raises(ValidationError, match="trước ngày tỉnh có ý kiến"):
        recognise(everyone, round_2026, D(2026, 11, 16))
    recognise(everyone, round_2026, D(2026, 11, 17))
    round_2026.refresh_from_db()
    assert (round_2026.opinion_date, round_2026.opinion) == (D(2026, 11, 17), "Thống nhất kết quả")
    assert round_2026.history.filter(history_change_reason__startswith="Ý kiến của tỉnh ngày 17/11/2026").get() \
        .history_user == everyone["province"]


@pytest.mark.django_db
def test_recognised_in_order_the_certificates_carry_the_decisions_date(everyone, round_2026):
    hold_meetings(round_2026, user=everyone["commune"])
    round_submit(acting_user=everyone["commune"], review_round=round_2026, reported_on=D(2026, 11, 16))
    round_opinion(acting_user=everyone["province"], review_round=round_2026, opinion_date=D(2026, 11, 20),
                  opinion="Thống nhất")
    recognise(everyone, round_2026, D(2026, 11, 27))
    assert list(Certificate.objects.values_list("household__code", "issued_on")) == [("OR-1", D(2026, 11, 27))]
    decision = RecognitionDecision.objects.get()
    assert (decision.number, decision.decision_date, decision.kind) == ("301/QĐ-UBND", D(2026, 11, 27), "recognition")
    assert decision.history.get().history_user == everyone["chair"]


@pytest.mark.django_db
def test_no_certificate_without_a_recognition_decision(everyone, round_2026):
    ReviewRound.objects.filter(pk=round_2026.pk).update(status=RoundStatus.APPROVED)  # approved in the past
    round_2026.refresh_from_db()
    with pytest.raises(ValidationError, match="chưa có quyết định công nhận"):
        certificates_issue(review_round=round_2026)
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_a_reopened_round_keeps_both_decisions(everyone, round_2026, client):
    hold_meetings(round_2026, user=everyone["commune"])
    round_submit(acting_user=everyone["commune"], review_round=round_2026, reported_on=D(2026, 11, 16))
    recognise(everyone, round_2026, D(2026, 11, 20), number="301/QĐ-UBND")
    round_reopen(acting_user=everyone["province"], review_round=round_2026, reason="Sai thu nhập hộ OR-1")
    round_2026.refresh_from_db()
    assert (round_2026.status, round_2026.decision_number) == ("open", "301/QĐ-UBND")  # reopening erases nothing
    round_submit(acting_user=everyone["commune"], review_round=round_2026, reported_on=D(2026, 11, 23))
    with pytest.raises(ValidationError, match="trước ngày báo cáo"):
        recognise(everyone, round_2026, D(2026, 11, 20), number="320/QĐ-UBND")
    recognise(everyone, round_2026, D(2026, 11, 26), number="320/QĐ-UBND")
    round_2026.refresh_from_db()
    assert [(d.number, d.decision_date, d.kind) for d in round_2026.decisions.all()] == [
        ("301/QĐ-UBND", D(2026, 11, 20), "recognition"), ("320/QĐ-UBND", D(2026, 11, 26), "amendment")]
    assert (round_2026.decision_number, round_2026.decision_date) == ("320/QĐ-UBND", D(2026, 11, 26))
    assert round_2026.history.first().history_change_reason == "Sửa đổi, bổ sung: QĐ 320/QĐ-UBND ngày 26/11/2026"
    # the certificate issued by the first decision stays as issued
    assert list(Certificate.objects.values_list("issued_on", flat=True)) == [D(2026, 11, 20)]
    decisions = api(everyone["leader"]).get(f"{API}/{round_2026.pk}/").json()["decisions"]
    assert [(d["number"], d["kind"]) for d in decisions] == [("301/QĐ-UBND", "recognition"),
                                                             ("320/QĐ-UBND", "amendment")]
    client.force_login(everyone["leader"])
    html = client.get("/review/90101/2026/lists/").content.decode()
    assert "Quyết định công nhận số 301/QĐ-UBND ngày 20/11/2026" in html
    assert "Quyết định sửa đổi, bổ sung số 320/QĐ-UBND ngày 26/11/2026" in html


@pytest.mark.django_db
def test_a_wrong_number_is_corrected_as_such(everyone, round_2026):
    hold_meetings(round_2026, user=everyone["commune"])
    round_submit(acting_user=everyone["commune"], review_round=round_2026, reported_on=D(2026, 11, 16))
    recognise(everyone, round_2026, D(2026, 11, 20), number="31/QĐ-UBND")
    with pytest.raises(ValidationError) as refused:
        round_decision_correct(acting_user=everyone["chair"], review_round=round_2026, decision_number="301/QĐ-UBND",
                               decision_date=D(2026, 11, 20), note="")
    assert "note" in refused.value.message_dict
    round_decision_correct(acting_user=everyone["chair"], review_round=round_2026, decision_number="301/QĐ-UBND",
                           decision_date=D(2026, 11, 20), note="Nhập thiếu số 0")
    first, correction = round_2026.decisions.all()
    assert (first.number, correction.number, correction.kind, correction.corrects) == (
        "31/QĐ-UBND", "301/QĐ-UBND", "correction", first)
    round_2026.refresh_from_db()
    assert (round_2026.status, round_2026.decision_number) == ("approved", "301/QĐ-UBND")
    assert round_2026.history.first().history_change_reason.startswith("Đính chính quyết định: 301/QĐ-UBND")


@pytest.mark.django_db
def test_a_round_the_district_approved_says_its_decision_was_not_recorded(everyone, assess, client):
    old = assess(HouseholdFactory(code="OR-OLD"), 2024, income=1_000_000).review_round
    ReviewRound.objects.filter(pk=old.pk).update(status=RoundStatus.APPROVED)  # an earlier release's approval
    said = "Đã phê duyệt trước đây — quyết định công nhận chưa được ghi vào hệ thống"
    body = api(everyone["leader"]).get(f"{API}/{old.pk}/").json()
    assert (body["status"], body["decision_recorded"], body["recognition"]) == ("approved", False, said)
    client.force_login(everyone["district"])
    assert said in client.get(f"/admin/review/reviewround/{old.pk}/change/").content.decode()
    assert said in client.get("/review/90101/2024/lists/").content.decode()
    # the chairman records the decision that was signed
    round_decision_correct(acting_user=everyone["chair"], review_round=old, decision_number="88/QĐ-UBND",
                           decision_date=D(2024, 12, 16), note="Ghi bổ sung quyết định đã ký")
    body = api(everyone["leader"]).get(f"{API}/{old.pk}/").json()
    assert body["decision_recorded"] is True and [d["kind"] for d in body["decisions"]] == ["recognition"]


@pytest.mark.django_db
def test_the_old_approve_call_answers_what_to_do_instead(everyone, round_2026):
    hold_meetings(round_2026, user=everyone["commune"])
    round_submit(acting_user=everyone["commune"], review_round=round_2026)
    for name in ("province", "admin", "district", "commune"):
        answer = api(everyone[name]).post(f"{API}/{round_2026.pk}/approve/")
        assert answer.status_code == 400 and answer.json() == {"status": [APPROVE_GONE]}, name
    assert ReviewRound.objects.get(pk=round_2026.pk).status == RoundStatus.SUBMITTED


@pytest.mark.django_db
def test_the_opinion_through_the_api_role_first(everyone, round_2026):
    round_submit(acting_user=everyone["commune"], review_round=round_2026)
    url = f"{API}/{round_2026.pk}/opinion/"
    refused = api(everyone["commune"]).post(url, {"opinion_date": "không phải ngày"}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == "Vai trò của bạn không được thực hiện thao tác này."
    refused = api(everyone["province"]).post(url, {"opinion_date": "không phải ngày"}, format="json")
    assert refused.status_code == 400 and "opinion_date" in refused.json()
    today = datetime.date.today().isoformat()
    given = api(everyone["province"]).post(url, {"opinion_date": today, "opinion": "Thống nhất"}, format="json")
    assert given.status_code == 200 and (given.json()["status"], given.json()["opinion"]) == ("submitted", "Thống nhất")


@pytest.mark.django_db
def test_the_round_page_says_which_step_is_missing(everyone, round_2026, client):
    round_submit(acting_user=everyone["commune"], review_round=round_2026)
    client.force_login(everyone["chair"])
    html = client.get(f"/admin/review/reviewround/{round_2026.pk}/change/").content.decode()
    assert "Chưa đủ các bước để công nhận" in html and "chưa có biên bản họp thôn" in html
    assert "Tỉnh chưa có ý kiến" in html
    html = client.get("/review/90101/2026/lists/").content.decode()
    assert "chưa có biên bản họp thôn" in html


@pytest.mark.django_db
def test_the_migration_moves_each_recorded_decision_into_its_first_row(everyone, assess):
    recorded = assess(HouseholdFactory(code="OR-A"), 2023, income=1_000_000).review_round
    ReviewRound.objects.filter(pk=recorded.pk).update(status="approved", decision_number="5/QĐ-UBND",
                                                      decision_date=D(2023, 12, 15))
    legacy = assess(HouseholdFactory(code="OR-B"), 2024, income=1_000_000).review_round
    ReviewRound.objects.filter(pk=legacy.pk).update(status="approved")
    migration = importlib.import_module("review.migrations.0008_recognition_decisions_and_opinion")
    migration.decisions_from_rounds(apps, None)
    assert list(RecognitionDecision.objects.values_list("review_round_id", "number", "decision_date", "kind")) == [
        (recorded.pk, "5/QĐ-UBND", D(2023, 12, 15), "recognition")]
    # (run on today's models here, the audit row of the save itself is added too; a migration's models have none)
    assert RecognitionDecision.history.filter(
        history_change_reason="Chuyển từ quyết định ghi trên đợt rà soát").count() == 1
