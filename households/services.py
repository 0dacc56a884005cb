"""Write services for households and members: keyword-only, one transaction each."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal

from areas.models import AdministrativeUnit
from areas.scoping import can_see_area
from core.text import clean_text
from core.versioning import ConcurrentEditError
from households.identity import check_national_id, refusing_taken_ids
from households.models import Household, HouseholdStatus, Livelihood, Member, Relation, placement_errors

# Sent inside the writing transaction once households' members or livelihood changed (`household_ids`,
# `acting_user`): the review app re-derives what the assessments of its open rounds take from them (labour
# capacity, livelihood; review.services.household_facts_refresh). A signal because households sits below review.
household_facts_changed = Signal()


def household_facts_notify(*, household_ids, acting_user) -> None:
    ids = {getattr(household, "pk", household) for household in household_ids} - {None}
    if ids:
        household_facts_changed.send(sender=Household, household_ids=ids, acting_user=acting_user)


def default_livelihood(commune: AdministrativeUnit | None) -> str:
    """A new household's livelihood when none is given: agriculture in a rural commune, "other" in an urban
    one (phường, thị trấn, or a commune an administrator marked urban)."""
    return Livelihood.OTHER if commune is not None and commune.is_urban else Livelihood.AGRICULTURE


def lock_households(ids) -> list[int]:
    """Lock households by primary key, before any of their members or review rows: the one lock order
    (docs/architecture.md). FOR NO KEY UPDATE: their keys never change, and other writers' foreign-key checks
    (a certificate or member naming the household) must not wait on it."""
    ids = sorted({getattr(item, "pk", item) for item in ids} - {None})
    return list(Household.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list(
        "pk", flat=True))


def household_sync_head(*, household: Household) -> None:
    """Copy the head member's name and ethnic group onto the household, and refresh its search key."""
    head = household.members.filter(relation_to_head=Relation.HEAD).first()
    if head and (household.head_name != head.full_name or household.ethnic_group_id != head.ethnic_group_id):
        household.head_name = head.full_name
        household.ethnic_group_id = head.ethnic_group_id
        household.save()
    household.refresh_search_text()


@transaction.atomic
def household_create(*, acting_user, code, commune, head_name, ethnic_group, village=None, address="",
                     status=HouseholdStatus.ACTIVE, head_gender="", head_birth_year=None, livelihood=None) -> Household:
    """A new household and its head member (every household has exactly one head). Without a `livelihood`,
    default_livelihood(commune)."""
    if not can_see_area(acting_user, commune.code):
        raise ValidationError({"commune": "Xã này không thuộc địa bàn của bạn."})
    household = Household(code=code, commune=commune, village=village, head_name=head_name,
                          ethnic_group=ethnic_group, address=address or "", status=status,
                          livelihood=livelihood or default_livelihood(commune))
    household.full_clean(exclude=["version"])
    errors = placement_errors(commune, village)
    if errors:
        raise ValidationError(errors)
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
def household_update(*, acting_user, household: Household, expected_version=None, **changes) -> Household:
    """Change a household; a new head name or ethnic group is carried to the head member too.

    The stored row is read and locked in this transaction: its current commune and the new one must both be
    the user's, and the changes go on top of what is stored, not of what the caller loaded earlier."""
    household = Household.objects.select_for_update(no_key=True).get(pk=household.pk)
    if not can_see_area(acting_user, household.commune_id):
        raise ValidationError({"commune": "Không có hộ này trong địa bàn của bạn."})
    if expected_version is not None and int(expected_version) != household.version:
        raise ConcurrentEditError()
    livelihood, stored = household.livelihood, (household.commune_id, household.village_id)
    for field, value in changes.items():
        setattr(household, field, value)
    if not can_see_area(acting_user, household.commune_id):
        raise ValidationError({"commune": "Xã này không thuộc địa bàn của bạn."})
    household.full_clean(exclude=["version"])
    errors = placement_errors(household.commune, household.village, stored)
    if errors:
        raise ValidationError(errors)
    household._history_user = acting_user
    household.save()
    head = household.members.filter(relation_to_head=Relation.HEAD).first()
    if head and (head.full_name != household.head_name or head.ethnic_group_id != household.ethnic_group_id):
        head.full_name, head.ethnic_group = household.head_name, household.ethnic_group
        head._history_user = acting_user
        head.save()
    household.search_text = ""
    household.refresh_search_text()
    if household.livelihood != livelihood:
        household_facts_notify(household_ids=[household], acting_user=acting_user)
    return household


