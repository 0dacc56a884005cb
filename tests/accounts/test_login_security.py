"""Login security: the client address behind proxies, per-address lockout, token rotation, deactivation."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from accounts.services import officer_save

API = "/api/v1"
TOKEN_URL = f"{API}/auth/token/"
LOGIN_URL = "/admin/login/?next=/admin/"
UNTRUSTED = "203.0.113.7"
PROXY = "10.0.0.2"


class FastPBKDF2(PBKDF2PasswordHasher):
    """A PBKDF2 that costs nothing: the preferred hasher in the re-hash test."""

    iterations = 2


def anon_limit():
    return AnonRateThrottle().num_requests


def token_for(name):
    response = APIClient().post(TOKEN_URL, {"username": name, "password": "x"}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api_with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# 1. X-Forwarded-For is trusted only from a configured proxy.

@pytest.mark.django_db
def test_rotated_forwarded_for_from_an_untrusted_address_is_still_throttled(settings):
    settings.TRUSTED_PROXIES = []
    client = APIClient(REMOTE_ADDR=UNTRUSTED)
    statuses = [
        client.post(TOKEN_URL, {}, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n % 250}, 192.0.2.{n % 250}")
        .status_code
        for n in range(anon_limit() + 10)
    ]
    assert 429 not in statuses[:anon_limit()]
    assert set(statuses[anon_limit():]) == {429}


@pytest.mark.django_db
def test_forwarded_for_from_a_trusted_proxy_names_the_client(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    client = APIClient(REMOTE_ADDR=PROXY)
    # Each forwarded client has its own allowance...
    statuses = [
        client.post(TOKEN_URL, {}, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(anon_limit() + 10)
    ]
    assert 429 not in statuses
    # ...and one forwarded client is throttled whichever fake addresses it puts in front of the proxy's.
    statuses = [
        client.post(TOKEN_URL, {}, format="json", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.250").status_code
        for n in range(anon_limit() + 1)
    ]
    assert statuses[-1] == 429


@pytest.mark.parametrize("trusted, remote, forwarded, expected", [
    ([], "203.0.113.7", "198.51.100.1", "203.0.113.7"),
    (["10.0.0.2"], "203.0.113.7", "198.51.100.1", "203.0.113.7"),
    (["10.0.0.2"], "10.0.0.2", "198.51.100.1", "198.51.100.1"),
    (["10.0.0.2"], "10.0.0.2", "1.1.1.1, 198.51.100.1", "198.51.100.1"),
    (["10.0.0.2", "10.0.0.3"], "10.0.0.2", "1.1.1.1, 198.51.100.1, 10.0.0.3", "198.51.100.1"),
    (["10.0.0.0/24"], "10.0.0.2", "1.1.1.1, 198.51.100.1, 10.0.0.3", "198.51.100.1"),
    (["10.0.0.2"], "10.0.0.2", "", "10.0.0.2"),
    (["10.0.0.2"], "10.0.0.2", "not-an-address", "10.0.0.2"),
    (["10.0.0.2"], "10.0.0.2", "10.0.0.2", "10.0.0.2"),
    (["2001:db8::1"], "2001:db8::1", "2001:db8::99", "2001:db8::99"),
])
def test_client_address(settings, rf, trusted, remote, forwarded, expected):
    from accounts.client_address import client_ip

    settings.TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_bad_trusted_proxy_entry_fails_the_system_check(settings):
    from accounts.client_address import check_trusted_proxies

    settings.TRUSTED_PROXIES = ["10.0.0.2", "proxy.example.vn"]
    errors = check_trusted_proxies()
    assert [error.id for error in errors] == ["accounts.E001"] and "proxy.example.vn" in errors[0].msg
    settings.TRUSTED_PROXIES = ["10.0.0.2", "10.1.0.0/16"]
    assert check_trusted_proxies() == []


@pytest.mark.django_db
def test_axes_counts_failures_by_the_trusted_client_address(settings, users):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXIES = [PROXY]
    APIClient(REMOTE_ADDR=UNTRUSTED).post(
        TOKEN_URL, {"username": "leader", "password": "sai"}, format="json", HTTP_X_FORWARDED_FOR="198.51.100.9")
    APIClient(REMOTE_ADDR=PROXY).post(
        TOKEN_URL, {"username": "leader", "password": "sai"}, format="json", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.9", UNTRUSTED]


# 2. Password spraying: failures across usernames from one address lock the address.

@pytest.mark.django_db
def test_spraying_many_usernames_locks_the_address_on_the_login_page(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    for n in range(30):
        client.post(LOGIN_URL, {"username": f"nguoi{n}", "password": "sai"})
    response = client.post(LOGIN_URL, {"username": "commune", "password": "x"})  # right password, new username
    assert response.status_code == 429
    assert "địa chỉ" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    other = type(client)(REMOTE_ADDR="192.0.2.44")
    assert other.post(LOGIN_URL, {"username": "commune", "password": "x"}).status_code == 302


@pytest.mark.django_db
def test_spraying_many_usernames_locks_the_address_on_the_token_endpoint(users, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    client = APIClient()
    for n in range(30):
        client.post(TOKEN_URL, {"username": f"nguoi{n}", "password": "sai"}, format="json")
    response = client.post(TOKEN_URL, {"username": "district", "password": "x"}, format="json")
    assert response.status_code in (403, 429)
    assert "token" not in response.json()
    assert "địa chỉ" in response.json()["detail"]


@pytest.mark.django_db
def test_below_the_address_limit_only_the_account_limit_applies(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    for n in range(10):
        client.post(LOGIN_URL, {"username": f"nguoi{n % 5}", "password": "sai"})
    for _ in range(5):
        client.post(LOGIN_URL, {"username": "leader", "password": "sai"})
    response = client.post(LOGIN_URL, {"username": "leader", "password": "x"})
    assert response.status_code == 429 and "Tài khoản này" in response.content.decode()
    # 16 failures from this address: below its limit, so other accounts still sign in from it.
    assert client.post(LOGIN_URL, {"username": "commune", "password": "x"}).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_does_not_clear_the_address_count(client, users, settings):
    """A sprayer with one real account must not wipe the address's failures by logging in to it."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    for n in range(15):
        client.post(LOGIN_URL, {"username": f"nguoi{n}", "password": "sai"})
    assert client.post(LOGIN_URL, {"username": "commune", "password": "x"}).status_code == 302
    client.logout()
    for n in range(15, 20):
        client.post(LOGIN_URL, {"username": f"nguoi{n}", "password": "sai"})
    assert client.post(LOGIN_URL, {"username": "commune", "password": "x"}).status_code == 429


