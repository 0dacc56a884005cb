"""The project's one lock order, and the locks every writer of the review takes.

An approved (recognised) round is a legal record: nothing changes its assessments, derived fields included.
Writers lock the rows they write into (SELECT … FOR UPDATE, inside their transaction; SQLite runs one writer
at a time and ignores it) and check the status under that lock. Every writer — pages, admin, API, import,
round transitions, re-classification — takes its locks in this one order, so two writers never wait on each
other in a circle:

1. households, by id (`lock_households`, `lock_household`; households.services.lock_households for hand edits,
   households.bulk for the import);
2. members, by id;
3. review rounds, ordered by year, then commune (`lock_rounds`, `lock_open_rounds`, `refresh_locked`);
4. review results (assessments) and the other rows that hang off a household (requests, regular reviews), and
   village meetings after their round.
Within one table, rows are locked in primary-key order (core.versioning.lock_versions for bulk writers).
Household locks are FOR NO KEY UPDATE: other writers' foreign-key checks (a certificate naming the household,
checked at their commit) never wait on them.

Households come first because the register sits below the review: a household or member edit
(households.services) holds its household when the receiver of household_facts_changed
(review.movements.household_facts_refresh) locks the rounds of its results, and cannot know those rounds
before. So every writer of the review that touches a household locks it before any round: assessment_save and
assessment_delete, the worksheet (all its page's households at once), requests and regular reviews, the
import. A round transition locks its round's row only: an approval and a save in that round serialise.
"""
import operator
from collections import defaultdict
from functools import reduce

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.transaction import TransactionManagementError

from accounts.models import EDITING_ROLES, role_of
from areas.models import AdministrativeUnit
from areas.scoping import can_see_area
from households.models import Household
from review.calendar import LEVEL_ABOVE_NAMES, level_above, round_closed_message
from review.models import Assessment, ReviewRound, RoundLockedError


def lock_rounds(condition: Q) -> list[ReviewRound]:
    """Lock the review-round rows matching `condition` for the rest of the transaction and read their status
    under the lock, in the one order (year, then commune)."""
    return list(ReviewRound.objects.select_for_update().filter(condition).order_by("year", "commune_id"))


def round_key(review_round) -> tuple[str, int]:
    return review_round.commune_id, review_round.year


def by_year(keys) -> list[tuple[str, int]]:
    """(commune_id, year) keys, unique, sorted by year then commune."""
    return sorted(set(keys), key=lambda key: (key[1], key[0]))


def rounds_matching(keys) -> Q:
    """A condition matching the rounds of (commune_id, year) keys: one term per year."""
    communes = defaultdict(set)
    for commune_id, year in keys:
        communes[year].add(commune_id)
    return reduce(operator.or_, (Q(year=year, commune_id__in=sorted(ids)) for year, ids in sorted(communes.items())))


def review_round_for(*, commune_id, year) -> ReviewRound:
    """The round of a commune and year; it opens by itself with the first assessment, in a commune that holds
    that year's review (review.calendar.round_closed_message)."""
    review_round = ReviewRound.objects.filter(commune_id=commune_id, year=year).first()
    if review_round is None:
        message = round_closed_message(AdministrativeUnit.objects.get(pk=commune_id), year)
        if message:
            raise ValidationError({"year": message})
        review_round, created = ReviewRound.objects.get_or_create(commune_id=commune_id, year=year)
    return review_round


