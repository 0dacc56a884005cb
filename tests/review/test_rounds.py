"""Each role is offered only the round steps it may make (review.rounds.round_steps, the rule the services
enforce), on the admin's round page and in its list's actions; a step posted without being offered is
still refused. The level above the commune decides by the round's review year: the district up to 2024,
the province from 2025."""
import datetime
import itertools
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from review.models import ReviewRound, RoundStatus
from review.rounds import APPROVE_GONE, round_decision_correct, round_opinion
from review.services import (
    ROUND_STEPS,
    round_recognise,
    round_reopen,
    round_return,
    round_steps,
    round_submit,
)
from tests.review.procedure import hold_meetings, procedure_days

SERVICES = {"submit": round_submit, "opinion": round_opinion, "recognise": round_recognise, "return": round_return,
            "reopen": round_reopen, "correct": round_decision_correct}
LIST = "/admin/review/reviewround/"

# year -> role -> status -> the steps offered (and accepted) on a round of commune 90101
EXPECTED = {
    2024: {
        "admin": {"open": ["submit"], "submitted": ["opinion", "recognise", "return"],
                  "approved": ["reopen", "correct"]},
        "district": {"open": [], "submitted": ["opinion", "return"], "approved": ["reopen"]},
        "province": {"open": [], "submitted": [], "approved": []},  # the district's year
        "chair": {"open": [], "submitted": ["recognise"], "approved": ["correct"]},
        "other_chair": {"open": [], "submitted": [], "approved": []},  # not its commune
        "commune": {"open": ["submit"], "submitted": [], "approved": []},
        "other_commune": {"open": [], "submitted": [], "approved": []},  # not its commune
        "leader": {"open": [], "submitted": [], "approved": []},
    },
    2025: {
        "admin": {"open": ["submit"], "submitted": ["opinion", "recognise", "return"],
                  "approved": ["reopen", "correct"]},
        "district": {"open": [], "submitted": [], "approved": []},  # no districts after 1 July 2025
        "province": {"open": [], "submitted": ["opinion", "return"], "approved": ["reopen"]},
        "chair": {"open": [], "submitted": ["recognise"], "approved": ["correct"]},
        "other_chair": {"open": [], "submitted": [], "approved": []},
        "commune": {"open": ["submit"], "submitted": [], "approved": []},
        "other_commune": {"open": [], "submitted": [], "approved": []},
        "leader": {"open": [], "submitted": [], "approved": []},
    },
}
BUTTONS = {2024: {"submit": "Gửi huyện", "opinion": "Ghi ý kiến của cấp trên", "recognise": "Công nhận (khoá)",
                  "return": "Trả lại xã", "reopen": "Mở lại đợt rà soát", "correct": "Ghi đính chính quyết định"}}
BUTTONS[2025] = {**BUTTONS[2024], "submit": "Gửi tỉnh"}


NUMBERS = itertools.count(13)


def step_kwargs(step, year):
    days = procedure_days(year)
    if step in ("return", "reopen"):
        return {"reason": "Lý do"}
    if step == "recognise":
        return {"decision_number": "12/QĐ-UBND", "decision_date": days["decision"], "confirm_unassessed": True}
    if step == "opinion":
        return {"opinion_date": days["opinion"], "opinion": "Thống nhất"}
    if step == "correct":
        return {"decision_number": f"{next(NUMBERS)}/QĐ-UBND", "decision_date": days["decision"],
                "note": "Nhập nhầm số"}
    return {"reported_on": days["reported"]}


@pytest.fixture(params=[2024, 2025])
def review_round(request, assess, users):
    from tests.factories import HouseholdFactory

    return assess(HouseholdFactory(code="RS-1"), request.param, income=1_200_000).review_round


def put(review_round, status):
    """The round in `status`, as if it got there in order: submitted on the procedure's report day."""
    reported = procedure_days(review_round.year)["reported"]
    ReviewRound.objects.filter(pk=review_round.pk).update(
        status=status, submitted_at=datetime.datetime(reported.year, reported.month, reported.day, 9,
                                                      tzinfo=datetime.timezone.utc))
    review_round.refresh_from_db()
    return review_round


