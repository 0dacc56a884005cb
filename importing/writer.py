"""Write an import plan through the domain's bulk write paths (households.bulk, review.bulk_assessments).

First every lock, in the one lock order (households, members, review rounds, assessments; docs/architecture.md),
with each stored row's version compared with what the check read; then the writes. A row changed meanwhile,
a household assessed meanwhile or a round recognised meanwhile refuses the whole file, naming the rows: the
caller's transaction rolls back and nothing is written.
"""
from core.versioning import StaleRowsError
from households import bulk as register
from households.models import Household, Member
from households.moves import moves_write
from importing.columns import HOUSEHOLDS, REVIEWS
from importing.sheet_moves import planned_moves
from importing.sheet_reviews import locked_message
from review import bulk_assessments
from review.bulk_assessments import AssessedMeanwhile
from review.models import Assessment, RoundLockedError


def write_plan(plan):
    rounds = _lock(plan)
    user, reason = plan.user, plan.reason
    if plan.new_households:
        register.households_insert(plan.new_households, new_members=plan.new_members, acting_user=user,
                                   reason=reason, progress=plan.writing("hộ gia đình"))
    if plan.changed_households:
        register.households_update(plan.changed_households, acting_user=user, reason=reason)
    if plan.moves:  # splits and joins (importing/sheet_moves.py), through the register's own write
        moves_write(planned_moves(plan), acting_user=user)
    register.members_write(plan.new_members, plan.changed_members, acting_user=user, reason=reason,
                           progress=plan.writing("nhân khẩu"))
    new_ids = {household.pk for household in plan.new_households}
    named = ({m.household_id for m in plan.new_members} | {m.household_id for m in plan.changed_members}
             | {h.pk for h in plan.changed_households}) - new_ids
    register.search_text_refresh(named)
    if plan.new_assessments or plan.changed_assessments:
        plan.progress("Đang tính biến động so với năm trước", 0, 1)
        plan.held_back = bulk_assessments.assessments_write(
            plan.new_assessments, plan.changed_assessments, rounds=rounds, acting_user=user, reason=reason,
            progress=plan.writing("kết quả rà soát"))
    # Stored households whose members or livelihood changed: their assessments in open rounds follow.
    facts = ({m.household_id for m in plan.new_members} | {m.household_id for m in plan.changed_members}
             | {plan.households_by_code[code].pk for code in plan.livelihood_changed}) - new_ids
    register.facts_changed(facts, acting_user=user)


def _lock(plan):
    """Every lock of the write, in the one order; the versions compared. Returns the locked open rounds."""
    for assessment in plan.new_assessments:
        assessment.household_id = assessment.household.pk
    assessed = {a.household_id for a in [*plan.new_assessments, *plan.changed_assessments]} - {None}
    moving = [m for move in plan.moves.values() for m in move["members"]]
    ids = (assessed | {h.pk for h in plan.changed_households} | {m.household_id for m in plan.changed_members}
           | {m.household.pk for m in plan.new_members} | {m.household_id for m in moving}
           | {plan.households_by_code[code].pk for _, code in plan.moves})
    stored = {h.pk: h for h in plan.households_by_code.values() if h.pk}
    register.lock_households_as_read(stored[pk] for pk in ids if pk in stored)
    # the members a labour derivation read, and those the file changes
    read = [m for household_id in assessed for m in plan.stored_members.get(household_id, ())]
    register.lock_members_as_read({m.pk: m for m in [*read, *plan.changed_members, *moving]}.values())
    return bulk_assessments.lock_assessments(round_keys=plan.round_rows, changed=plan.changed_assessments,
                                             new=plan.new_assessments)


AGAIN = "Không ghi gì: hãy tải lại tệp mới nhất từ sổ (hoặc kiểm tra lại) rồi nhập lại."


def refused(plan, error):
    """Say, on the rows of the file, why the write was refused (the errors of a conflict)."""
    if isinstance(error, RoundLockedError):
        _locked(plan, error.rounds)
    elif isinstance(error, StaleRowsError):
        _stale(plan, error.stale)
    elif isinstance(error, AssessedMeanwhile):
        rows = {(a.household_id, a.year): a for a in plan.new_assessments}
        for pair in error.pairs:
            assessment = rows[pair]
            plan.error(*assessment._row, "Năm", f"Hộ {assessment.household.code} vừa được người khác rà soát năm "
                                                f"{assessment.year} trong lúc nhập tệp. {AGAIN}")


def _locked(plan, rounds):
    """The rounds the write found recognised under its lock: an error on each row that writes into them."""
    keys = {(review_round.commune_id, review_round.year) for review_round in rounds}
    errors = [(number, key) for key in keys for number in plan.round_rows.get(key, [])]
    for number, (commune_id, year) in sorted(errors):
        plan.error(REVIEWS, number, "Năm", locked_message(commune_id, year))
    if not errors:  # (a round the file does not write into cannot be refused; said in case)
        plan.error("", None, None, str(RoundLockedError(rounds=rounds)))


def _stale(plan, stale):
    objects = {}
    for household in plan.households_by_code.values():
        objects[(Household, household.pk)] = household
    for member in [*plan.changed_members, *(m for ms in plan.stored_members.values() for m in ms)]:
        objects.setdefault((Member, member.pk), member)
    for assessment in plan.changed_assessments:
        objects[(Assessment, assessment.pk)] = assessment
    for model, pk, _read, stored in stale:
        record = objects.get((model, pk))
        what = _name(model, record)
        happened = "vừa bị xoá" if stored is None else "vừa được người khác sửa"
        row = getattr(record, "_row", None) or getattr(getattr(record, "household", None), "_row", None)
        sheet, number = row if row else (HOUSEHOLDS if model is Household else "", None)
        plan.error(sheet, number, None, f"{what} {happened} trong lúc nhập tệp. {AGAIN}")


def _name(model, record):
    if record is None:
        return "Một bản ghi của tệp"
    if model is Household:
        return f"Hộ {record.code}"
    if model is Member:
        return f"Nhân khẩu {record.full_name} (hộ {record.household.code})"
    return f"Kết quả rà soát năm {record.year} của hộ {record.household.code}"
