"""Write services for households, members and officers: keyword-only, one transaction each."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from households.models import (
    AdministrativeUnit, Household, Member, Officer, OfficerScope, Relation, Role,
)
from households.roles import ROLE_GROUPS, ensure_role_groups
from households.scoping import forget_scope


def household_sync_head(*, household):
    """Copy the head member's name and ethnic group onto the household, and refresh its search key."""
    head = household.members.filter(relation_to_head=Relation.HEAD).first()
    if head and (household.head_name != head.full_name or household.ethnic_group_id != head.ethnic_group_id):
        household.head_name = head.full_name
        household.ethnic_group_id = head.ethnic_group_id
        household.save()
    household.refresh_search_text()


@transaction.atomic
def officer_save(*, username, role, area_codes=(), password=None, check_password=True):
    """Create or update an officer account with its role and areas (create_officer, seed_demo)."""
    if role not in Role.values:
        raise ValidationError({"role": f"Vai trò không hợp lệ: {role}. Chọn một trong {', '.join(Role.values)}."})
    if role != Role.ADMIN and not area_codes:
        raise ValidationError({"area": "Cán bộ và lãnh đạo phải có ít nhất một địa bàn (--area MÃ)."})
    areas = list(AdministrativeUnit.objects.filter(code__in=area_codes))
    missing = sorted(set(area_codes) - {area.code for area in areas})
    if missing:
        raise ValidationError({"area": f"Không có đơn vị hành chính mã {', '.join(missing)}."})

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if password is not None:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    elif created:
        raise ValidationError({"password": "Tài khoản mới cần mật khẩu (--password)."})
    user.is_staff = True
    user.is_superuser = role == Role.ADMIN
    user.is_active = True
    user.save()

    ensure_role_groups()
    user.groups.set([Group.objects.get(name=ROLE_GROUPS[role])] if role != Role.ADMIN else [])
    Officer.objects.update_or_create(user=user, defaults={"role": role})
    OfficerScope.objects.filter(user=user).exclude(area__in=areas).delete()
    for area in areas:
        OfficerScope.objects.get_or_create(user=user, area=area)
    forget_scope(user)
    return user, created


@transaction.atomic
def household_create(*, acting_user, code, commune, head_name, ethnic_group, village=None, address="",
                     status="active", head_gender="", head_birth_year=None):
    """A new household and its head member (every household has exactly one head)."""
    from households.scoping import can_see_area

    if not can_see_area(acting_user, commune.code):
        raise ValidationError({"commune": "Xã này không thuộc địa bàn của bạn."})
    household = Household(code=code, commune=commune, village=village, head_name=head_name,
                          ethnic_group=ethnic_group, address=address or "", status=status)
    household.full_clean(exclude=["version"])
    household._history_user = acting_user
    household.save()
    head = Member(household=household, full_name=head_name, gender=head_gender or "", birth_year=head_birth_year,
                  ethnic_group=ethnic_group, relation_to_head=Relation.HEAD)
    head.full_clean()
    head._history_user = acting_user
    head.save()
    household.refresh_search_text()
    return household


@transaction.atomic
def household_update(*, acting_user, household, expected_version=None, **changes):
    """Change a household; a new head name or ethnic group is carried to the head member too."""
    from households.models import ConcurrentEditError
    from households.scoping import can_see_area

    if expected_version is not None and int(expected_version) != household.version:
        raise ConcurrentEditError()
    for field, value in changes.items():
        setattr(household, field, value)
    if not can_see_area(acting_user, household.commune_id):
        raise ValidationError({"commune": "Xã này không thuộc địa bàn của bạn."})
    household.full_clean(exclude=["version"])
    household._history_user = acting_user
    household.save()
    head = household.members.filter(relation_to_head=Relation.HEAD).first()
    if head and (head.full_name != household.head_name or head.ethnic_group_id != household.ethnic_group_id):
        head.full_name, head.ethnic_group = household.head_name, household.ethnic_group
        head._history_user = acting_user
        head.save()
    household.search_text = ""
    household.refresh_search_text()
    return household