def buttons(html):
    """The step buttons (the meetings' save button is written name-last, so it is not one of them)."""
    return re.findall(r'<input type="submit" name="_(\w+)" value="([^"]+)">', html)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["open", "submitted", "approved"])
def test_the_rule_offers_exactly_what_the_services_accept(everyone, review_round, status):
    year = review_round.year
    hold_meetings(review_round, days=procedure_days(year))
    for name, user in everyone.items():
        put(review_round, status)
        offered = round_steps(user, review_round)
        assert offered == EXPECTED[year][name][status], (year, name)
        for step, service in SERVICES.items():
            put(review_round, status)
            try:
                service(acting_user=user, review_round=review_round, **step_kwargs(step, year))
                accepted = True
            except PermissionDenied as error:  # a role's refusal: 403 over HTTP
                assert str(error) and step not in offered
                accepted = False
            except ValidationError:
                accepted = False
            assert accepted == (step in offered), (year, name, status, step)


@pytest.mark.django_db
def test_without_a_round_the_rule_says_what_the_role_may_do_at_all(everyone):
    assert {name: round_steps(user) for name, user in everyone.items()} == {
        "admin": ["submit", "opinion", "recognise", "return", "reopen", "correct"],
        "district": ["opinion", "return", "reopen"], "province": ["opinion", "return", "reopen"],
        "chair": ["recognise", "correct"], "other_chair": ["recognise", "correct"],
        "commune": ["submit"], "other_commune": ["submit"], "leader": []}
    # no step of the level above locks a round: only the chairman's recognition does
    assert list(ROUND_STEPS) == ["submit", "opinion", "recognise", "return", "reopen", "correct"]
    assert {name for name, step in ROUND_STEPS.items() if step.from_status == "submitted"} == {
        "opinion", "recognise", "return"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin", "district", "province", "chair", "commune", "leader"])
@pytest.mark.parametrize("status", ["open", "submitted", "approved"])
def test_the_round_page_shows_only_the_buttons_of_the_role(client, everyone, review_round, name, status):
    put(review_round, status)
    client.force_login(everyone[name])
    response = client.get(f"{LIST}{review_round.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    expected = EXPECTED[review_round.year][name][status]
    assert buttons(html) == [(step, BUTTONS[review_round.year][step]) for step in expected]
    assert ('name="reason"' in html) == bool({"return", "reopen"} & set(expected))
    assert ('name="decision_number"' in html) == bool({"recognise", "correct"} & set(expected))
    assert ('name="opinion"' in html) == ("opinion" in expected)


@pytest.mark.django_db
def test_another_communes_round_is_neither_shown_nor_moved(client, everyone, review_round):
    for name in ("other_commune", "other_chair"):
        client.force_login(everyone[name])
        page = f"{LIST}{review_round.pk}/change/"
        response = client.get(page, follow=True)
        assert buttons(response.content.decode()) == [] and response.redirect_chain[-1][0] == "/admin/"
        client.post(page, {"_submit": "x", "_recognise": "x", "decision_number": "1", "decision_date": "2025-12-01"})
        review_round.refresh_from_db()
        assert review_round.status == "open"


@pytest.mark.django_db
@pytest.mark.parametrize("name, status, button", [
    ("commune", "submitted", "_opinion"),
    ("commune", "submitted", "_recognise"),
    ("commune", "submitted", "_return"),
    ("commune", "approved", "_reopen"),
    ("district", "open", "_submit"),
    ("district", "open", "_opinion"),   # a step of the role, from the wrong status
    ("district", "submitted", "_recognise"),
    ("chair", "submitted", "_return"),
    ("chair", "open", "_recognise"),
    ("admin", "approved", "_submit"),
])
def test_a_hidden_button_posted_is_refused(client, everyone, review_round, name, status, button):
    put(review_round, status)
    client.force_login(everyone[name])
    response = client.post(f"{LIST}{review_round.pk}/change/", {
        button: "x", "reason": "Lý do", "decision_number": "5/QĐ-UBND", "opinion": "x",
        "opinion_date": f"{review_round.year}-12-01",
        "decision_date": f"{review_round.year}-12-01", "confirm_unassessed": "1"}, follow=True)
    assert response.status_code == 200
    review_round.refresh_from_db()
    assert review_round.status == status
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and any(text in errors[0] for text in ("Vai trò của bạn không được", "Chỉ ", "Kỳ rà soát năm"))


@pytest.mark.django_db
def test_the_leader_cannot_post_a_step(client, users, review_round):
    put(review_round, "submitted")
    client.force_login(users["leader"])
    for button in ("_opinion", "_recognise", "_return"):
        response = client.post(f"{LIST}{review_round.pk}/change/", {button: "x", "reason": "x"})
        assert response.status_code == 403
    review_round.refresh_from_db()
    assert review_round.status == "submitted"


@pytest.mark.django_db
def test_the_offered_buttons_move_a_2024_round_and_the_district_only_gives_its_opinion(client, everyone, assess):
    from tests.factories import HouseholdFactory

    review_round = assess(HouseholdFactory(code="RS-1", village_id="90101-01"), 2024, income=1_200_000).review_round
    days = procedure_days(2024)
    hold_meetings(review_round, days=days)
    page = f"{LIST}{review_round.pk}/change/"
    client.force_login(everyone["commune"])
    response = client.post(page, {"_submit": "Gửi huyện"}, follow=True)
    assert response.redirect_chain[-1][0] == page  # back on the round, with the buttons of its new status
    assert "Đã báo cáo huyện." in response.content.decode() and buttons(response.content.decode()) == []
    client.force_login(everyone["district"])
    response = client.post(page, {"_return": "x", "reason": "  "}, follow=True)
    assert "Hãy ghi lý do trả lại." in response.content.decode()
    response = client.post(page, {"_approve": "x"}, follow=True)  # the page of an earlier release
    assert APPROVE_GONE in response.content.decode()
    review_round.refresh_from_db()
    assert review_round.status == RoundStatus.SUBMITTED  # the district locks nothing
    today = datetime.date.today()
    response = client.post(page, {"_opinion": "x", "opinion_date": today.isoformat(), "opinion": "Thống nhất"},
                           follow=True)
    assert "Đã ghi ý kiến của huyện." in response.content.decode()
    review_round.refresh_from_db()
    assert (review_round.status, review_round.opinion_date, review_round.opinion) == ("submitted", today, "Thống nhất")
    assert buttons(response.content.decode()) == [("opinion", "Ghi ý kiến của cấp trên"), ("return", "Trả lại xã")]
    history = list(review_round.history.values_list("history_change_reason", "history_user__username"))
    assert history[0] == (f"Ý kiến của huyện ngày {today:%d/%m/%Y}: Thống nhất", "district")


@pytest.mark.django_db
def test_the_offered_buttons_move_a_2025_round(client, everyone, assess):
    from tests.factories import HouseholdFactory

    review_round = assess(HouseholdFactory(code="RS-1", village_id="90101-01"), 2025, income=1_200_000).review_round
    page = f"{LIST}{review_round.pk}/change/"
    client.force_login(everyone["commune"])
    response = client.post(page, {"_submit": "Gửi tỉnh"}, follow=True)
    assert "Đã báo cáo tỉnh." in response.content.decode()
    client.force_login(everyone["province"])
    response = client.post(page, {"_return": "x", "reason": "Thiếu biên bản họp thôn"}, follow=True)
    assert "Đã trả lại xã." in response.content.decode()
    hold_meetings(review_round, days=procedure_days(2025))
    client.force_login(everyone["commune"])
    client.post(page, {"_submit": "Gửi tỉnh"})
    client.force_login(everyone["province"])
    today = datetime.date.today()
    client.post(page, {"_opinion": "x", "opinion_date": today.isoformat(), "opinion": "Đồng ý"})
    client.force_login(everyone["chair"])
    response = client.post(page, {"_recognise": "x", "decision_number": "", "decision_date": today.isoformat()},
                           follow=True)
    assert "Hãy ghi số quyết định công nhận" in response.content.decode()
    assert response.redirect_chain[-1][0] == f"{page}?decision_number=&decision_date={today.isoformat()}"
    assert f'value="{today.isoformat()}"' in response.content.decode()  # what was typed comes back
    response = client.post(page, {"_recognise": "x", "decision_number": "125/QĐ-UBND",
                                  "decision_date": f"{today:%d/%m/%Y}"}, follow=True)
    assert "Đã công nhận và khoá đợt rà soát." in response.content.decode()
    assert buttons(response.content.decode()) == [("correct", "Ghi đính chính quyết định")]
    client.force_login(everyone["province"])
    response = client.get(page)
    assert buttons(response.content.decode()) == [("reopen", "Mở lại đợt rà soát")]
    client.post(page, {"_reopen": "x", "reason": "Sai thu nhập hộ RS-1"})
    review_round.refresh_from_db()
    # reopening keeps the decision: the round's lists stand until an amending decision
    assert (review_round.status, review_round.decision_number, review_round.decision_date) == (
        "open", "125/QĐ-UBND", today)
    assert [(d.number, d.kind) for d in review_round.decisions.all()] == [("125/QĐ-UBND", "recognition")]
    history = list(review_round.history.values_list("history_change_reason", "history_user__username"))
    assert history[:4] == [("Mở lại: Sai thu nhập hộ RS-1", "province"),
                           (f"Công nhận: QĐ 125/QĐ-UBND ngày {today:%d/%m/%Y}", "chair"),
                           (f"Ý kiến của tỉnh ngày {today:%d/%m/%Y}: Đồng ý", "province"),
                           (f"Báo cáo, xin ý kiến tỉnh ngày {today:%d/%m/%Y}", "commune")]


def offered_actions(client):
    response = client.get(LIST)
    assert response.status_code == 200
    form = response.context["action_form"]
    return [label for value, label in form.fields["action"].choices if value] if form else []


@pytest.mark.django_db
def test_the_list_offers_only_the_actions_of_the_role(client, everyone, assess):
    from tests.factories import HouseholdFactory

    assess(HouseholdFactory(code="RS-1"), 2024, income=1_200_000)
    expected = {"admin": ["Gửi huyện các đợt đã chọn"], "district": [], "commune": ["Gửi huyện các đợt đã chọn"],
                "province": [], "chair": [], "leader": []}
    for name, actions in expected.items():
        client.force_login(everyone[name])
        assert offered_actions(client) == actions, name
    # the submit action names where the open rounds go
    assess(HouseholdFactory(code="RS-2"), 2025, income=1_200_000)
    client.force_login(everyone["commune"])
    assert offered_actions(client) == ["Gửi cấp trên (huyện đến kỳ 2024, tỉnh từ kỳ 2025) các đợt đã chọn"]
    ReviewRound.objects.filter(year=2024).update(status="approved")
    assert offered_actions(client) == ["Gửi tỉnh các đợt đã chọn"]


@pytest.mark.django_db
def test_the_old_approve_action_locks_nothing_and_says_what_to_do(client, users, review_round):
    put(review_round, "submitted")
    for name in ("district", "admin", "commune"):
        client.force_login(users[name])
        response = client.post(LIST, {"action": "approve_rounds", "_selected_action": [review_round.pk]},
                               follow=True)
        assert response.status_code == 200 and APPROVE_GONE in response.content.decode()
        review_round.refresh_from_db()
        assert review_round.status == "submitted"
    client.force_login(users["district"])
    put(review_round, "open")
    client.post(LIST, {"action": "submit_rounds", "_selected_action": [review_round.pk]}, follow=True)
    review_round.refresh_from_db()
    assert review_round.status == "open"
