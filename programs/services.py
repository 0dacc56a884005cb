"""Write services: support given many at once (all or nothing); the parts of records that span communes."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import can_edit
from areas.scoping import can_see_area
from programs.models import Benefit, GroupMembership, Trainee, TraineeStatus

READ_ONLY = "Tài khoản của bạn chỉ được xem."  # a role that grants no support: 403, before the form is looked at


@transaction.atomic
def benefit_bulk_grant(*, acting_user, program, year, date, quantity, amount, recipients, note="",
                       change_reason="Cấp hỗ trợ hàng loạt") -> list:
    """Give the same support to every (household, member) of `recipients` in one transaction.

    Every row is validated first (program period, member of the household, scope, amounts); one bad row
    stores nothing and the error names it.
    """
    if not can_edit(acting_user):
        raise PermissionDenied(READ_ONLY)
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


def _refuse_outside_scope(acting_user, items, field, commune_of, label):
    """Every item must be in the user's scope; the message is the same as for something that does not exist."""
    for item in items:
        if not can_see_area(acting_user, commune_of(item)):
            raise ValidationError({field: f"Không có {label(item)} trong địa bàn của bạn."})


def _refuse_repeats(keys, field, message):
    seen = set()
    for key in keys:
        if key in seen:
            raise ValidationError({field: message.format(key)})
        seen.add(key)


@transaction.atomic
def project_households_set(*, project, households, acting_user) -> None:
    """The project's households that `acting_user` may see become `households`; the others stay as stored.

    A form or a request of an officer only ever carries the households they can see, so replacing the whole
    set would drop every other commune's household from a project that spans communes. The audit row of the
    change names `acting_user`.
    """
    households = list(households)
    _refuse_outside_scope(acting_user, households, "households", lambda h: h.commune_id, lambda h: f"hộ {h.code}")
    stored = set(project.households.values_list("pk", flat=True))
    hidden = stored - set(project.households.visible_to(acting_user).values_list("pk", flat=True))
    wanted = {household.pk for household in households} | hidden
    if wanted != stored:
        project._history_user = acting_user
        project.households.set(wanted)


@transaction.atomic
def course_trainees_set(*, course, trainees, acting_user) -> None:
    """The course's trainees that `acting_user` may see become `trainees` ([{"member", "status"?}]).

    A member already in the course keeps their row (its status changes if one is given); a new one is added
    (status "enrolled" unless given); one no longer listed is removed. Trainees who are members of households
    the user cannot see are neither read nor changed. Every added, changed or removed row has its audit row
    naming `acting_user`. Trainees carry no date: they count in the course's year whenever entered.
    """
    trainees = list(trainees)
    _refuse_outside_scope(acting_user, [t["member"] for t in trainees], "trainees",
                          lambda m: m.household.commune_id, lambda m: f"thành viên {m.pk}")
    _refuse_repeats([t["member"].pk for t in trainees], "trainees", "Thành viên {} có hai lần trong danh sách lớp.")
    stored = {row.member_id: row for row in course.trainees.parts_visible_to(acting_user)}
    added = []
    for item in trainees:
        status = item.get("status")
        row = stored.pop(item["member"].pk, None)
        if row is None:
            added.append(Trainee(course=course, member=item["member"], status=status or TraineeStatus.ENROLLED))
        elif status and row.status != status:
            row.status = status
            row.full_clean()
            row._history_user = acting_user
            row.save()
    for row in stored.values():
        row._history_user = acting_user
        row.delete()
    for row in added:
        row.full_clean()
    if added:
        bulk_create_with_history(added, Trainee, default_user=acting_user)


@transaction.atomic
def group_members_set(*, group, households, acting_user, joined_on=None) -> None:
    """The group's current members (no leaving date) that `acting_user` may see become `households`.

    A household new to the group joins on `joined_on`, else on the group's founding date, so a group entered
    with its members counts them from the year it was founded (cooperatives report); one coming back after
    it left joins on `joined_on`, else today. A current member no longer listed leaves today: its membership
    stays for the years it counted in (one that had not started yet is removed). Memberships of households
    the user cannot see are neither read nor changed. Audit rows name `acting_user`.
    """
    households = list(households)
    _refuse_outside_scope(acting_user, households, "members", lambda h: h.commune_id, lambda h: f"hộ {h.code}")
    _refuse_repeats([h.code for h in households], "members", "Hộ {} có hai lần trong danh sách thành viên.")
    if joined_on is not None and joined_on < group.founded_on:
        raise ValidationError({"joined_on": f"Ngày tham gia không thể trước ngày thành lập tổ "
                                            f"({group.founded_on:%d/%m/%Y})."})
    today = timezone.localdate()
    visible = list(group.memberships.parts_visible_to(acting_user))
    current = {m.household_id: m for m in visible if m.left_on is None}
    former = {m.household_id for m in visible if m.left_on is not None}
    wanted = {household.pk for household in households}
    for household_id, membership in current.items():
        if household_id in wanted:
            continue
        membership._history_user = acting_user
        if membership.joined_on > today:
            membership.delete()
        else:
            membership.left_on = today
            membership.save()
    added = [
        GroupMembership(group=group, household=household,
                        joined_on=joined_on or (max(today, group.founded_on) if household.pk in former
                                                else group.founded_on))
        for household in households if household.pk not in current
    ]
    for membership in added:
        membership.full_clean()
    if added:
        bulk_create_with_history(added, GroupMembership, default_user=acting_user)
