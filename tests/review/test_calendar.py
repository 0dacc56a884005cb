"""The review calendar as settings, defaulting to Decision 24/2021/QĐ-TTg (the periodic review 1 September –
14 December, Article 3.1.a; reports before 15 November and before 20 December, Article 7), checked at start-up,
and shown on the progress board."""
import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from poverty_tracker.env import check_review_calendar, review_day_setting
from review.services import assessment_save
from tests.factories import HouseholdFactory

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_follow_decision_24():
    # In a process of its own without the REVIEW_* variables, so a calendar set by this machine's environment
    # neither fails nor skips the test: it checks the defaults the settings carry.
    env = {name: value for name, value in os.environ.items() if not name.startswith("REVIEW_")}
    code = ("import django; django.setup(); from django.conf import settings as s; print(s.REVIEW_WINDOW_OPENS, "
            "s.REVIEW_WINDOW_CLOSES, s.REVIEW_PRELIMINARY_DEADLINE, s.REVIEW_OFFICIAL_DEADLINE)")
    shown = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE":
                           "poverty_tracker.test_settings"}, capture_output=True, text=True, check=True).stdout
    assert shown.split() == ["09-01", "12-14", "11-15", "12-20"]


@pytest.mark.parametrize("value, expected", [("11-15", "11-15"), ("9-1", "09-01"), (" 12-14 ", "12-14")])
def test_a_setting_reads_month_and_day(monkeypatch, value, expected):
    monkeypatch.setenv("REVIEW_TEST_DAY", value)
    assert review_day_setting("REVIEW_TEST_DAY", "01-01") == expected


@pytest.mark.parametrize("value", ["13-40", "02-29", "11/15", "15-11-2025", "", "ngày 15"])
def test_a_bad_setting_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("REVIEW_TEST_DAY", value)
    with pytest.raises(ImproperlyConfigured, match="REVIEW_TEST_DAY"):
        review_day_setting("REVIEW_TEST_DAY", "01-01")


def test_the_days_must_run_in_order():
    check_review_calendar("09-01", "12-14", "11-15", "12-20")
    with pytest.raises(ImproperlyConfigured, match="REVIEW_WINDOW_CLOSES"):
        check_review_calendar("12-14", "09-01", "11-15", "12-20")
    with pytest.raises(ImproperlyConfigured, match="REVIEW_OFFICIAL_DEADLINE"):
        check_review_calendar("09-01", "12-14", "12-21", "12-20")


def test_the_site_does_not_start_with_a_bad_day():
    env = {**os.environ, "REVIEW_WINDOW_OPENS": "13-40", "DJANGO_SETTINGS_MODULE": "poverty_tracker.settings",
           "DJANGO_DEBUG": "1"}
    run = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr and "REVIEW_WINDOW_OPENS='13-40'" in run.stderr


@pytest.mark.django_db
def test_the_progress_board_shows_the_window_and_the_deadlines(client, users, settings):
    HouseholdFactory(code="DL-1", commune_id="90101")
    client.force_login(users["district"])
    future = client.get("/review/progress/", {"year": 2090}).content.decode()
    assert "Rà soát định kỳ ở xã (01/09–14/12/2090)" in future and "chưa mở" in future
    assert "Kết quả sơ bộ (trước 15/11/2090)" in future and "Kết quả chính thức (trước 20/12/2090)" in future
    past = client.get("/review/progress/", {"year": 2020}).content.decode()
    assert "đã kết thúc" in past and "quá hạn" in past
    # a province's own calendar: the report is due BEFORE the day, so on the day itself it is late
    today = datetime.date.today()
    settings.REVIEW_PRELIMINARY_DEADLINE = f"{today:%m-%d}"
    settings.REVIEW_OFFICIAL_DEADLINE = "12-31"
    settings.REVIEW_WINDOW_OPENS, settings.REVIEW_WINDOW_CLOSES = "01-01", "12-31"
    assessment_save(acting_user=users["admin"], household=HouseholdFactory(code="DL-2", commune_id="90101"),
                    year=today.year, income_per_capita=1_000_000)
    page = client.get("/review/progress/", {"year": today.year})
    html = page.content.decode()
    assert "quá hạn 1 ngày" in html and "đang diễn ra" in html
    row = next(row for row in page.context["rows"] if row["commune"].code == "90101")
    assert row["behind"] is True


