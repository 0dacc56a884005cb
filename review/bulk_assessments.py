"""The review's bulk write path: many assessments at once, with their audit rows and the movements that
follow (for the import).

The caller checked each row with the review's rules (review.assessment_rules, review.classification) and
kept the stored assessments as it read them. Here, inside the writing transaction and after the households
and members (the one lock order, docs/architecture.md): the review rounds are locked and refused when
recognised (RoundLockedError), the stored assessments are locked and their versions compared
(core.versioning.StaleRowsError), and a new assessment whose household was assessed that year meanwhile is
refused (AssessedMeanwhile) — every creator of an assessment holds its household's lock, so the check holds.
"""
from collections import defaultdict

from simple_history.utils import bulk_update_with_history

from core.bulk import insert_with_history
from core.errors import ConflictError
from core.versioning import lock_versions
from review.locks import lock_open_rounds
from review.models import Assessment
from review.movements import follow_movements, movements_by_household, write_derived

CHUNK = 5000
INPUT_FIELDS = ["standard_id", "income_per_capita", "b1_score", "deprivations", "deprivation_count",
                "no_labour_capacity", "labour_override_reason", "livelihood", "has_meritorious_member",
                "is_ethnic_minority", "classification", "movement", "version"]


class AssessedMeanwhile(ConflictError):
    """New assessments whose (household id, year) someone else stored after the check read them."""

    def __init__(self, pairs):
        self.pairs = sorted(pairs)
        super().__init__(f"{len(self.pairs)} hộ vừa được người khác rà soát: chưa ghi gì.")


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def lock_assessments(*, round_keys, changed, new) -> dict:
    """Lock the rounds of `round_keys` ((commune_id, year)), opening missing ones, then the `changed`
    assessments as read; check that none of the `new` (household, year) pairs was stored meanwhile. Returns
    {(commune_id, year): locked open round}."""
    rounds = lock_open_rounds(round_keys)
    lock_versions(Assessment, {assessment.pk: assessment.version for assessment in changed})
    pairs = {(assessment.household_id, assessment.year) for assessment in new if assessment.household_id}
    taken = set()
    by_year = defaultdict(list)
    for household_id, year in pairs:
        by_year[year].append(household_id)
    for year, ids in by_year.items():
        for group in _chunks(ids):
            taken.update(Assessment.objects.filter(year=year, household_id__in=group)
                         .values_list("household_id", "year"))
    if taken:
        raise AssessedMeanwhile(taken)
    return rounds


def assessments_write(new, changed, *, rounds, acting_user, reason, progress=None) -> list:
    """Insert `new` and update `changed` assessments (locked by lock_assessments), their movements and those
    of the households' other years following from them (review.movements, the one path over years of hand
    entry). Returns the recognised rounds, as (commune_id, year), whose movements were left
    as they are (write_derived)."""
    for assessment in new:
        assessment.household_id = assessment.household.pk
        assessment.review_round = rounds[(assessment.commune_id, assessment.year)]  # locked, open
    later = _movements(new, changed)
    insert_with_history(Assessment, new, user=acting_user, reason=reason, progress=progress)
    if changed:
        for assessment in changed:
            assessment.version += 1
        bulk_update_with_history(changed, Assessment, INPUT_FIELDS, batch_size=2000, default_user=acting_user,
                                 default_change_reason=reason)
    return write_derived(later, f"Tính lại biến động sau khi {reason[:1].lower()}{reason[1:]}"[:100],
                         acting_user=acting_user)


def _movements(new, changed):
    """Set the movements of the written years from each household's years (stored and written); return the
    stored rows of other years whose movement follows from them and must change."""
    written = {(a.household_id, a.year): a for a in [*new, *changed]}
    others = [row for group in _chunks(sorted({household_id for household_id, _ in written}))
              for row in Assessment.objects.filter(household_id__in=group)
              if (row.household_id, row.year) not in written]
    classes = defaultdict(dict)
    for row in [*others, *written.values()]:
        classes[row.household_id][row.year] = row.classification
    movements = movements_by_household(classes)
    for (household_id, year), assessment in written.items():
        assessment.movement = movements[household_id][year]
    return follow_movements(others, movements)
