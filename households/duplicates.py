"""Suspected duplicates: two members of different households who may be one person, and their resolution.

A pair is suspected when both have the same name (accents and case folded), sex and birth year, their birth
dates (where both are given) agree, at least one of the two households is still active, and they do not hold two
different national IDs (a national ID is one person: two different ones are two people). Two members with the
same national ID cannot exist: the register refuses it on every path (households.identity).

An officer sees the pairs with at least one side in their areas; a side outside them is only said to be in
another unit's register. A pair is resolved by an officer who sees both sides: "two people"
(`distinct_persons_record`, a DistinctPersons row, so it stops showing), "the same person moved"
(`same_person_moved`: the record of the household left moves into the other household by a join and takes the
place of the record entered there again, which is deleted), or "an error": the record is corrected on its page
and no longer matches. Each resolution is audited (user, time) through the rows' histories.
"""
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError, Q

from areas.scoping import visible_area_codes
from households.models import DistinctPersons, HouseholdStatus, Member, MoveKind, Relation
from households.moves import NOT_YOURS, PlannedMove, check_mover, last_moves, lock_move, move_errors, moves_write

LIMIT = 200


@dataclass
class Pair:
    first: Member
    second: Member
    first_seen: bool
    second_seen: bool

    @property
    def resolvable(self):
        return self.first_seen and self.second_seen


@dataclass(frozen=True)
class Person:
    """What the rule reads of a member (read in bulk as plain values)."""

    pk: int
    search_name: str
    gender: str
    birth_year: int | None
    birth_date: object
    national_id: str | None
    household_id: int
    status: str
    commune_id: str

    @classmethod
    def of(cls, member):
        return cls(member.pk, member.search_name, member.gender, member.birth_year, member.birth_date,
                   member.national_id, member.household_id, member.household.status, member.household.commune_id)

    @property
    def key(self):
        return self.search_name, self.gender, self.birth_year


PERSON_FIELDS = ("pk", "search_name", "gender", "birth_year", "birth_date", "national_id", "household_id",
                 "household__status", "household__commune_id")


def suspected(first: Person, second: Person) -> bool:
    """The rule for one pair of members."""
    if first.household_id == second.household_id or first.key != second.key or not all(first.key):
        return False
    if first.national_id and second.national_id and first.national_id != second.national_id:
        return False
    if first.birth_date and second.birth_date and first.birth_date != second.birth_date:
        return False
    return HouseholdStatus.ACTIVE in (first.status, second.status)


def suspected_pairs(user, *, commune=None, limit=LIMIT) -> tuple[list[Pair], bool]:
    """The suspected pairs with a side the user may see (in `commune` when given), by name; and whether more
    than `limit` were found. Queries: the keys of the user's members that have a twin (the index of the key),
    the members of those keys as plain values, the pairs already decided, then the pairs' members."""
    twins = Member.objects.filter(search_name=OuterRef("search_name"), gender=OuterRef("gender"),
                                  birth_year=OuterRef("birth_year")).exclude(household_id=OuterRef("household_id"))
    mine = Member.objects.visible_to(user).exclude(search_name="").exclude(gender="").filter(
        birth_year__isnull=False).filter(Exists(twins))
    if commune:
        mine = mine.filter(household__commune_id=commune)
    keys = sorted(mine.values_list("search_name", "gender", "birth_year").distinct().order_by("search_name")[:limit + 1])
    groups = defaultdict(list)
    for start in range(0, len(keys), 100):  # the members of 100 keys at a time, by the index of the key
        chunk = keys[start:start + 100]
        wanted = set(chunk)
        for row in Member.objects.filter(search_name__in={k[0] for k in chunk}, gender__in={k[1] for k in chunk},
                                         birth_year__in={k[2] for k in chunk}).order_by("pk").values_list(*PERSON_FIELDS):
            person = Person(*row)
            if person.key in wanted:
                groups[person.key].append(person)
    decided = _decided([p.pk for group in groups.values() for p in group])
    codes = visible_area_codes(user)
    seen = (lambda p: True) if codes is None else (lambda p: p.commune_id in codes)
    found = []
    for key in sorted(groups):
        group = groups[key]
        for index, first in enumerate(group):
            for second in group[index + 1:]:
                if (suspected(first, second) and (first.pk, second.pk) not in decided
                        and (seen(first) or seen(second)) and _in(commune, first, second, seen)):
                    found.append((first, second))
    members = Member.objects.select_related("household__commune", "household__village").in_bulk(
        {p.pk for pair in found[:limit] for p in pair})
    pairs = [Pair(members[first.pk], members[second.pk], seen(first), seen(second)) for first, second in found[:limit]]
    return pairs, len(found) > limit or len(keys) > limit


