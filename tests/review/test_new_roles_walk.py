"""The walks of tests/walks/test_scoping_walk.py and tests/walks/test_vietnamese_ui.py, as the roles of the recognition
(the shared `users` fixture does not hold them): the commune chairman of 90101 never meets another commune's
households; no page answers 5xx to the chairman or the province officer, and the review's pages show them
no English."""
import datetime

import pytest

from tests.walks.test_scoping_walk import MARKERS, foreign, walk_urls  # noqa: F401
from tests.walks.test_vietnamese_ui import admin_pages, english_in


@pytest.fixture
def meeting(foreign):  # noqa: F811
    """A village meeting on the foreign round, so its page shows the inline with a row."""
    from review.models import VillageMeeting

    return VillageMeeting.objects.create(review_round_id=foreign["review.reviewround"], village_id="90201-01",
                                         meeting_date=datetime.date(2024, 10, 1), attendees=10, in_favour=8)


@pytest.mark.django_db
def test_the_chairman_never_meets_another_communes_households(client, reviewers, foreign, meeting):  # noqa: F811
    client.force_login(reviewers["chair"])
    leaks = []
    for url in walk_urls(foreign):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        body = b"".join(response) if response.streaming else response.content
        if any(marker in body.decode("utf-8", errors="ignore") for marker in MARKERS):
            leaks.append(url)
    assert leaks == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["chair", "province"])
def test_no_english_and_no_server_error_for_the_new_roles(client, reviewers, foreign, meeting, name):  # noqa: F811
    client.force_login(reviewers[name])
    client.raise_request_exception = False
    found, failed = {}, []
    for url in admin_pages(foreign) + walk_urls(foreign):
        response = client.get(url)
        if response.status_code >= 500:
            failed.append(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        words = english_in(response.content.decode())
        if words:
            found[url] = words
    assert failed == [] and found == {}
