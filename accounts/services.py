"""Write services for officer accounts: keyword-only, one transaction each."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import ROLE_AREA_LEVEL, Officer, Role
from accounts.roles import ROLE_GROUPS, ensure_role_groups
from areas.models import AdministrativeUnit, Level, OfficerScope
from areas.scoping import forget_scope


@transaction.atomic
def officer_save(*, username: str, role: str, area_codes=(), password: str | None = None,
                 check_password: bool = True) -> tuple:
    """Create or update an officer account with its role and areas (create_officer, seed_demo)."""
    if role not in Role.values:
        raise ValidationError({"role": f"Vai trò không hợp lệ: {role}. Chọn một trong {', '.join(Role.values)}."})
    if role != Role.ADMIN and not area_codes:
        raise ValidationError({"area": "Cán bộ và lãnh đạo phải có ít nhất một địa bàn (--area MÃ)."})
    areas = list(AdministrativeUnit.objects.filter(code__in=area_codes))
    missing = sorted(set(area_codes) - {area.code for area in areas})
    if missing:
        raise ValidationError({"area": f"Không có đơn vị hành chính mã {', '.join(missing)}."})
    level = ROLE_AREA_LEVEL.get(role)
    wrong = sorted(area.code for area in areas if level and area.level != level)
    if wrong:
        raise ValidationError({"area": (
            f"{Role(role).label} chỉ phụ trách đơn vị cấp {Level(level).label.lower()}: "
            f"{', '.join(wrong)} không phải cấp {Level(level).label.lower()}.")})

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
