"""Splits and joins (tách hộ, nhập hộ): people move between households with their record.

A move is one recorded event (HouseholdEvent: kind, date, reason, the household left and the one reached) and
its members (MemberMove). Each person's Member row keeps its id, national ID and history: only its household
and its relation to the new head change, and its history row says why ("Tách hộ 01/03/2026: hộ A → hộ B").
A split founds a new household (its origin is the event); a join moves people into an existing household, and
a household left empty by a join is merged (HouseholdStatus.MERGED, left on the day).

`move_errors` is the one rule (page, admin, API and import call it); `household_split` and `household_join` are
the services: editing roles only, both households in the user's areas, checked under the locks — households by
id first, then their members (review/locks.py) — and `moves_write` the write itself, for the import too (which
holds those locks already).
"""
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.models import can_edit
from areas.scoping import can_see_area
from households.models import (
    Household,
    HouseholdEvent,
    HouseholdStatus,
    Member,
    MemberMove,
    MoveKind,
    Relation,
    placement_errors,
)
from households.services import default_livelihood, household_facts_notify, household_sync_head, lock_households

NOT_YOURS = "Không có hộ này trong địa bàn của bạn."
READ_ONLY = "Tài khoản của bạn chỉ được xem, không được tách, nhập hộ."


@dataclass
class PlannedMove:
    """A move to write: `members` (stored, locked) with `relations` ({member pk: relation in the target})."""

    kind: str
    day: datetime.date
    reason: str
    source: Household
    target: Household  # saved (a split's new household is saved before the move is written)
    members: list
    relations: dict
    values: dict = field(default_factory=dict)  # {member pk: {field: value}} other values the import sets


def events_of(events, code, user):
    """The `events` of household `code` if the user may see it (a hidden side is never searched by its code)."""
    households = Household.objects.visible_to(user).filter(code=code.strip()).values("pk")
    return events.filter(Q(source__in=households) | Q(target__in=households))


def moved_after(day) -> Q:
    """Members whose household changed after `day`: their household now is not the one of that day."""
    return Q(moves__event__date__gt=day)


def households_on(day) -> dict[int, tuple[int, str]]:
    """{member pk: (household pk, relation to its head) on `day`} of the members who moved after `day`: the
    household their first later move left. (Everyone else was where they are.) A person is in one household on a
    day: lists of a year place them there, once."""
    placed = {}
    for member_id, source_id, relation in MemberMove.objects.filter(
            event__date__gt=day, member__isnull=False).order_by("member_id", "event__date", "event_id").values_list(
            "member_id", "event__source_id", "relation_before"):
        placed.setdefault(member_id, (source_id, relation))
    return placed


def last_moves(member_ids) -> dict[int, datetime.date]:
    """{member pk: the date of their latest move}."""
    latest = {}
    for member_id, day in MemberMove.objects.filter(member_id__in=list(member_ids)).values_list(
            "member_id", "event__date"):
        latest[member_id] = max(day, latest.get(member_id, day))
    return latest


def move_errors(*, kind, day, source, moving, staying, relations, target=None, target_heads=1,
                latest=None) -> dict[str, str]:
    """{field: message} of a move of `moving` (members of `source`; `staying`: those left behind) into `target`
    (an existing household for a join; None for a split's new one), each with its relation there
    (`relations`: {member pk: Relation}). `target_heads`: heads the target has besides the movers (a split: 0,
    or 1 when another row names the new head); `latest`: {member pk: date of their last move}."""
    word = MoveKind(kind).label.lower()
    errors = {}
    message = _date_error(word, day, source, target, moving, latest or {})
    if message:
        errors["date"] = message
    if target is not None and target.pk == source.pk:
        errors["target"] = "Hộ đến phải khác hộ đi."
    elif target is not None and target.pk and target.status != HouseholdStatus.ACTIVE:
        errors["target"] = (f"Hộ {target.code} không còn cư trú ({target.get_status_display().lower()}): không "
                            "nhập vào được.")
    if not moving:
        errors["members"] = f"Hãy chọn người {word}."
        return errors
    message = _members_error(kind, source, moving, staying)
    if message:
        errors["members"] = message
    message = _heads_error(target, moving, relations, target_heads)
    if message:
        errors["relation_to_head"] = message
    return errors


