"""The roles of the recognition: the commune chairman (a commune) and the province officer (a province)
read their areas and move review rounds along; they enter no records."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import Role, can_edit, role_of
from areas.models import OfficerScope
from areas.scoping import visible_area_codes


def create_officer(*args):
    out = io.StringIO()
    call_command("create_officer", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("role, area, sees", [
    ("commune_chair", "90101", {"90101", "90101-01"}),
    ("province_officer", "90", {"90", "901", "902", "90101", "90102", "90201", "90101-01", "90102-01", "90201-01"}),
])
def test_create_officer_makes_the_new_roles(areas, role, area, sees):
    output = create_officer("tuan", "--role", role, "--area", area, "--password", "Mật-khẩu-dài-2024")
    assert "Đã tạo tài khoản tuan" in output and role in output
    user = get_user_model().objects.get(username="tuan")
    assert role_of(user) == Role(role) and user.is_staff and not user.is_superuser
    assert list(OfficerScope.objects.filter(user=user).values_list("area_id", flat=True)) == [area]
    assert visible_area_codes(user) == sees
    assert not can_edit(user)
    assert user.has_perm("review.change_reviewround")  # the round's steps
    assert user.has_perm("households.view_household") and user.has_perm("review.view_villagemeeting")
    for codename in ("households.change_household", "households.add_member", "review.change_assessment",
                     "review.add_villagemeeting", "programs.add_benefit", "review.delete_reviewround"):
        assert not user.has_perm(codename), codename


@pytest.mark.django_db
@pytest.mark.parametrize("role, area, message", [
    ("commune_chair", "901", "901 không phải cấp xã/phường/thị trấn"),
    ("commune_chair", "90101-01", "90101-01 không phải cấp xã"),
    ("province_officer", "901", "901 không phải cấp tỉnh/thành phố"),
    ("province_officer", "90101", "90101 không phải cấp tỉnh"),
])
def test_the_new_roles_are_given_areas_of_their_level(areas, role, area, message):
    with pytest.raises(CommandError, match=message):
        create_officer("tuan", "--role", role, "--area", area, "--password", "Mật-khẩu-dài-2024")
    assert not get_user_model().objects.filter(username="tuan").exists()


@pytest.mark.django_db
def test_the_existing_roles_keep_their_permissions(users):
    for name in ("district", "commune"):
        assert users[name].has_perm("households.change_household") and can_edit(users[name])
        assert users[name].has_perm("review.add_villagemeeting")
    assert not users["leader"].has_perm("review.change_reviewround")


def test_the_command_lists_every_role():
    from accounts.management.commands.create_officer import Command

    parser = Command().create_parser("manage.py", "create_officer")
    role = next(action for action in parser._actions if action.dest == "role")
    assert set(role.choices) == {"admin", "district_officer", "commune_officer", "leader", "commune_chair",
                                 "province_officer"}
    assert "commune_chair: Chủ tịch/Phó Chủ tịch UBND xã" in role.help