@pytest.mark.parametrize("name, value, message", [
    ("REVIEW_WINDOW_OPENS", "13-40", "REVIEW_WINDOW_OPENS='13-40'"),
    ("REVIEW_OFFICIAL_DEADLINE", "11-01", "REVIEW_PRELIMINARY_DEADLINE <= REVIEW_OFFICIAL_DEADLINE"),
    ("REVIEW_WINDOW_OPENS", "06-01", "1 July 2025"),
])
def test_a_calendar_set_in_a_settings_file_is_checked_at_start_up(settings, name, value, message):
    """A value assigned in a settings file (not read from the environment) is refused by the system check that
    runs at start-up (manage.py check, runserver, migrate), never taken with a silent fallback."""
    from django.core import checks

    from review.calendar import check_calendar, review_opens

    assert check_calendar() == []
    setattr(settings, name, value)
    errors = check_calendar()
    assert errors and all(error.level == checks.ERROR for error in errors)
    assert message in " ".join(error.msg for error in errors)
    if name == "REVIEW_WINDOW_OPENS" and value == "13-40":
        with pytest.raises(ImproperlyConfigured, match="REVIEW_WINDOW_OPENS"):
            review_opens(2025)


# A province's own calendar per review year (issue 25.10): recorded in the admin, read by the progress board.

def _province_plan(**changes):
    from review.models import ReviewCalendar

    values = {"province_id": "90", "year": 2026, "survey_starts": datetime.date(2026, 9, 15),
              "meetings_by": datetime.date(2026, 10, 25), "preliminary_by": datetime.date(2026, 11, 5),
              "official_by": datetime.date(2026, 11, 30), "window_closes": datetime.date(2026, 12, 10),
              "basis": "Kế hoạch 123/KH-UBND"} | changes
    return ReviewCalendar.objects.create(**values)


@pytest.mark.django_db
def test_without_a_province_row_a_commune_works_to_decision_24(users):
    from review.calendar import DECISION_24_BASIS
    from review.province_calendars import commune_calendars

    dates = commune_calendars(2026, ["90101"])["90101"]
    assert (dates.survey_starts, dates.preliminary_by, dates.official_by, dates.window_closes) == (
        datetime.date(2026, 9, 1), datetime.date(2026, 11, 15), datetime.date(2026, 12, 20), datetime.date(2026, 12, 14))
    assert dates.province_plan is False and dates.basis == DECISION_24_BASIS
    _province_plan(year=2025, survey_starts=datetime.date(2025, 9, 15), meetings_by=datetime.date(2025, 10, 25),
                   preliminary_by=datetime.date(2025, 11, 5), official_by=datetime.date(2025, 11, 30),
                   window_closes=datetime.date(2025, 12, 10))  # another year's plan does not apply
    assert commune_calendars(2026, ["90101"])["90101"].preliminary_by == datetime.date(2026, 11, 15)


@pytest.mark.django_db
def test_the_progress_board_shows_the_provinces_dates(client, users):
    client.force_login(users["district"])
    before = client.get("/review/progress/", {"year": 2026}).content.decode()
    assert "theo Quyết định 24/2021/QĐ-TTg — hạn tỉnh báo cáo Bộ" in before
    assert "Kết quả sơ bộ (trước 15/11/2026)" in before
    _province_plan()
    page = client.get("/review/progress/", {"year": 2026})
    html = page.content.decode()
    assert "Kết quả sơ bộ (trước 05/11/2026)" in html and "Kết quả chính thức (trước 30/11/2026)" in html
    assert "Rà soát định kỳ ở xã (15/09–10/12/2026)" in html
    assert "Kế hoạch 123/KH-UBND" in html and "họp thôn xong trước 25/10/2026" in html
    assert "hạn tỉnh báo cáo Bộ" not in html


@pytest.mark.django_db
def test_the_province_calendar_decides_which_commune_is_late(client, users):
    today = datetime.date.today()
    _province_plan(year=today.year, survey_starts=datetime.date(today.year, 1, 1), meetings_by=today,
                   preliminary_by=today, official_by=datetime.date(today.year, 12, 31),
                   window_closes=datetime.date(today.year, 12, 31))
    client.force_login(users["district"])
    page = client.get("/review/progress/", {"year": today.year})
    row = next(row for row in page.context["rows"] if row["commune"].code == "90101")
    assert row["behind"] is True  # due before today by the province's plan, whatever Decision 24 says