def _date_error(word, day, source, target, moving, latest):
    if not isinstance(day, datetime.date):
        return f"Hãy ghi ngày {word} (ngày/tháng/năm)."
    if day > datetime.date.today():
        return f"Ngày {word} ({day:%d/%m/%Y}) chưa đến."
    for household in (source, target):
        if household is not None and household.pk and day < household.registered_on:
            return f"Ngày {word} trước ngày hộ {household.code} đăng ký ({household.registered_on:%d/%m/%Y})."
    later = [(m, latest[m.pk]) for m in moving if latest.get(m.pk) and latest[m.pk] > day]
    if later:
        return f"{later[0][0].full_name} đã chuyển hộ ngày {later[0][1]:%d/%m/%Y}: ngày {word} không được trước ngày đó."
    return ""


def _members_error(kind, source, moving, staying):
    if kind == MoveKind.SPLIT and not staying:
        return (f"Tách hộ phải còn người ở lại hộ {source.code}: cả hộ chuyển vào một hộ có sẵn thì dùng “Nhập hộ”.")
    heads = [m for m in moving if m.relation_to_head == Relation.HEAD]
    if heads and staying:
        return (f"{heads[0].full_name} là chủ hộ {source.code}: còn người ở lại thì hãy đổi chủ hộ của hộ "
                f"{source.code} trước.")
    return ""


def _heads_error(target, moving, relations, target_heads):
    where = "hộ mới" if target is None or not target.pk else f"hộ {target.code}"
    invalid = [m for m in moving if relations.get(m.pk) not in Relation.values]
    if invalid:
        return f"Hãy chọn quan hệ với chủ hộ mới của {invalid[0].full_name}."
    heads = sum(1 for m in moving if relations.get(m.pk) == Relation.HEAD) + target_heads
    if heads == 0:
        return f"{where.capitalize()} cần một chủ hộ: hãy chọn “Chủ hộ” cho một người."
    if heads > 1:
        return f"{where.capitalize()} chỉ có một chủ hộ: chỉ chọn “Chủ hộ” cho một người."
    return ""


def check_mover(user) -> None:
    if not can_edit(user):
        raise PermissionDenied(READ_ONLY)


def lock_move(user, household_ids, member_ids):
    """Lock the households (by id) then the members (by id); the stored households, each in the user's areas."""
    lock_households(household_ids)
    households = Household.objects.select_related("commune").in_bulk(list(household_ids))
    for household in households.values():
        if not can_see_area(user, household.commune_id):
            raise ValidationError({"source": NOT_YOURS})
    members = list(Member.objects.select_for_update().filter(pk__in=sorted(member_ids)).order_by("pk"))
    return households, members


def _movers(source, members, member_ids):
    moving = [m for m in members if m.household_id == source.pk]
    if len(moving) != len(set(member_ids)):
        raise ValidationError({"members": f"Có người vừa chuyển khỏi hộ {source.code}: hãy tải lại trang."})
    staying = list(source.members.exclude(pk__in=[m.pk for m in moving]).order_by("pk"))
    return moving, staying


@transaction.atomic
def household_split(*, acting_user, source, relations: dict, date, reason, code, village=None, address="",
                    livelihood=None) -> HouseholdEvent:
    """Members of `source` (`relations`: {member pk: their relation in the new household}, one "head") found the
    new household `code`, in the source's commune (its village unless another is given), registered on `date`."""
    check_mover(acting_user)
    households, members = lock_move(acting_user, [getattr(source, "pk", source)], relations)
    source = next(iter(households.values()), None)
    if source is None:
        raise ValidationError({"source": NOT_YOURS})
    moving, staying = _movers(source, members, relations)
    errors = move_errors(kind=MoveKind.SPLIT, day=date, source=source, moving=moving, staying=staying,
                         relations=relations, target_heads=0, latest=last_moves(relations))
    _require_reason(errors, reason)
    if errors:
        raise ValidationError(errors)
    head = next(m for m in moving if relations[m.pk] == Relation.HEAD)
    village = village if village is not None else source.village
    target = Household(code=code, commune=source.commune, village=village, head_name=head.full_name,
                       ethnic_group_id=head.ethnic_group_id, address=address or source.address,
                       livelihood=livelihood or source.livelihood or default_livelihood(source.commune),
                       registered_on=date)
    target.full_clean(exclude=["version"])
    placement = placement_errors(target.commune, target.village)
    if placement:
        raise ValidationError(placement)
    target._history_user, target._change_reason = acting_user, f"Tách từ hộ {source.code}"[:100]
    target.save()
    return moves_write([PlannedMove(MoveKind.SPLIT, date, reason, source, target, moving, relations)],
                       acting_user=acting_user)[0]


