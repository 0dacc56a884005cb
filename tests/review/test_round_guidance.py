"""Issue 26.7: the round's pages say what the chairman's recognition still waits for — meetings, posting, the report
up, the level above's opinion — each with a link to where it is recorded (review.round_guidance), from the round's
opening on, not only once it is reported."""
import datetime
import re

import pytest

from review.models import RoundStatus
from review.rounds import round_opinion, round_recognise, round_submit
from tests.factories import HouseholdFactory

D = datetime.date


@pytest.fixture
def open_round(assess, everyone):
    """xã 90101's 2026 round, open: one poor household of Thôn Một, no meeting yet."""
    return assess(HouseholdFactory(code="GUIDE-1"), 2026, income=1_000_000, deprivations=["1", "4", "9"]).review_round


def blockers(html):
    """{data-step: (text, link or None)} of the page's list of missing steps."""
    found = {}
    for step, body in re.findall(r'<li data-step="(\w+)">(.*?)</li>', html, re.S):
        link = re.search(r'<a href="([^"]*)" class="where-recorded">', body)
        found[step] = (re.sub(r"<[^>]+>", "", body).strip(), link.group(1) if link else None)
    return found


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_an_open_round_says_every_missing_step_with_where_it_is_recorded(open_round, everyone, client):
    admin_page = f"/admin/review/reviewround/{open_round.pk}/change/"
    html = page(client, everyone["chair"], admin_page)
    shown = blockers(html)
    assert set(shown) == {"village_meetings", "status"}
    assert "chưa có biên bản họp thôn" in shown["village_meetings"][0]
    assert shown["village_meetings"][1] == "#village_meetings-group" and 'id="village_meetings-group"' in html
    # the report up is the commune officer's button: the chairman is told, not sent to a button he lacks
    assert shown["status"] == ("Chưa báo cáo kết quả lên tỉnh: xã gửi báo cáo (nút «Gửi tỉnh») trước khi công nhận.",
                               None)
    assert html.index('id="round-blockers"') < html.index('id="village_meetings-group"')  # first on the page

    html = page(client, everyone["commune"], admin_page)
    assert blockers(html)["status"][1] == "#round-steps" and 'id="round-steps"' in html

    # the lists page sends to the round's page
    shown = blockers(page(client, everyone["chair"], "/review/90101/2026/lists/"))
    assert shown["village_meetings"][1] == f"{admin_page}#village_meetings-group"


@pytest.mark.django_db
def test_steps_leave_the_list_as_they_are_recorded(open_round, everyone, client):
    from review.meetings import village_meeting_save

    admin_page = f"/admin/review/reviewround/{open_round.pk}/change/"
    village_meeting_save(acting_user=everyone["commune"], review_round=open_round, village="90101-01",
                         meeting_date=D(2026, 11, 2), attendees=40, in_favour=30)
    shown = blockers(page(client, everyone["chair"], admin_page))
    assert set(shown) == {"posting", "status"}
    assert "chưa ghi ngày niêm yết công khai" in shown["posting"][0]
    assert shown["posting"][1] == "#village_meetings-group"

    open_round.village_meetings.update(posted_from=D(2026, 11, 3), posted_to=D(2026, 11, 9))
    round_submit(acting_user=everyone["commune"], review_round=open_round)  # today: the province's days run
    shown = blockers(page(client, everyone["province"], admin_page))
    assert set(shown) == {"opinion"} and shown["opinion"][1] == "#round-steps"
    assert shown["opinion"][0].startswith("Tỉnh chưa có ý kiến về báo cáo ngày")
    assert blockers(page(client, everyone["chair"], admin_page))["opinion"][1] is None  # the province's button
    today = datetime.date.today()
    round_opinion(acting_user=everyone["province"], review_round=open_round, opinion_date=today,
                  opinion="Thống nhất.")
    html = page(client, everyone["chair"], admin_page)
    assert 'id="round-blockers"' not in html and "Công nhận (khoá)" in html
    round_recognise(acting_user=everyone["chair"], review_round=open_round, decision_number="9/QĐ-UBND",
                    decision_date=today, confirm_unassessed=True)
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.APPROVED
    assert 'id="round-blockers"' not in page(client, everyone["chair"], "/review/90101/2026/lists/")
