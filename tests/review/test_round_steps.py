"""Each role is offered only the round steps it may make (review.services.round_steps, the rule the services
enforce), on the admin's round page and in its list's actions; a step posted without being offered is
still refused."""
import re

import pytest
from django.core.exceptions import ValidationError

from review.models import ReviewRound, RoundStatus
from review.services import (
    ROUND_STEPS,
    round_approve,
    round_reopen,
    round_return,
    round_steps,
    round_submit,
)

SERVICES = {"submit": round_submit, "approve": round_approve, "return": round_return, "reopen": round_reopen}
BUTTONS = {"submit": "Gửi huyện", "approve": "Phê duyệt (khoá)", "return": "Trả lại xã",
           "reopen": "Mở lại đợt rà soát"}
LIST = "/admin/review/reviewround/"

# role -> status -> the steps offered (and accepted) on a round of commune 90101
EXPECTED = {
    "admin": {"open": ["submit"], "submitted": ["approve", "return"], "approved": ["reopen"]},
    "district": {"open": [], "submitted": ["approve", "return"], "approved": ["reopen"]},
    "commune": {"open": ["submit"], "submitted": [], "approved": []},
    "other_commune": {"open": [], "submitted": [], "approved": []},  # not its commune
    "leader": {"open": [], "submitted": [], "approved": []},
}


@pytest.fixture
def review_round(assess, users):
    from tests.factories import HouseholdFactory

    return assess(HouseholdFactory(code="RS-1"), 2024, income=1_200_000).review_round


def put(review_round, status):
    ReviewRound.objects.filter(pk=review_round.pk).update(status=status)
    review_round.refresh_from_db()
    return review_round


def buttons(html):
    return re.findall(r'<input type="submit" name="_(\w+)" value="([^"]+)">', html)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["open", "submitted", "approved"])
def test_the_rule_offers_exactly_what_the_services_accept(users, review_round, status):
    for name, user in users.items():
        put(review_round, status)
        offered = round_steps(user, review_round)
        assert offered == EXPECTED[name][status], name
        for step, service in SERVICES.items():
            put(review_round, status)
            kwargs = {"reason": "Lý do"} if step in ("return", "reopen") else {}
            try:
                service(acting_user=user, review_round=review_round, **kwargs)
                accepted = True
            except ValidationError:
                accepted = False
            assert accepted == (step in offered), (name, status, step)