@transaction.atomic
def household_join(*, acting_user, source, target, date, reason, relations: dict | None = None) -> HouseholdEvent:
    """Members of `source` join the existing household `target` (`relations`: {member pk: relation there}; None:
    everyone, as "other" relatives); a source left empty is merged into the target."""
    check_mover(acting_user)
    ids = [getattr(source, "pk", source), getattr(target, "pk", target)]
    everyone = relations is None
    member_ids = Member.objects.filter(household_id=ids[0]).values_list("pk", flat=True) if everyone else relations
    households, members = lock_move(acting_user, ids, member_ids)
    if len(households) != len(set(ids)):
        raise ValidationError({"source": NOT_YOURS})
    source, target = households[ids[0]], households[ids[1]]
    if everyone:
        relations = {m.pk: Relation.OTHER for m in members if m.household_id == source.pk}
    moving, staying = _movers(source, members, relations)
    heads = target.members.filter(relation_to_head=Relation.HEAD).count()
    errors = move_errors(kind=MoveKind.JOIN, day=date, source=source, moving=moving, staying=staying,
                         relations=relations, target=target, target_heads=heads, latest=last_moves(relations))
    _require_reason(errors, reason)
    if errors:
        raise ValidationError(errors)
    return moves_write([PlannedMove(MoveKind.JOIN, date, reason, source, target, moving, relations)],
                       acting_user=acting_user)[0]


def _require_reason(errors, reason):
    if not " ".join(str(reason or "").split()):
        errors["reason"] = "Hãy ghi lý do (ví dụ: con trai lập gia đình, ra ở riêng)."


def moves_write(moves, *, acting_user) -> list[HouseholdEvent]:
    """Write checked moves whose households and members the caller locked (in the one order): the events, the
    members' new household and relation (one history row each, saying why), the merged sources; the households'
    heads and search keys follow, and the review hears of the changed households."""
    events, touched = [], set()
    for move in moves:
        reason = " ".join(str(move.reason).split())[:300]
        event = HouseholdEvent(kind=move.kind, date=move.day, reason=reason, source=move.source, target=move.target)
        event._history_user = acting_user
        event.save()
        why = f"{MoveKind(move.kind).label} {move.day:%d/%m/%Y}: hộ {move.source.code} → hộ {move.target.code}"[:100]
        MemberMove.objects.bulk_create([
            MemberMove(event=event, member=member, full_name=member.full_name, relation_before=member.relation_to_head,
                       relation_after=move.relations[member.pk]) for member in sorted(move.members, key=lambda m: m.pk)])
        # members who are not head there first, so the target never holds two heads, even for a statement
        for member in sorted(move.members, key=lambda m: move.relations[m.pk] == Relation.HEAD):
            for name, value in move.values.get(member.pk, {}).items():
                setattr(member, name, value)
            member.household, member.relation_to_head = move.target, move.relations[member.pk]
            member._history_user, member._change_reason = acting_user, why
            member.save()
        if not move.source.members.exists():
            move.source.status, move.source.left_on = HouseholdStatus.MERGED, move.day
            move.source._history_user = acting_user
            move.source._change_reason = f"Nhập vào hộ {move.target.code} ngày {move.day:%d/%m/%Y}"[:100]
            move.source.save()
        touched |= {move.source.pk, move.target.pk}
        events.append(event)
    for household in Household.objects.filter(pk__in=touched):
        household_sync_head(household=household)
    household_facts_notify(household_ids=touched, acting_user=acting_user)
    return events
