"""Write services for support given: one benefit at a time or many at once, all or nothing."""
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import can_edit
from areas.scoping import can_see_area
from programs.models import Benefit


@transaction.atomic
def benefit_bulk_grant(*, acting_user, program, year, date, quantity, amount, recipients, note="",
                       change_reason="Cấp hỗ trợ hàng loạt"):
    """Give the same support to every (household, member) of `recipients` in one transaction.

    Every row is validated first (program period, member of the household, scope, amounts); one bad row
    stores nothing and the error names it.
    """
    if not can_edit(acting_user):
        raise ValidationError({"program": "Tài khoản của bạn chỉ được xem."})
    if not recipients:
        raise ValidationError({"recipients": "Không có hộ nào phù hợp với điều kiện đã chọn."})
    benefits = []
    for household, member in recipients:
        if not can_see_area(acting_user, household.commune_id):
            raise ValidationError({"household": f"Hộ {household.code} không thuộc địa bàn của bạn."})
        benefit = Benefit(program=program, year=year, date=date, household=household, member=member,
                          quantity=quantity, amount=amount, note=note)
        try:
            benefit.full_clean(exclude=["version"])
        except ValidationError as error:
            raise ValidationError({
                field: [f"Hộ {household.code}: {message}" for message in messages]
                for field, messages in error.message_dict.items()
            }) from error
        benefits.append(benefit)
    return bulk_create_with_history(benefits, Benefit, batch_size=1000, default_user=acting_user,
                                    default_change_reason=change_reason)
