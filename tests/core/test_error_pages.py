"""Error pages with DEBUG off: Vietnamese 400/403/404/500 and CSRF-failure pages instead of Django's English
ones; the message our own code raised is shown, Django's internal ones ("No … matches the given query.") and
a SuspiciousOperation's details never are."""
import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import path

from poverty_tracker.urls import handler400, handler403, handler404  # noqa: F401 (this module's handlers)
from poverty_tracker.urls import urlpatterns as site_urlpatterns

# Django's default pages, and the internal messages its own code gives the exceptions.
ENGLISH = ["Not Found", "The requested resource", "Bad Request", "Forbidden", "Server Error", "CSRF",
           "matches the given query", "Request aborted", "More information"]


def _boom(request):
    raise RuntimeError("an internal detail of the failure")


def _suspicious(request):
    raise SuspiciousOperation("secret detail for the security log")


# This module serves as ROOT_URLCONF (pytest.mark.urls) for the tests below that need a failing view.
urlpatterns = [
    path("test-errors/boom/", _boom),
    path("test-errors/suspicious/", _suspicious),
    *site_urlpatterns,
]


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def text(response):
    return response.content.decode()


def assert_no_english(html):
    found = [phrase for phrase in ENGLISH if phrase in html]
    assert found == [], found


# --- 404 ---------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_unknown_address_shows_the_vietnamese_404_page(client, users):
    client.force_login(users["commune"])
    response = client.get("/khong-co-trang-nay/")
    html = text(response)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html and "nằm ngoài địa bàn" in html and 'href="/">Tổng quan</a>' in html
    assert "khong-co-trang-nay" not in html  # not Resolver404's "tried" patterns nor the path
    assert 'class="notice error"' not in html  # no message of ours
    assert_no_english(html)


@pytest.mark.django_db
@pytest.mark.parametrize("user, url, message", [
    ("commune", "/review/90201/2024/", "Không có xã này trong địa bàn của bạn."),
    ("district", "/reports/nope/", "Không có báo cáo này."),
])
def test_a_404_of_ours_shows_the_views_message(client, users, user, url, message):
    client.force_login(users[user])
    response = client.get(url)
    assert response.status_code == 404
    html = text(response)
    assert message in html and "Không tìm thấy trang" in html
    assert_no_english(html)


@pytest.mark.django_db
def test_get_object_or_404_message_is_not_shown(client, users):
    client.force_login(users["admin"])
    response = client.get("/review/certificate/999999999/")
    assert response.status_code == 404
    html = text(response)
    assert "Không tìm thấy trang" in html
    assert "No Assessment" not in html and "Assessment" not in html
    assert_no_english(html)


@pytest.mark.django_db
def test_an_anonymous_visitor_gets_the_page_without_the_menu(client):
    response = client.get("/khong-co-trang-nay/")
    html = text(response)
    assert response.status_code == 404 and "Không tìm thấy trang" in html and "Đăng xuất" not in html


# --- 400 ---------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_too_many_worksheet_rows_shows_the_views_message(client, users, monkeypatch):
    monkeypatch.setattr("review.views.ROWS_PER_PAGE", 2)
    client.force_login(users["commune"])
    response = client.post("/review/90101/2024/", {f"h{pk}-version": "" for pk in range(1, 4)})
    assert response.status_code == 400
    html = text(response)
    assert "Quá nhiều dòng trong một lần lưu." in html and "Yêu cầu không hợp lệ" in html
    assert_no_english(html)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_suspicious_operation_shows_no_details(client, users):
    client.force_login(users["commune"])
    response = client.get("/test-errors/suspicious/")
    assert response.status_code == 400
    html = text(response)
    assert "Yêu cầu không hợp lệ" in html and "secret detail" not in html and 'class="notice error"' not in html
    assert_no_english(html)


# --- 403 ---------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_refused_action_shows_the_views_message(client, users):
    client.force_login(users["commune"])
    response = client.post("/review/90101/regular/", {"action": "không-có"})
    assert response.status_code == 403
    html = text(response)
    assert "Không có quyền thực hiện" in html and "Tài khoản của bạn không được thực hiện thao tác này." in html
    assert_no_english(html)


@pytest.mark.django_db
def test_a_csrf_failure_shows_the_vietnamese_page(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["commune"])
    response = client.post("/review/90101/2024/", {"h1-version": ""})
    assert response.status_code == 403
    html = text(response)
    assert "Biểu mẫu đã hết hạn" in html and "chưa được lưu" in html and "tải lại trang" in html
    assert "cookie" in html and 'href="/">Tổng quan</a>' in html
    assert_no_english(html)


# --- 500 ---------------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_server_error_shows_the_standalone_vietnamese_page(users):
    client = Client(raise_request_exception=False)
    client.force_login(users["commune"])
    response = client.get("/test-errors/boom/")
    assert response.status_code == 500
    html = text(response)
    assert "Lỗi máy chủ" in html and "thử lại sau ít phút" in html and 'href="/">Tổng quan</a>' in html
    assert "internal detail" not in html and "Đăng xuất" not in html  # no context: not the site's menu
    assert_no_english(html)
