"""The review's bulk write path: many assessments at once, with their audit rows and the movements that
follow: the import's (importing.writer) and the worksheet's, a page at a time (review.worksheet_save).

The caller checked each row with the review's rules (review.assessment_rules, review.classification) and
kept the stored assessments as it read them. Here, inside the writing transaction and after the households
and members (the one lock order, docs/architecture.md): the review rounds are locked and refused when
recognised (RoundLockedError), the stored assessments are locked and their versions compared
(core.versioning.StaleRowsError), and a new assessment whose household was assessed that year meanwhile is
refused (AssessedMeanwhile) — every creator of an assessment holds its household's lock, so the check holds.
"""
from collections import defaultdict

from django.utils import timezone

from core.bulk import insert_with_history, update_with_history
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


def lock_assessments(*, round_keys, changed, new, later_rounds=None) -> dict:
    """Lock the rounds of `round_keys` ((commune_id, year)), opening missing ones, with those of the households'
    later years (their movements follow; `later_rounds`: their ids, when the caller read them under the
    households' locks), then the `changed` assessments as read; check that none of the `new` (household, year)
    pairs was stored meanwhile. Returns {(commune_id, year): locked open round}."""
    pairs = {(assessment.household_id, assessment.year) for assessment in new if assessment.household_id}
    if later_rounds is None:
        later_rounds = _later_rounds(pairs | {(a.household_id, a.year) for a in changed})
    rounds = lock_open_rounds(round_keys, also=later_rounds)
    lock_versions(Assessment, {assessment.pk: assessment.version for assessment in changed})
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


def _later_rounds(pairs) -> set:
    """The ids of the rounds of the households' results after the first year written of each ((household id,
    year) `pairs`): their movements may follow, so they are locked with the rounds written into (as
    review.locks.lock_household_rounds does for one household)."""
    first = {}
    for household_id, year in pairs:
        first[household_id] = min(year, first.get(household_id, year))
    later = set()
    for group in _chunks(sorted(first)):
        rows = Assessment.objects.filter(household_id__in=group, year__gt=min(first[pk] for pk in group))
        later.update(round_id for household_id, year, round_id in rows.values_list("household_id", "year",
                                                                                  "review_round_id")
                     if year > first[household_id])
    return later


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
        now = timezone.now()
        for assessment in changed:
            assessment.version, assessment.updated_at = assessment.version + 1, now
        # In open rounds, locked by lock_assessments (the plain manager: not AssessmentQuerySet.update's check).
        update_with_history(Assessment, changed, [*INPUT_FIELDS, "updated_at"], user=acting_user, reason=reason)
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
