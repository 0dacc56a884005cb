"""Dates day first in every admin form (poverty_tracker/formats/vi/formats.py, issue 26.1): "10/11/2026" is
10 November, "20/11/2026" is taken, "11/20/2026" (month first) is refused saying how to write a date."""
import datetime
from html.parser import HTMLParser

import pytest

from households.models import Household, Member
from review.models import RegularReview, ReviewCalendar, ReviewRequest
from tests.factories import HouseholdFactory, MemberFactory
from tests.households.test_admin_entry import household_post
from tests.review import conftest as review_fixtures
from tests.review.procedure import recognise_round

# The review's roles and a commune's recognised 2024 lists (tests/review/conftest.py)
assess, reviewers, everyone = review_fixtures.assess, review_fixtures.reviewers, review_fixtures.everyone
lists_2024 = review_fixtures.lists_2024


@pytest.fixture
def lists_2025(lists_2024, assess, everyone):
    """The commune's 2025 lists recognised on 15/12/2025: what a regular review in 2026 changes."""
    first = assess(lists_2024["poor"], 2025, income=1_000_000, deprivations=["1", "4", "9"])
    recognise_round(everyone, everyone["chair"], first.review_round, datetime.date(2025, 12, 15))
    return lists_2024

NOV_10, NOV_20 = datetime.date(2026, 11, 10), datetime.date(2026, 11, 20)


class FormFields(HTMLParser):
    """The fields a browser would post from the admin's change form, as the page shows them."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values[name] = attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data.lstrip("\n")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def shown_form(client, url):
    page = client.get(url)
    assert page.status_code == 200
    parser = FormFields()
    parser.feed(page.content.decode())
    return parser.values


def post_date(client, url, field, typed, **values):
    data = {**shown_form(client, url), **values, field: typed}
    data.pop("_continue", None), data.pop("_addanother", None)
    return client.post(url, data)


def field_errors(response, field):
    assert response.status_code == 200, "a month-first date was saved"
    return " ".join(response.context["adminform"].form.errors.get(field, []))


# One recipe per admin: who posts what (the other fields of a valid form), the field typed, the stored value.
def household_admin(client, fixture):
    client.force_login(fixture("everyone")["commune"])

    def post(typed):
        return client.post("/admin/households/household/add/", household_post(registered_on=typed))

    return post, "registered_on", lambda: Household.objects.get(code="HH-NEW").registered_on


def member_admin(client, fixture):
    member = MemberFactory(household=HouseholdFactory(code="HH-MEMBER"), birth_year=2026)
    client.force_login(fixture("everyone")["commune"])
    url = f"/admin/households/member/{member.pk}/change/"
    return (lambda typed: post_date(client, url, "birth_date", typed), "birth_date",
            lambda: Member.objects.get(pk=member.pk).birth_date)


def request_admin(client, fixture):
    household = HouseholdFactory(code="HH-REQUEST")
    client.force_login(fixture("everyone")["commune"])
    url = "/admin/review/reviewrequest/add/"
    return (lambda typed: post_date(client, url, "requested_on", typed, household=household.pk, kind="leave",
                                    procedure="regular"),
            "requested_on", lambda: ReviewRequest.objects.get().requested_on)


def regular_review_admin(client, fixture):
    poor = fixture("lists_2025")["poor"]
    client.force_login(fixture("everyone")["chair"])
    url = "/admin/review/regularreview/add/"
    return (lambda typed: post_date(client, url, "effective_on", typed, household=poor.pk,
                                    classification="not_poor", decision_number="12/QĐ-UBND",
                                    decision_date="01/11/2026"),
            "effective_on", lambda: RegularReview.objects.get().effective_on)


def calendar_admin(client, fixture):
    client.force_login(fixture("everyone")["province"])
    url = "/admin/review/reviewcalendar/add/"
    return (lambda typed: post_date(client, url, "preliminary_by", typed, province="90", year="2026",
                                    survey_starts="15/09/2026", meetings_by="25/10/2026",
                                    official_by="30/11/2026", window_closes="10/12/2026"),
            "preliminary_by", lambda: ReviewCalendar.objects.get().preliminary_by)


ADMINS = [household_admin, member_admin, request_admin, regular_review_admin, calendar_admin]


@pytest.mark.django_db
@pytest.mark.parametrize("admin_form", ADMINS, ids=lambda recipe: recipe.__name__)
@pytest.mark.parametrize("typed, stored", [("10/11/2026", NOV_10), ("20/11/2026", NOV_20), ("2026-11-10", NOV_10)])
def test_a_date_typed_day_first_is_stored_as_that_day(client, request, admin_form, typed, stored):
    post, field, saved = admin_form(client, request.getfixturevalue)
    response = post(typed)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert saved() == stored


@pytest.mark.django_db
@pytest.mark.parametrize("admin_form", ADMINS, ids=lambda recipe: recipe.__name__)
def test_a_date_typed_month_first_is_refused_in_vietnamese(client, request, admin_form):
    post, field, saved = admin_form(client, request.getfixturevalue)
    assert field_errors(post("11/20/2026"), field) == "Ngày không hợp lệ: hãy ghi ngày/tháng/năm, ví dụ 20/11/2026."


@pytest.mark.django_db
def test_a_stored_date_is_shown_day_first_in_its_field_and_list(client, request):
    calendar_admin(client, request.getfixturevalue)[0]("10/11/2026")
    calendar = ReviewCalendar.objects.get()
    form = shown_form(client, f"/admin/review/reviewcalendar/{calendar.pk}/change/")
    assert (form["survey_starts"], form["preliminary_by"]) == ("15/09/2026", "10/11/2026")
    listed = client.get("/admin/review/reviewcalendar/").content.decode()
    assert "10/11/2026" in listed and "15/09/2026" in listed


@pytest.mark.django_db
def test_a_time_is_shown_day_first_with_hours_and_minutes(client, request):
    """The history of a record: when each change was made, "14/11/2025 07:00" in Vietnam's time."""
    from django.utils import timezone

    calendar_admin(client, request.getfixturevalue)[0]("10/11/2026")
    calendar = ReviewCalendar.objects.get()
    made = datetime.datetime(2025, 11, 14, 0, 0, tzinfo=datetime.UTC)  # 07:00 in Asia/Ho_Chi_Minh
    calendar.history.update(history_date=made)
    page = client.get(f"/admin/review/reviewcalendar/{calendar.pk}/history/").content.decode()
    assert "14/11/2025 07:00" in page, timezone.get_current_timezone_name()