@pytest.mark.django_db
def test_a_province_officer_records_only_their_province(client, users, reviewers):
    from areas.models import AdministrativeUnit
    from review.models import ReviewCalendar

    AdministrativeUnit.objects.create(code="80", name="Gia Lai", kind="tỉnh", level="province")
    other = _province_plan(province_id="80")
    own = _province_plan()
    client.force_login(reviewers["province"])
    form = {"year": 2026, "survey_starts": "15/09/2026", "meetings_by": "25/10/2026", "preliminary_by": "01/11/2026",
            "official_by": "30/11/2026", "window_closes": "10/12/2026", "basis": "", "loaded_version": 1}
    assert client.get(f"/admin/review/reviewcalendar/{other.pk}/change/").status_code in (302, 404)
    client.post(f"/admin/review/reviewcalendar/{other.pk}/change/", {**form, "province": "80"})
    added = client.post("/admin/review/reviewcalendar/add/", {**form, "province": "80", "year": 2027})
    assert added.status_code == 200 and not ReviewCalendar.objects.filter(year=2027).exists()
    assert ReviewCalendar.objects.get(pk=other.pk).preliminary_by == datetime.date(2026, 11, 5)
    saved = client.post(f"/admin/review/reviewcalendar/{own.pk}/change/", {**form, "province": "90"})
    assert saved.status_code == 302
    own.refresh_from_db()
    assert own.preliminary_by == datetime.date(2026, 11, 1) and own.history.first().history_user == reviewers["province"]
    client.force_login(users["commune"])  # a commune officer records no province's calendar
    assert client.post(f"/admin/review/reviewcalendar/{own.pk}/change/", {**form, "province": "90"}).status_code in (
        302, 403, 404)
    own.refresh_from_db()
    assert own.preliminary_by == datetime.date(2026, 11, 1)


# The commune's worksheet says when its window closes (issue 26.7), in the progress board's words.

@pytest.mark.parametrize("today,state,notice", [
    (datetime.date(2026, 8, 31), "chưa mở",
     "Kỳ rà soát năm 2026 bắt đầu ngày 01/09/2026, kết thúc ngày 14/12/2026"),
    (datetime.date(2026, 12, 5), "đang diễn ra, còn 9 ngày", "Kỳ rà soát kết thúc ngày 14/12/2026 (còn 9 ngày)"),
    (datetime.date(2026, 12, 14), "đang diễn ra, hôm nay là ngày cuối",
     "Kỳ rà soát kết thúc ngày 14/12/2026 (hôm nay là ngày cuối)"),
    (datetime.date(2026, 12, 15), "đã kết thúc", "Kỳ rà soát năm 2026 đã kết thúc ngày 14/12/2026"),
])
def test_the_window_in_words(today, state, notice):
    from review.calendar import decision_24_calendar

    dates = decision_24_calendar(2026)
    assert dates.window_state(today) == state
    assert dates.window_notice(2026, today) == (
        f"{notice} — theo Quyết định 24/2021/QĐ-TTg (tỉnh chưa ghi lịch rà soát riêng).")


@pytest.mark.django_db
def test_the_worksheet_says_when_the_communes_window_closes(client, users):
    today = datetime.date.today()
    closes = today + datetime.timedelta(days=9)
    _province_plan(year=today.year, survey_starts=today - datetime.timedelta(days=60), meetings_by=today,
                   preliminary_by=today, official_by=closes, window_closes=closes)
    client.force_login(users["commune"])
    html = client.get(f"/review/90101/{today.year}/").content.decode()
    assert (f'<p class="notice" id="review-window">Kỳ rà soát kết thúc ngày {closes:%d/%m/%Y} (còn 9 ngày) — lịch rà '
            "soát của Tỉnh Thử.</p>") in html
    html = client.get(f"/review/90101/{today.year - 1}/").content.decode()  # no plan that year: Decision 24's day
    assert f"Kỳ rà soát năm {today.year - 1} đã kết thúc ngày 14/12/{today.year - 1} — theo Quyết định" in html