def lock_open_rounds(keys, *, create_missing: bool = True, also=()) -> dict:
    """Lock the review rounds of `keys` ((commune_id, year) pairs) until the caller's transaction ends, and
    check under the lock that none is approved. For bulk writers (the import): call it inside the writing
    transaction, before writing the assessments of those rounds.

    Returns {(commune_id, year): ReviewRound}. Rounds that do not exist yet are opened (and so locked too)
    unless `create_missing` is False; then they are absent from the result. `also`: ids of further rounds
    locked in the same ordered statement (those of later years whose movements may follow: write_derived leaves
    them as they are when approved), neither checked nor returned. Raises RoundLockedError naming
    every approved round (its `rounds`), and TransactionManagementError outside a transaction (a lock that
    ends with the statement protects nothing)."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            "lock_open_rounds() locks until the caller's transaction ends: call it inside transaction.atomic().")
    keys = {(str(commune_id), int(year)) for commune_id, year in keys}
    if not keys:
        return {}
    if create_missing:
        existing = set(ReviewRound.objects.filter(rounds_matching(keys)).values_list("commune_id", "year"))
        for commune_id, year in by_year(keys - existing):
            review_round_for(commune_id=commune_id, year=year)
    condition = rounds_matching(keys) | Q(pk__in=sorted(also)) if also else rounds_matching(keys)
    rounds = {round_key(review_round): review_round for review_round in lock_rounds(condition)
              if round_key(review_round) in keys}
    approved = [review_round for review_round in rounds.values() if review_round.is_locked]
    if approved:
        raise RoundLockedError(rounds=approved)
    return rounds


def lock_household_rounds(household_id, year, round_id) -> dict:
    """Lock the round being written (`round_id`) and the rounds of the household's later years (their
    movements may follow), in the one order. Returns {round id: locked round}."""
    later = Assessment.objects.filter(household_id=household_id, year__gt=year).values("review_round_id")
    return {review_round.pk: review_round for review_round in lock_rounds(Q(pk=round_id) | Q(pk__in=later))}


def refresh_locked(review_round: ReviewRound) -> ReviewRound:
    """Lock the round's row and bring the given instance up to the stored, locked state."""
    locked = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    for model_field in ReviewRound._meta.concrete_fields:
        setattr(review_round, model_field.attname, getattr(locked, model_field.attname))
    return review_round


def lock_households(household_ids, *, related=()) -> dict:
    """Lock household rows (step 1 of the order, before any round), by id. Returns {id: Household}. `related`:
    relations read with them in the same query (select_related); only the households' rows are locked."""
    households = Household.objects.select_for_update(no_key=True)
    if related:
        households = Household.objects.select_for_update(no_key=True, of=("self",)).select_related(*related)
    return {household.pk: household for household in households.filter(
        pk__in=sorted(set(household_ids))).order_by("pk")}


def lock_household(household_id, commune_id) -> Household:
    """The stored household, locked, checked still in the commune whose rounds were locked for it."""
    household = Household.objects.select_for_update(no_key=True, of=("self",)).select_related("commune").get(
        pk=household_id)
    if household.commune_id != commune_id:
        raise ValidationError({"household": f"Hộ {household.code} vừa được chuyển sang xã khác: hãy tải lại trang."})
    return household


def check_editing_role(user) -> None:
    """A role that enters no review records is refused: PermissionDenied (403 over HTTP), not a field's error."""
    if role_of(user) not in EDITING_ROLES:
        raise PermissionDenied("Tài khoản của bạn chỉ được xem, không được sửa kết quả rà soát.")


def check_editor(user, commune_code) -> None:
    """The user enters review records (an editing role: else PermissionDenied) in that commune (else
    ValidationError)."""
    check_editing_role(user)
    if not can_see_area(user, commune_code):
        raise ValidationError({"household": "Hộ này không thuộc địa bàn của bạn."})


def held_back_notice(held_back, *, reclassify: bool = False) -> str:
    """What pages, admin and API say when results of recognised (locked) rounds were left as they are."""
    where = ", ".join(f"xã {commune_id} năm {year}" for commune_id, year in held_back)
    who = _reopeners(year for _, year in held_back)
    if reclassify:
        return (f"Chưa áp dụng cho đợt rà soát đã công nhận ({where}): kết quả của đợt đã công nhận là "
                f"hồ sơ pháp lý, không tự thay đổi. Muốn áp dụng, {who} mở lại đợt đó (kèm lý do) rồi chạy lại thao "
                "tác phân loại lại.")
    return (f"Biến động của đợt rà soát đã công nhận ({where}) lẽ ra thay đổi theo kết quả này nhưng "
            f"được giữ nguyên: kết quả của đợt đã công nhận là hồ sơ pháp lý, không tự thay đổi. Muốn áp dụng, {who} "
            "mở lại đợt đó (kèm lý do): biến động được tính lại khi mở lại.")


def _reopeners(years):
    names = sorted({LEVEL_ABOVE_NAMES[level_above(year)] for year in years})
    return f"cán bộ {names[0]}" if len(names) == 1 else "cấp trên của xã (huyện đến kỳ 2024, tỉnh từ kỳ 2025)"
