"""Accounts: create_officer, role permissions, login throttling, demo data."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import Role, role_of
from areas.models import OfficerScope
from households.models import Household, Member

PROJECT = Path(__file__).resolve().parents[2]


def create_officer(*args):
    out = io.StringIO()
    call_command("create_officer", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_officer_creates_then_updates(areas):
    output = create_officer("lan", "--role", "commune_officer", "--area", "90101", "--password", "Mật-khẩu-dài-2024")
    assert "Đã tạo tài khoản lan" in output
    user = get_user_model().objects.get(username="lan")
    assert user.check_password("Mật-khẩu-dài-2024") and user.is_staff and not user.is_superuser
    assert role_of(user) == Role.COMMUNE_OFFICER
    assert list(OfficerScope.objects.filter(user=user).values_list("area_id", flat=True)) == ["90101"]
    assert user.has_perm("households.change_household") and not user.has_perm("households.change_ethnicgroup")

    output = create_officer("lan", "--role", "district_officer", "--area", "901", "--area", "902")
    assert "Đã cập nhật" in output
    user = get_user_model().objects.get(username="lan")
    assert user.check_password("Mật-khẩu-dài-2024")  # unchanged when not given
    assert sorted(OfficerScope.objects.filter(user=user).values_list("area_id", flat=True)) == ["901", "902"]


@pytest.mark.django_db
def test_create_officer_refuses_bad_input_with_a_message(areas):
    with pytest.raises(CommandError, match="ít nhất một địa bàn"):
        create_officer("a", "--role", "leader", "--password", "Mật-khẩu-dài-2024")
    with pytest.raises(CommandError, match="Không có đơn vị hành chính mã 12345"):
        create_officer("a", "--role", "leader", "--area", "12345", "--password", "Mật-khẩu-dài-2024")
    with pytest.raises(CommandError, match="password"):
        create_officer("a", "--role", "leader", "--area", "901", "--password", "123")
    with pytest.raises(CommandError, match="cần mật khẩu"):
        create_officer("a", "--role", "leader", "--area", "901")
    assert not get_user_model().objects.filter(username="a").exists()
    output = create_officer("root2", "--role", "admin", "--password", "Mật-khẩu-dài-2024")
    assert get_user_model().objects.get(username="root2").is_superuser and "toàn bộ" in output


@pytest.mark.django_db
def test_leader_has_only_view_permissions(users):
    leader = users["leader"]
    assert leader.has_perm("households.view_household")
    assert not leader.has_perm("households.change_household")
    assert not leader.has_perm("households.add_member")


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_wrong_passwords_lock_the_account(client, users):
    url = "/admin/login/?next=/admin/"
    for _ in range(3):
        response = client.post(url, {"username": "commune", "password": "sai"})
        assert response.status_code in (200, 429)
    response = client.post(url, {"username": "commune", "password": "x"})  # right password, still locked
    assert response.status_code == 429
    assert "tạm khoá" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_with_the_right_password(client, users):
    response = client.post("/admin/login/?next=/admin/", {"username": "commune", "password": "x"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.slow  # seeds the whole demo
@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_creates_logins(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "600 hộ mới" in out.getvalue() and "district" in out.getvalue()
    counts = (Household.objects.count(), Member.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Household.objects.count(), Member.objects.count()) == counts
    assert counts[0] == 600 and counts[1] > 1500
    # every household has exactly one head, and realistic ethnic names
    assert Member.objects.filter(relation_to_head="head").count() == 600
    assert Household.objects.filter(ethnic_group__name="Xơ-đăng").count() > 100
    assert Household.objects.filter(ethnic_group__name="Gié-Triêng").count() > 50
    response = client.post("/admin/login/?next=/admin/", {"username": "commune", "password": "demo"})
    assert response.status_code == 302
    commune_user = get_user_model().objects.get(username="commune")
    assert {h.commune_id for h in Household.objects.visible_to(commune_user)} == {"23401"}


def run_manage(args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POVERTY_TRACKER_"))}
    base.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=base,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # runs manage.py check --deploy in a process of its own
def test_deploy_check_passes_with_production_values():
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY="k" * 20 + "-production-secret-that-is-long-and-random-9f8e7d6c5b4a",
        DJANGO_ALLOWED_HOSTS="ho-ngheo.example.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_is_required_without_debug():
    result = run_manage(["check"])
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.slow  # runs manage.py seed_demo in a process of its own
def test_seed_demo_refuses_when_debug_is_off():
    result = run_manage(["seed_demo"], DJANGO_SECRET_KEY="x" * 60, DATABASE_URL="sqlite:///:memory:")
    assert result.returncode != 0
    assert "DEBUG đang tắt" in result.stderr