def _in(commune, first, second, seen):
    return not commune or any(p.commune_id == commune and seen(p) for p in (first, second))


def _decided(ids) -> set:
    decided = set()
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        decided |= set(DistinctPersons.objects.filter(Q(first_id__in=chunk) | Q(second_id__in=chunk)).values_list(
            "first_id", "second_id"))
    return decided


def _locked_pair(user, first_id, second_id):
    """Both members and their households, locked in the one order and each in the user's areas; refused unless
    still a suspected pair."""
    check_mover(user)
    stored = dict(Member.objects.filter(pk__in=[first_id, second_id]).values_list("pk", "household_id"))
    if len(stored) != 2:
        raise ValidationError({"member": "Một trong hai người vừa bị xoá hoặc chuyển: hãy tải lại trang."})
    households, members = lock_move(user, set(stored.values()), stored)
    if len(households) != len(set(stored.values())) or len(members) != 2:
        raise ValidationError({"member": NOT_YOURS})
    by_pk = {m.pk: m for m in members}
    first, second = by_pk[first_id], by_pk[second_id]
    for member in (first, second):
        member.household = households[member.household_id]
    if not suspected(Person.of(first), Person.of(second)):
        raise ValidationError({"member": "Hai người này không còn trùng nhau (vừa được sửa): hãy tải lại trang."})
    return first, second


@transaction.atomic
def distinct_persons_record(*, acting_user, first, second, note="") -> DistinctPersons:
    """Record that two suspected members are two people: the pair stops showing."""
    ids = sorted([getattr(first, "pk", first), getattr(second, "pk", second)])
    _locked_pair(acting_user, *ids)
    record, _ = DistinctPersons.objects.get_or_create(
        first_id=ids[0], second_id=ids[1],
        defaults={"decided_by": acting_user, "note": " ".join(str(note or "").split())[:300]})
    return record


@transaction.atomic
def same_person_moved(*, acting_user, moving, replaced, date, reason):
    """The person of `moving` (in the household they left) is the one entered again as `replaced` (in the
    household they live in now): `moving` joins that household in `replaced`'s place (relation, and the
    national ID or birth date it lacked), and `replaced` is deleted. Returns the join."""
    moving, replaced = _locked_pair(acting_user, getattr(moving, "pk", moving), getattr(replaced, "pk", replaced))
    source, target = moving.household, replaced.household
    relations = {moving.pk: replaced.relation_to_head}
    staying = list(source.members.exclude(pk=moving.pk))
    heads = target.members.filter(relation_to_head=Relation.HEAD).exclude(pk=replaced.pk).count()
    errors = move_errors(kind=MoveKind.JOIN, day=date, source=source, moving=[moving], staying=staying,
                         relations=relations, target=target, target_heads=heads, latest=last_moves([moving.pk]))
    if not " ".join(str(reason or "").split()):
        errors["reason"] = "Hãy ghi lý do (ví dụ: chuyển đến ở với con)."
    if errors:
        raise ValidationError(errors)
    values = {"national_id": moving.national_id or replaced.national_id,
              "birth_date": moving.birth_date or replaced.birth_date}
    replaced._history_user = acting_user
    replaced._change_reason = f"Trùng với {moving.full_name} (hộ {source.code}): cùng một người"[:100]
    try:
        with transaction.atomic():
            replaced.delete()
    except ProtectedError as error:
        raise ValidationError({"member": (
            f"Bản ghi {replaced.full_name} của hộ {target.code} đã có hỗ trợ, khoá học hoặc hồ sơ khác ghi cho người "
            "này: hãy ghi chúng cho bản ghi còn lại trước khi gộp.")}) from error
    return moves_write([PlannedMove(MoveKind.JOIN, date, reason, source, target, [moving], relations,
                                    {moving.pk: values})], acting_user=acting_user)[0]
