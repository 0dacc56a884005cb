"""Each person once: a national ID (CCCD) belongs to one member of the register, whatever the household.

The guarantee is the database's: `Member.national_id` is unique over every member (active households or not),
so two writers can never both store one ID, on any path or database. This module is the one rule that says so
in the officer's words, before the write and after a write refused by the index (two writers at once: the
second one's INSERT waits for the first's commit, then fails; `refusing_taken_ids` turns that into the same
message). Entry (`households.services.member_save`, the household's admin page), the API and the import call it.

A holder inside the officer's area is named (the person, the household); one outside it is not: the message
says only that the ID is in the register of another unit. A person who moved is moved with their record
(households.moves: split or join), never entered a second time.
"""
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from areas.scoping import can_see_area, visible_area_codes
from households.models import HouseholdStatus, Member

ELSEWHERE = "Số CCCD {national_id} đã có trong sổ của đơn vị khác: một người chỉ có trong sổ một lần."
MOVE_HINT = ("Người này chuyển đến hộ khác thì dùng “Tách hộ” hoặc “Nhập hộ” để chuyển cả hồ sơ, không nhập lại.")


@dataclass(frozen=True)
class Holder:
    """The member holding a national ID, and where."""

    member_id: int
    full_name: str
    household_id: int
    household_code: str
    commune_id: str
    status: str


def holders(national_ids) -> dict[str, Holder]:
    """{national ID: its holder} of the given IDs that are stored (one query per 5,000 IDs)."""
    ids = sorted({value for value in national_ids if value})
    found = {}
    for start in range(0, len(ids), 5000):
        for row in Member.objects.filter(national_id__in=ids[start:start + 5000]).values_list(
                "national_id", "pk", "full_name", "household_id", "household__code", "household__commune_id",
                "household__status"):
            found[row[0]] = Holder(*row[1:])
    return found


def holder_message(national_id, holder: Holder, *, visible: bool, household_id=None) -> str:
    """What the officer reads when `national_id` is taken by `holder`: named when `visible` (in the officer's
    area), else only "in the register of another unit" (nothing that tells which)."""
    if not visible:
        return ELSEWHERE.format(national_id=national_id)
    if holder.household_id == household_id:
        return f"Số CCCD {national_id} đã có ở {holder.full_name} trong hộ này: mỗi người một số CCCD."
    where = f"hộ {holder.household_code}"
    if holder.status != HouseholdStatus.ACTIVE:
        where += f" ({HouseholdStatus(holder.status).label.lower()})"
    return f"Số CCCD {national_id} đã có trong sổ: {holder.full_name}, {where}. {MOVE_HINT}"


def taken_message(national_id, *, user, household_id=None, member_id=None) -> str:
    """The refusal of `national_id` for a member (`member_id`, None when new) of `household_id`, or ""."""
    if not national_id:
        return ""
    holder = holders([national_id]).get(national_id)
    if holder is None or holder.member_id == member_id:
        return ""
    return holder_message(national_id, holder, visible=can_see_area(user, holder.commune_id),
                          household_id=household_id)


def check_national_id(member: Member, *, user) -> None:
    """Raise ValidationError on `national_id` when another member holds the member's ID."""
    message = taken_message(member.national_id, user=user, household_id=member.household_id, member_id=member.pk)
    if message:
        raise ValidationError({"national_id": message})


def taken_messages(members, *, user) -> dict[int, str]:
    """{index in `members`: refusal} for many members at once (the household page's rows)."""
    found = holders(member.national_id for member in members)
    codes = visible_area_codes(user)
    messages = {}
    for index, member in enumerate(members):
        holder = found.get(member.national_id) if member.national_id else None
        if holder is not None and holder.member_id != member.pk:
            visible = codes is None or holder.commune_id in codes
            messages[index] = holder_message(member.national_id, holder, visible=visible,
                                             household_id=member.household_id)
    return messages


@contextmanager
def refusing_taken_ids(members, *, user):
    """Run a write of `members` in a savepoint; when the unique index refuses it because another writer stored
    one of their IDs meanwhile (committed while this one waited), raise the rule's ValidationError instead."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        members = list(members)
        messages = taken_messages(members, user=user)
        if not messages:
            raise
        raise ValidationError({"national_id": sorted(set(messages.values()))}) from None