@pytest.mark.django_db
def test_without_a_client_address_only_the_account_limit_applies(client, users, settings):
    """An empty REMOTE_ADDR (a unix socket) would put every client on one count: no address lock then."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    client.defaults["REMOTE_ADDR"] = ""
    for n in range(30):
        client.post(LOGIN_URL, {"username": f"nguoi{n}", "password": "sai"})
    assert client.post(LOGIN_URL, {"username": "commune", "password": "x"}).status_code == 302


# 3. A password change rotates the user's API token.

@pytest.mark.django_db
def test_admin_password_form_rotates_the_token(client, users):
    key = token_for("commune")
    assert api_with_token(key).get(f"{API}/households/").status_code == 200
    client.force_login(users["admin"])
    url = f"/admin/auth/user/{users['commune'].pk}/password/"
    response = client.post(url, {"password1": "Mật-khẩu-mới-2025", "password2": "Mật-khẩu-mới-2025"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert api_with_token(key).get(f"{API}/households/").status_code == 401
    assert not Token.objects.filter(user=users["commune"]).exists()


@pytest.mark.django_db
def test_own_password_change_rotates_the_token(client, users):
    key = token_for("admin")
    client.force_login(users["admin"])
    response = client.post("/admin/password_change/", {
        "old_password": "x", "new_password1": "Mật-khẩu-mới-2025", "new_password2": "Mật-khẩu-mới-2025"})
    assert response.status_code == 302
    assert api_with_token(key).get(f"{API}/households/").status_code == 401
    assert client.get("/admin/").status_code == 200  # the session that changed it stays signed in


@pytest.mark.django_db
def test_officer_save_with_a_new_password_rotates_the_token(users):
    key = token_for("district")
    officer_save(username="district", role="district_officer", area_codes=["901"], password="Mật-khẩu-mới-2025")
    assert api_with_token(key).get(f"{API}/households/").status_code == 401


@pytest.mark.django_db
def test_changing_other_fields_keeps_the_token(users):
    key = token_for("district")
    officer_save(username="district", role="district_officer", area_codes=["901", "902"])  # no password
    user = users["district"]
    user.refresh_from_db()
    user.first_name = "Lan"
    user.save()
    assert api_with_token(key).get(f"{API}/households/").status_code == 200


@pytest.mark.django_db
def test_set_unusable_password_rotates_the_token(users):
    key = token_for("district")
    user = get_user_model().objects.get(username="district")
    user.set_unusable_password()
    user.save()
    assert api_with_token(key).get(f"{API}/households/").status_code == 401


@pytest.mark.django_db
def test_a_password_hash_upgrade_at_login_keeps_the_token(users, settings):
    """Django re-hashes a correct password when the preferred hasher changes: same password, same token."""
    key = token_for("district")
    settings.PASSWORD_HASHERS = [
        "tests.accounts.test_login_security.FastPBKDF2", "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert token_for("district") == key  # the login upgraded the hash...
    assert get_user_model().objects.get(username="district").password.startswith("pbkdf2_sha256$2$")
    assert api_with_token(key).get(f"{API}/households/").status_code == 200  # ...and kept the token


@pytest.mark.django_db
def test_a_hash_set_directly_rotates_the_token(users):
    key = token_for("district")
    user = get_user_model().objects.get(username="district")
    user.password = make_password("Mật-khẩu-mới-2025")
    user.save(update_fields=["password"])
    assert api_with_token(key).get(f"{API}/households/").status_code == 401


# 4. A deactivated account loses its session and its token at once.

@pytest.mark.django_db
def test_deactivated_user_session_and_token_stop_working(client, users):
    key = token_for("commune")
    assert client.post(LOGIN_URL, {"username": "commune", "password": "x"}).status_code == 302
    session_api = APIClient()
    session_api.force_login(users["commune"])
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert session_api.get(f"{API}/households/").status_code == 200
    assert api_with_token(key).get(f"{API}/households/").status_code == 200

    user = get_user_model().objects.get(username="commune")
    user.is_active = False
    user.save()

    page = client.get("/")
    assert page.status_code == 302 and "/admin/login/" in page["Location"]
    admin_page = client.get("/admin/")
    assert admin_page.status_code == 302 and "/admin/login/" in admin_page["Location"]
    assert session_api.get(f"{API}/households/").status_code in (401, 403)
    assert api_with_token(key).get(f"{API}/households/").status_code == 401
    refused = APIClient().post(TOKEN_URL, {"username": "commune", "password": "x"}, format="json")
    assert refused.status_code == 400 and "token" not in refused.json()


@pytest.mark.django_db
def test_a_reactivated_users_old_token_stays_dead(users):
    """Deactivating ends the token for good: activating the account again later does not revive it."""
    key = token_for("commune")
    user = get_user_model().objects.get(username="commune")
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.is_active = True
    user.save()
    assert api_with_token(key).get(f"{API}/households/").status_code == 401