MEMBER_FIELDS = {
    "household", "full_name", "gender", "birth_date", "birth_year", "ethnic_group", "relation_to_head", "national_id",
    "has_disability", "is_meritorious", "is_social_protection", "has_labour_capacity",
}
HEAD_RULE = "Mỗi hộ luôn có đúng một chủ hộ: hãy đổi chủ hộ trên trang của hộ (chọn chủ hộ mới và quan hệ của chủ hộ cũ)."
MOVE_RULE = ("Người đã có trong sổ chuyển sang hộ khác bằng “Tách hộ” hoặc “Nhập hộ” (ghi ngày, lý do, hộ đi và hộ "
             "đến để hộ cũ biết ai đi, ngày nào, đi đâu), không sửa hộ của nhân khẩu ở đây.")


@transaction.atomic
def member_save(*, acting_user, member: Member | None = None, expected_version=None, **changes) -> Member:
    """Add a member, or apply `changes` on top of the stored member (fields not given keep their values).

    Both households concerned must be in the user's areas, and each keeps exactly one head: a member is not
    made head beside another (the constraint says so), and a head is not demoted here — the household's page
    changes the head and the old head's relation in one save. A stored member does not change household here:
    a move is a split or a join (households.moves), recorded with its date and reason. A national ID another
    member holds is refused (households.identity).
    """
    unknown = sorted(set(changes) - MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"member_save() got unexpected keyword argument(s): {', '.join(unknown)}")
    # Households first, then the member (the one lock order): the household's search key and head follow.
    stored_household = None if member is None else Member.objects.filter(pk=member.pk).values_list(
        "household_id", flat=True).first()
    lock_households([stored_household, changes.get("household")])
    if member is None:
        member = Member(**changes)
        before = None
    else:
        member = Member.objects.select_for_update().get(pk=member.pk)  # the stored row, locked
        if expected_version is not None and int(expected_version) != member.version:
            raise ConcurrentEditError()
        before = (member.household_id, member.relation_to_head)
        for field, value in changes.items():
            setattr(member, field, value)
    households = {member.household_id} | ({before[0]} if before else set())
    for household in Household.objects.filter(pk__in=households):
        if not can_see_area(acting_user, household.commune_id):
            raise ValidationError({"household": "Không có hộ này trong địa bàn của bạn."})
    if before and before[1] == Relation.HEAD and (
            member.household_id != before[0] or member.relation_to_head != Relation.HEAD):
        raise ValidationError({"relation_to_head": HEAD_RULE})
    if before and member.household_id != before[0]:
        raise ValidationError({"household": MOVE_RULE})  # a move is an event (households.moves)
    member.national_id = clean_text(member.national_id) or None
    check_national_id(member, user=acting_user)  # each person once (households.identity), in the officer's words
    member.full_clean(exclude=["version"])
    member._history_user = acting_user
    with refusing_taken_ids([member], user=acting_user):
        member.save()
    for household in Household.objects.filter(pk__in=households):
        household_sync_head(household=household)
    household_facts_notify(household_ids=households, acting_user=acting_user)
    return member


@transaction.atomic
def member_delete(*, acting_user, member: Member) -> None:
    """Delete a member who is not the head (a household keeps its one head), in the user's area."""
    lock_households(Member.objects.filter(pk=member.pk).values_list("household_id", flat=True))
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    if not can_see_area(acting_user, member.household.commune_id):
        raise ValidationError({"household": "Không có hộ này trong địa bàn của bạn."})
    if member.relation_to_head == Relation.HEAD:
        raise ValidationError({"relation_to_head": "Không xoá chủ hộ: hãy đổi chủ hộ trước."})
    household = member.household
    member._history_user = acting_user
    member.delete()
    household.refresh_search_text()
    household_facts_notify(household_ids=[household], acting_user=acting_user)
