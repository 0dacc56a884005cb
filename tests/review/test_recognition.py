"""Recognition (Decision 24/2021/QĐ-TTg): the commune chairman recognises the round by a decision (number,
date) and the round locks; the level above the commune (the district for review years up to 2024, the province
from 2025) gives its opinion, returns or reopens; unassessed households ask for a confirmation naming how many;
the village meeting's result stands with at least half of those present in favour (the setting
REVIEW_MEETING_MAJORITY); the order of Art. 4 and the decisions kept across a reopening are in
test_recognition_order.py."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from areas.models import Level
from review.models import ReviewRound, RoundLockedError, VillageMeeting, level_above
from review.services import (
    round_recognise,
    round_reopen,
    round_return,
    round_submit,
    village_meeting_delete,
    village_meeting_save,
)
from tests.factories import HouseholdFactory
from tests.review.procedure import hold_meetings, procedure_days

API = "/api/v1/review-rounds"


def submitted_round(assess, users, year, code="RC-1", meetings=True):
    """A round reported up in its year's November (after its village meetings and posting unless `meetings` is
    False): a decision of 12 December follows the order of Art. 4."""
    review_round = assess(HouseholdFactory(code=code), year, income=1_200_000).review_round
    if meetings:
        hold_meetings(review_round, user=users["commune"])
    round_submit(acting_user=users["commune"], review_round=review_round,
                 reported_on=procedure_days(year)["reported"])
    return ReviewRound.objects.get(pk=review_round.pk)


def decision(year, **extra):
    return {"decision_number": "125/QĐ-UBND", "decision_date": datetime.date(year, 12, 12), **extra}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- the reform date decides the level above ---------------------------------------------------------

def test_the_level_above_is_the_district_up_to_the_2024_review_and_the_province_from_2025():
    assert [level_above(year) for year in (2016, 2021, 2024)] == [Level.DISTRICT] * 3
    assert [level_above(year) for year in (2025, 2026, 2030)] == [Level.PROVINCE] * 3


@pytest.mark.django_db
def test_a_2024_round_is_returned_and_reopened_by_the_district_not_the_province(assess, everyone):
    review_round = submitted_round(assess, everyone, 2024)
    with pytest.raises(PermissionDenied, match="Kỳ rà soát năm 2024 xã báo cáo lên huyện"):
        round_return(acting_user=everyone["province"], review_round=review_round, reason="Thiếu hộ")
    round_return(acting_user=everyone["district"], review_round=review_round, reason="Thiếu hộ thôn 2")
    review_round.refresh_from_db()
    assert (review_round.status, review_round.return_reason) == ("open", "Thiếu hộ thôn 2")
    round_submit(acting_user=everyone["commune"], review_round=review_round,
                 reported_on=procedure_days(2024)["reported"])
    round_recognise(acting_user=everyone["chair"], review_round=review_round, **decision(2024))
    with pytest.raises(PermissionDenied, match="chỉ cán bộ huyện được mở lại"):
        round_reopen(acting_user=everyone["province"], review_round=review_round, reason="Sai")
    round_reopen(acting_user=everyone["district"], review_round=review_round, reason="Sai thu nhập")
    assert ReviewRound.objects.get(pk=review_round.pk).status == "open"


@pytest.mark.django_db
def test_a_2025_round_is_returned_and_reopened_by_the_province_not_the_district(assess, everyone):
    review_round = submitted_round(assess, everyone, 2025)
    with pytest.raises(PermissionDenied) as refused:
        round_return(acting_user=everyone["district"], review_round=review_round, reason="Thiếu hộ")
    assert "01/07/2025 không còn cấp huyện" in str(refused.value)
    round_return(acting_user=everyone["province"], review_round=review_round, reason="Thiếu biên bản họp thôn")
    review_round.refresh_from_db()
    assert (review_round.status, review_round.return_reason) == ("open", "Thiếu biên bản họp thôn")
    round_submit(acting_user=everyone["commune"], review_round=review_round,
                 reported_on=procedure_days(2025)["reported"])
    round_recognise(acting_user=everyone["chair"], review_round=review_round, **decision(2025))
    with pytest.raises(PermissionDenied, match="chỉ cán bộ tỉnh được mở lại"):
        round_reopen(acting_user=everyone["district"], review_round=review_round, reason="Sai")
    round_reopen(acting_user=everyone["province"], review_round=review_round, reason="Sai thu nhập")
    history = list(review_round.history.values_list("history_change_reason", "history_user__username"))
    assert history[:2] == [("Mở lại: Sai thu nhập", "province"), ("Công nhận: QĐ 125/QĐ-UBND ngày 12/12/2025", "chair")]


@pytest.mark.django_db
def test_the_api_follows_the_same_rule(assess, everyone):
    old, new = submitted_round(assess, everyone, 2024, "RC-1"), submitted_round(assess, everyone, 2025, "RC-2")
    listed = {r["year"]: r for r in api(everyone["province"]).get(f"{API}/", {"status": "submitted"}).json()["results"]}
    assert {year: r["level_above"] for year, r in listed.items()} == {2024: "district", 2025: "province"}
    refused = api(everyone["district"]).post(f"{API}/{new.pk}/return/", {"reason": "x"}, format="json")
    assert refused.status_code == 403 and "01/07/2025 không còn cấp huyện" in refused.json()["detail"]
    assert api(everyone["province"]).post(f"{API}/{old.pk}/return/", {"reason": "x"}, format="json").status_code == 403
    returned = api(everyone["province"]).post(f"{API}/{new.pk}/return/", {"reason": "Thiếu hộ"}, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "open"
    returned = api(everyone["district"]).post(f"{API}/{old.pk}/return/", {"reason": "Thiếu hộ"}, format="json")
    assert returned.status_code == 200 and returned.json()["return_reason"] == "Thiếu hộ"


# --- recognition by role, with its decision ----------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("year", [2024, 2025])
def test_the_commune_chairman_recognises_the_commune_officer_may_not(assess, everyone, year):
    review_round = submitted_round(assess, everyone, year)
    for name in ("commune", "district", "province", "leader"):
        with pytest.raises(PermissionDenied, match="Vai trò của bạn không được"):
            round_recognise(acting_user=everyone[name], review_round=review_round, **decision(year))
    with pytest.raises(ValidationError, match="không thuộc địa bàn"):
        round_recognise(acting_user=everyone["other_chair"], review_round=review_round, **decision(year))
    round_recognise(acting_user=everyone["chair"], review_round=review_round, **decision(year))
    review_round.refresh_from_db()
    assert review_round.is_locked and review_round.status == "approved"
    assert (review_round.decision_number, review_round.decision_date) == ("125/QĐ-UBND", datetime.date(year, 12, 12))
    assert review_round.approved_at is not None
    with pytest.raises(RoundLockedError):
        assess(HouseholdFactory(code="RC-LATE"), year, income=1)


@pytest.mark.django_db
def test_recognition_by_role_through_the_api(assess, everyone):
    review_round = submitted_round(assess, everyone, 2025)
    body = {"decision_number": "7/QĐ-UBND", "decision_date": "2025-12-15"}
    for name in ("commune", "province", "district"):  # a role's refusal is 403 with its words, before the body
        for sent in (body, {"decision_date": "hôm qua"}):
            refused = api(everyone[name]).post(f"{API}/{review_round.pk}/recognise/", sent, format="json")
            assert refused.status_code == 403, name
            assert refused.json()["detail"] in ("Vai trò của bạn không được thực hiện thao tác này.",), name
    assert api(everyone["leader"]).post(f"{API}/{review_round.pk}/recognise/", body, format="json").status_code == 403
    recognised = api(everyone["chair"]).post(f"{API}/{review_round.pk}/recognise/", body, format="json")
    assert recognised.status_code == 200
    assert {k: recognised.json()[k] for k in ("status", "decision_number", "decision_date")} == {
        "status": "approved", "decision_number": "7/QĐ-UBND", "decision_date": "2025-12-15"}


@pytest.mark.django_db
@pytest.mark.parametrize("number, day, field, message", [
    ("", datetime.date(2025, 12, 12), "decision_number", "Hãy ghi số quyết định"),
    ("   ", datetime.date(2025, 12, 12), "decision_number", "Hãy ghi số quyết định"),
    ("1/QĐ", None, "decision_date", "Hãy ghi ngày ký"),
    ("1/QĐ", "31/02/2025", "decision_date", "không hợp lệ"),
    ("1/QĐ", datetime.date(2024, 12, 12), "decision_date", "ký trong năm 2025 hoặc 2026"),
    ("1/QĐ", datetime.date.today() + datetime.timedelta(days=3), "decision_date", "chưa đến"),
    ("x" * 51, datetime.date(2025, 12, 12), "decision_number", "không quá 50"),
])
def test_the_decision_number_and_date_are_required(assess, everyone, number, day, field, message):
    review_round = submitted_round(assess, everyone, 2025)
    with pytest.raises(ValidationError) as refused:
        round_recognise(acting_user=everyone["chair"], review_round=review_round, decision_number=number,
                        decision_date=day)
    assert message in " ".join(refused.value.message_dict[field])
    assert ReviewRound.objects.get(pk=review_round.pk).status == "submitted"


@pytest.mark.django_db
def test_a_decision_after_the_year_following_the_review_is_refused(assess, everyone):
    review_round = submitted_round(assess, everyone, 2024)
    with pytest.raises(ValidationError, match="ký trong năm 2024 hoặc 2025"):
        round_recognise(acting_user=everyone["chair"], review_round=review_round, decision_number="1/QĐ",
                        decision_date=datetime.date(2026, 1, 2))
    round_recognise(acting_user=everyone["chair"], review_round=review_round, decision_number="1/QĐ",
                    decision_date=datetime.date(2025, 1, 2))  # a late decision, early the next year


@pytest.mark.django_db
def test_the_api_asks_for_the_decision_by_field(assess, everyone):
    review_round = submitted_round(assess, everyone, 2025)
    refused = api(everyone["chair"]).post(f"{API}/{review_round.pk}/recognise/", {}, format="json")
    assert refused.status_code == 400 and {"decision_number", "decision_date"} <= set(refused.json())
    refused = api(everyone["chair"]).post(f"{API}/{review_round.pk}/recognise/",
                                          {"decision_number": "1", "decision_date": "hôm qua"}, format="json")
    assert refused.status_code == 400 and "decision_date" in refused.json()


# --- unassessed households ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_recognition_with_unassessed_households_asks_for_confirmation_naming_how_many(assess, everyone):
    review_round = submitted_round(assess, everyone, 2025)
    HouseholdFactory(code="RC-NOT-1")
    HouseholdFactory(code="RC-NOT-2")
    HouseholdFactory(code="RC-ELSEWHERE", commune_id="90102")  # another commune: not counted
    with pytest.raises(ValidationError) as refused:
        round_recognise(acting_user=everyone["chair"], review_round=review_round, **decision(2025))
    assert refused.value.message_dict["confirm_unassessed"] == [
        "Còn 2 hộ của xã chưa có kết quả rà soát năm 2025. Nếu vẫn công nhận (các hộ này không có trong danh "
        "sách), hãy đánh dấu xác nhận rồi công nhận lại."]
    assert ReviewRound.objects.get(pk=review_round.pk).status == "submitted"
    round_recognise(acting_user=everyone["chair"], review_round=review_round, confirm_unassessed=True,
                    **decision(2025))
    assert review_round.history.first().history_change_reason == (
        "Công nhận: QĐ 125/QĐ-UBND ngày 12/12/2025; xác nhận còn 2 hộ chưa rà soát")


@pytest.mark.django_db
def test_the_round_page_and_the_api_ask_for_the_confirmation(assess, everyone, client):
    review_round = submitted_round(assess, everyone, 2025)
    HouseholdFactory(code="RC-NOT-1")
    page = f"/admin/review/reviewround/{review_round.pk}/change/"
    client.force_login(everyone["chair"])
    html = client.get(page).content.decode()
    assert "Còn 1 hộ của xã chưa có kết quả rà soát năm 2025" in html and 'name="confirm_unassessed"' in html
    typed = {"_recognise": "x", "decision_number": "9/QĐ-UBND", "decision_date": "2025-12-20"}
    response = client.post(page, typed, follow=True)
    assert "Còn 1 hộ của xã chưa có kết quả" in response.content.decode()
    assert ReviewRound.objects.get(pk=review_round.pk).status == "submitted"
    refused = api(everyone["chair"]).post(f"{API}/{review_round.pk}/recognise/", typed, format="json")
    assert refused.status_code == 400 and "Còn 1 hộ" in refused.json()["confirm_unassessed"][0]
    response = client.post(page, {**typed, "confirm_unassessed": "1"}, follow=True)
    assert "Đã công nhận và khoá đợt rà soát." in response.content.decode()
    assert ReviewRound.objects.get(pk=review_round.pk).decision_number == "9/QĐ-UBND"


# --- village meetings and their majority rule --------------------------------------------------------

@pytest.mark.parametrize("attendees, in_favour, passed", [
    (10, 6, True), (10, 5, True), (10, 4, False), (11, 6, True), (11, 5, False), (1, 1, True), (1, 0, False),
    (2, 1, True),
])
def test_a_meeting_passes_with_at_least_half_of_those_present(attendees, in_favour, passed):
    """Art. 4(3) as translated: "at least 50%" — exactly half passes (the default reading)."""
    assert VillageMeeting(attendees=attendees, in_favour=in_favour).passed is passed


@pytest.mark.parametrize("attendees, in_favour, passed", [(10, 6, True), (10, 5, False), (2, 1, False)])
def test_the_setting_can_require_more_than_half(settings, attendees, in_favour, passed):
    settings.REVIEW_MEETING_MAJORITY = "more_than_half"
    assert VillageMeeting(attendees=attendees, in_favour=in_favour).passed is passed


def test_an_unknown_majority_setting_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.REVIEW_MEETING_MAJORITY = "two_thirds"
    with pytest.raises(ImproperlyConfigured, match="REVIEW_MEETING_MAJORITY"):
        VillageMeeting(attendees=3, in_favour=2).passed  # noqa: B018 (the property reads the setting)


def meeting(everyone, review_round, village="90101-01", **fields):
    values = {"meeting_date": datetime.date(review_round.year, 10, 20), "attendees": 40, "in_favour": 31,
              "posted_from": datetime.date(review_round.year, 10, 21), "posted_to": datetime.date(review_round.year, 10, 25),
              **fields}
    return village_meeting_save(acting_user=everyone["commune"], review_round=review_round, village=village, **values)


@pytest.mark.django_db
def test_a_meeting_without_a_majority_stops_the_recognition(assess, everyone):
    review_round = submitted_round(assess, everyone, 2025, meetings=False)
    held = meeting(everyone, review_round, attendees=40, in_favour=19)  # under half: the result does not stand
    with pytest.raises(ValidationError) as refused:
        round_recognise(acting_user=everyone["chair"], review_round=review_round, **decision(2025))
    assert "ít nhất một nửa" in refused.value.message_dict["village_meetings"][0]
    assert "Thôn Một: 19/40" in refused.value.message_dict["village_meetings"][0]
    meeting(everyone, review_round, attendees=40, in_favour=20, expected_version=held.version)  # met again: half
    round_recognise(acting_user=everyone["chair"], review_round=review_round, **decision(2025))
    assert ReviewRound.objects.get(pk=review_round.pk).is_locked


@pytest.mark.django_db
@pytest.mark.parametrize("fields, field, message", [
    ({"in_favour": 41}, "in_favour", "không được nhiều hơn số người dự họp"),
    ({"attendees": 0, "in_favour": 0}, "attendees", "ít nhất 1"),
    ({"attendees": 10_001}, "attendees", "Không quá 10.000"),
    ({"posted_to": None}, "posted_to", "cả ngày bắt đầu và ngày kết thúc"),
    ({"posted_from": datetime.date(2025, 10, 19)}, "posted_from", "từ ngày họp trở đi"),
    ({"posted_to": datetime.date(2025, 10, 20)}, "posted_to", "phải sau ngày bắt đầu"),
    ({"meeting_date": datetime.date(2023, 10, 20), "posted_from": None, "posted_to": None}, "meeting_date",
     "trong năm 2025 hoặc 2026"),
    ({"village": "90201-01"}, "village", "không thuộc xã 90101"),
])
def test_a_meeting_is_checked(assess, everyone, fields, field, message):
    review_round = submitted_round(assess, everyone, 2025, meetings=False)
    with pytest.raises(ValidationError) as refused:
        meeting(everyone, review_round, **fields)
    assert message in " ".join(refused.value.message_dict[field])
    assert not VillageMeeting.objects.exists()


@pytest.mark.django_db
def test_meetings_are_written_by_editors_and_locked_with_their_round(assess, everyone):
    review_round = submitted_round(assess, everyone, 2025, meetings=False)
    for name in ("chair", "province", "leader", "other_commune"):  # by role (403) or area (400): nothing written
        with pytest.raises((PermissionDenied, ValidationError)):
            village_meeting_save(acting_user=everyone[name], review_round=review_round, village="90101-01",
                                 meeting_date=datetime.date(2025, 10, 20), attendees=3, in_favour=2)
    held = meeting(everyone, review_round)
    assert held.history.first().history_user == everyone["commune"]
    round_recognise(acting_user=everyone["chair"], review_round=review_round, **decision(2025))
    with pytest.raises(RoundLockedError):
        meeting(everyone, review_round, in_favour=30)
    with pytest.raises(RoundLockedError):
        village_meeting_delete(acting_user=everyone["commune"], meeting=VillageMeeting.objects.get())
    held.refresh_from_db()
    held.in_favour = 1
    with pytest.raises(RoundLockedError):
        held.save()
    assert VillageMeeting.objects.get().in_favour == 31


@pytest.mark.django_db
def test_meetings_through_the_api(assess, everyone):
    review_round = submitted_round(assess, everyone, 2025, meetings=False)
    url = f"{API}/{review_round.pk}/village-meetings/"
    body = {"village": "90101-01", "meeting_date": "2025-10-20", "attendees": 40, "in_favour": 31,
            "posted_from": "2025-10-21", "posted_to": "2025-10-25"}
    created = api(everyone["commune"]).post(url, body, format="json")
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("village", "passed", "share_in_favour", "version")} == {
        "village": "90101-01", "passed": True, "share_in_favour": 77.5, "version": 1}
    again = api(everyone["commune"]).post(url, {**body, "in_favour": 19}, format="json")
    assert again.status_code == 400 and "version" in again.json()  # a correction names the version it was made on
    corrected = api(everyone["commune"]).post(url, {**body, "in_favour": 19, "version": 1}, format="json")
    assert corrected.status_code == 200 and corrected.json()["passed"] is False
    stale = api(everyone["commune"]).post(url, {**body, "version": 1}, format="json")
    assert stale.status_code == 409
    assert api(everyone["chair"]).post(url, {**body, "version": 2}, format="json").status_code == 403  # by role
    assert api(everyone["leader"]).post(url, {**body, "version": 2}, format="json").status_code == 403
    foreign = api(everyone["commune"]).post(url, {**body, "village": "90201-01"}, format="json")
    assert foreign.status_code == 400 and "village" in foreign.json()
    rounds = api(everyone["province"]).get(f"{API}/", {"year": 2025}).json()["results"]
    assert [(m["village"], m["in_favour"], m["passed"]) for m in rounds[0]["village_meetings"]] == [
        ("90101-01", 19, False)]
    assert api(everyone["leader"]).get(url).json()[0]["attendees"] == 40
    assert api(everyone["commune"]).delete(url, {"village": "90101-09"}).status_code == 404
    assert api(everyone["commune"]).delete(f"{url}?village=90101-01").status_code == 204
    assert not VillageMeeting.objects.exists()


@pytest.mark.django_db
def test_meetings_in_the_rounds_admin_page(assess, everyone, client):
    review_round = submitted_round(assess, everyone, 2025, meetings=False)
    page = f"/admin/review/reviewround/{review_round.pk}/change/"
    prefix = "village_meetings"
    form = {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000", f"{prefix}-0-village": "90101-01",
            f"{prefix}-0-meeting_date": "2025-10-20", f"{prefix}-0-attendees": "40", f"{prefix}-0-in_favour": "41",
            f"{prefix}-0-posted_from": "2025-10-21", f"{prefix}-0-posted_to": "2025-10-25", "_continue": "x"}
    client.force_login(everyone["commune"])
    html = client.get(page).content.decode()
    assert "Lưu biên bản họp thôn, niêm yết" in html and '<option value="90201-01"' not in html
    response = client.post(page, form)
    assert response.status_code == 200 and "không được nhiều hơn số người dự họp" in response.content.decode()
    response = client.post(page, {**form, f"{prefix}-0-in_favour": "30"})
    assert response.status_code == 302
    stored = VillageMeeting.objects.get()
    assert (stored.attendees, stored.in_favour, stored.posted_to) == (40, 30, datetime.date(2025, 10, 25))
    assert stored.history.first().history_user == everyone["commune"]
    html = client.get(page).content.decode()
    assert "75,0 % đồng ý: thông qua" in html
    # read only for the chairman, and for everyone once recognised
    client.force_login(everyone["chair"])
    assert "Lưu biên bản họp thôn" not in client.get(page).content.decode()
    round_recognise(acting_user=everyone["chair"], review_round=review_round, **decision(2025))
    client.force_login(everyone["commune"])
    html = client.get(page).content.decode()
    assert "Lưu biên bản họp thôn" not in html and f'name="{prefix}-0-in_favour"' not in html


@pytest.mark.django_db
def test_the_lists_page_shows_the_meetings_and_the_decision(assess, everyone, client):
    review_round = submitted_round(assess, everyone, 2025, meetings=False)
    meeting(everyone, review_round, attendees=40, in_favour=30)
    client.force_login(everyone["leader"])
    page = "/review/90101/2025/lists/"
    html = client.get(page).content.decode()
    assert "Chưa có quyết định công nhận" in html and "Cấp trên của xã với kỳ rà soát năm 2025: tỉnh." in html
    assert "Thôn Một" in html and "20/10/2025" in html and "75,0 %" in html and "Thông qua" in html
    assert "từ 21/10/2025 đến 25/10/2025" in html
    round_recognise(acting_user=everyone["chair"], review_round=review_round, **decision(2025))
    html = client.get(page).content.decode()
    assert "Quyết định số <b>125/QĐ-UBND</b> ngày 12/12/2025" in html
    other = submitted_round(assess, everyone, 2024, "RC-OLD", meetings=False)
    VillageMeeting.objects.create(review_round=other, village_id="90101-01", meeting_date=datetime.date(2024, 10, 1),
                                  attendees=10, in_favour=4)
    html = client.get("/review/90101/2024/lists/").content.decode()
    assert "Không thông qua" in html and "huyện." in html
    html = client.get("/review/90102/2024/lists/").content.decode()  # the commune 90102 has no round
    assert "Chưa mở đợt rà soát năm 2024." in html