@pytest.mark.django_db
def test_without_a_round_the_rule_says_what_the_role_may_do_at_all(users):
    assert {name: round_steps(user) for name, user in users.items()} == {
        "admin": ["submit", "approve", "return", "reopen"], "district": ["approve", "return", "reopen"],
        "commune": ["submit"], "other_commune": ["submit"], "leader": []}
    assert list(ROUND_STEPS) == ["submit", "approve", "return", "reopen"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin", "district", "commune", "leader"])
@pytest.mark.parametrize("status", ["open", "submitted", "approved"])
def test_the_round_page_shows_only_the_buttons_of_the_role(client, users, review_round, name, status):
    put(review_round, status)
    client.force_login(users[name])
    response = client.get(f"{LIST}{review_round.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    expected = EXPECTED[name][status]
    assert buttons(html) == [(step, BUTTONS[step]) for step in expected]
    assert ('name="reason"' in html) == bool({"return", "reopen"} & set(expected))


@pytest.mark.django_db
def test_another_communes_round_is_neither_shown_nor_moved(client, users, review_round):
    client.force_login(users["other_commune"])
    page = f"{LIST}{review_round.pk}/change/"
    response = client.get(page, follow=True)
    assert buttons(response.content.decode()) == [] and response.redirect_chain[-1][0] == "/admin/"
    client.post(page, {"_submit": "x"})
    review_round.refresh_from_db()
    assert review_round.status == "open"


@pytest.mark.django_db
@pytest.mark.parametrize("name, status, button", [
    ("commune", "submitted", "_approve"),
    ("commune", "submitted", "_return"),
    ("commune", "approved", "_reopen"),
    ("district", "open", "_submit"),
    ("district", "open", "_approve"),   # a step of the role, from the wrong status
    ("admin", "approved", "_submit"),
])
def test_a_hidden_button_posted_is_refused(client, users, review_round, name, status, button):
    put(review_round, status)
    client.force_login(users[name])
    response = client.post(f"{LIST}{review_round.pk}/change/", {button: "x", "reason": "Lý do"}, follow=True)
    assert response.status_code == 200
    review_round.refresh_from_db()
    assert review_round.status == status
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and ("Vai trò của bạn không được" in errors[0] or "Chỉ " in errors[0])


@pytest.mark.django_db
def test_the_leader_cannot_post_a_step(client, users, review_round):
    put(review_round, "submitted")
    client.force_login(users["leader"])
    response = client.post(f"{LIST}{review_round.pk}/change/", {"_approve": "x"})
    assert response.status_code == 403
    review_round.refresh_from_db()
    assert review_round.status == "submitted"


@pytest.mark.django_db
def test_the_offered_buttons_move_the_round(client, users, review_round):
    page = f"{LIST}{review_round.pk}/change/"
    client.force_login(users["commune"])
    response = client.post(page, {"_submit": "Gửi huyện"}, follow=True)
    assert response.redirect_chain[-1][0] == page  # back on the round, with the buttons of its new status
    assert "Đã gửi huyện." in response.content.decode() and buttons(response.content.decode()) == []
    client.force_login(users["district"])
    response = client.post(page, {"_return": "x", "reason": "  "}, follow=True)
    assert "Hãy ghi lý do trả lại." in response.content.decode()
    response = client.post(page, {"_approve": "x"}, follow=True)
    assert "Đã phê duyệt và khoá đợt rà soát." in response.content.decode()
    assert buttons(response.content.decode()) == [("reopen", "Mở lại đợt rà soát")]
    response = client.post(page, {"_reopen": "x", "reason": "Sai thu nhập hộ RS-1"}, follow=True)
    review_round.refresh_from_db()
    assert (review_round.status, review_round.reopen_reason) == (RoundStatus.OPEN, "Sai thu nhập hộ RS-1")
    history = list(review_round.history.values_list("history_change_reason", "history_user__username"))
    assert history[:3] == [("Mở lại: Sai thu nhập hộ RS-1", "district"), ("Phê duyệt", "district"),
                           ("Gửi huyện", "commune")]


def offered_actions(client):
    response = client.get(LIST)
    assert response.status_code == 200
    form = response.context["action_form"]
    return [label for value, label in form.fields["action"].choices if value] if form else []


@pytest.mark.django_db
def test_the_list_offers_only_the_actions_of_the_role(client, users, review_round):
    expected = {"admin": ["Gửi huyện các đợt đã chọn", "Phê duyệt (khoá) các đợt đã chọn"],
                "district": ["Phê duyệt (khoá) các đợt đã chọn"], "commune": ["Gửi huyện các đợt đã chọn"],
                "leader": []}
    for name, actions in expected.items():
        client.force_login(users[name])
        assert offered_actions(client) == actions, name


@pytest.mark.django_db
def test_a_hidden_action_posted_is_refused(client, users, review_round):
    put(review_round, "submitted")
    client.force_login(users["commune"])
    response = client.post(LIST, {"action": "approve_rounds", "_selected_action": [review_round.pk]}, follow=True)
    assert response.status_code == 200
    review_round.refresh_from_db()
    assert review_round.status == "submitted"
    client.force_login(users["district"])
    put(review_round, "open")
    response = client.post(LIST, {"action": "submit_rounds", "_selected_action": [review_round.pk]}, follow=True)
    review_round.refresh_from_db()
    assert review_round.status == "open"
    # an offered action on a round in the wrong status: the service says why
    response = client.post(LIST, {"action": "approve_rounds", "_selected_action": [review_round.pk]}, follow=True)
    assert "Chỉ phê duyệt được đợt rà soát xã đã gửi." in response.content.decode()
    review_round.refresh_from_db()
    assert review_round.status == "open"
