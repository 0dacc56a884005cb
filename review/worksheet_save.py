"""A page of the worksheet saved at once (issue 27): its rows checked with the review's rules and written through
the review's bulk write path (review.bulk_assessments, the import's too), in a number of queries that does not
grow with the rows.

The rules of one row's save (review.assessments.assessment_save), on every row: the inputs over the stored ones
(inputs_over), the limits, the year's standard and the labour capacity derived from the members
(checked_inputs), the class and the snapshots (apply_inputs), the movements over the years (review.movements,
in assessments_write), the registration date (registered_on_for_review). The same locks in the one order
(review.locks): every household of the page at once, then the rounds written into with those of the later years,
then the stored results (core.versioning.lock_versions); the same version checks and messages (stored_conflict).
The standard, its lines and indicators, the members and the stored results are read once for the page.

Nothing is written unless every row is accepted: PageRefused names each refused row's errors by field, inside
the transaction, so it rolls back.
"""
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.transaction import TransactionManagementError

from core.versioning import StaleRowsError
from households.models import Household
from review.assessment_rules import missing_line_message
from review.assessments import apply_inputs, checked_inputs, inputs_over, registered_on_for_review, stored_conflict
from review.bulk_assessments import AssessedMeanwhile, assessments_write, lock_assessments
from review.labour import LabourResult, household_labour
from review.locks import check_editor, lock_households
from review.models import Assessment, Indicator
from review.selectors import labour_members
from review.standards import all_lines, standard_for_year

REASON = "Nhập trên bảng rà soát của xã"


@dataclass
class PageRow:
    """One row of the page: the household as the page read it, the inputs the row carries (keys of
    review.assessments.INPUT_DEFAULTS) and the version of the result it was loaded with (None: loaded without a
    result, so it only creates one)."""

    household: Household
    changes: dict
    expected_version: int | None = None


class PageRefused(Exception):
    """Rows refused: {household id: {field of the assessment, or NON_FIELD_ERRORS for the row: [messages]}}. Nothing is kept."""

    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__(f"{len(self.errors)} dòng bị lỗi: chưa lưu gì.")


def assessed_meanwhile_message(code, year) -> str:
    return (f"Hộ {code} vừa được người khác rà soát năm {year} sau khi bạn mở trang này: dòng này chưa "
            "được lưu để không ghi đè kết quả của họ. Hãy tải lại trang để xem kết quả đó rồi sửa nếu cần.")


class WorksheetPage:
    """The page's households locked (step 1 of the one order, every household at once), and what their rows are
    read and checked against, read once under those locks: the households with their communes and ethnic groups,
    their members, their results of the year and the rounds of their later years, the year's standard with its
    lines and indicators. Build it inside the writing transaction."""

    def __init__(self, *, year, household_ids, standard=None, indicator_codes=None):
        if not transaction.get_connection().in_atomic_block:
            raise TransactionManagementError("WorksheetPage locks its households: build it inside transaction.atomic().")
        self.year = int(year)
        self.standard = standard or standard_for_year(self.year)
        self.indicator_codes = set(indicator_codes if indicator_codes is not None else
                                   Indicator.objects.filter(standard=self.standard).values_list("code", flat=True))
        self.lines = all_lines()
        self.households = lock_households(household_ids, related=("commune", "ethnic_group"))
        self.members = labour_members(list(self.households))
        results = Assessment.objects.filter(household_id__in=list(self.households), year__gte=self.year)
        results = list(results.select_related("review_round"))
        self.stored = {result.household_id: result for result in results if result.year == self.year}
        self.later_rounds = {result.review_round_id for result in results if result.year > self.year}

    def labour(self, household_id) -> LabourResult:
        """The labour capacity derived from the household's members as stored (review.labour)."""
        return household_labour(self.members[household_id], self.year)


@transaction.atomic
def worksheet_page_save(*, acting_user, page: WorksheetPage, rows, reason=REASON) -> list:
    """Save the `rows` (PageRow) of the `page`: every row or none. Returns the recognised rounds, as (commune_id,
    year), whose movements would have followed and were left as they are. Raises PageRefused (rows' errors),
    RoundLockedError (a round written into was recognised meanwhile), PermissionDenied."""
    if not rows:
        return []
    errors, written = defaultdict(dict), {}
    for row in rows:
        try:
            written[row.household.pk] = _row_assessment(page, row, acting_user)
        except ValidationError as error:
            errors[row.household.pk].update(error.message_dict)
    if errors:
        raise PageRefused(errors)
    new = [a for a in written.values() if a.pk is None]
    changed = [a for a in written.values() if a.pk is not None]
    rounds = _locked_rounds(page, rows, new, changed)
    held_back = assessments_write(new, changed, rounds=rounds, acting_user=acting_user, reason=reason)
    registered_on_for_review([page.households[a.household_id] for a in new], page.year, acting_user=acting_user,
                             locked=True)
    return held_back


def _row_assessment(page, row, acting_user) -> Assessment:
    """The row's assessment, set as the save would store it (movement aside), or ValidationError."""
    household = page.households.get(row.household.pk)
    if household is None:
        raise ValidationError({NON_FIELD_ERRORS: f"Hộ {row.household.code} vừa bị xoá khỏi sổ: hãy tải lại trang."})
    check_editor(acting_user, household.commune_id)  # the scope, inside the writing transaction
    stored, year, standard = page.stored.get(household.pk), page.year, page.standard
    if stored is not None and row.expected_version is None:
        raise ValidationError({NON_FIELD_ERRORS: assessed_meanwhile_message(household.code, year)})
    conflict = stored_conflict(getattr(stored, "version", None), household.code, year, row.expected_version)
    if conflict:
        raise ValidationError({NON_FIELD_ERRORS: conflict})
    is_urban = stored.is_urban if stored is not None else household.commune.is_urban
    lines = page.lines.get((standard.id, is_urban))
    if lines is None:
        raise ValidationError({"year": missing_line_message(standard, is_urban)})
    inputs = inputs_over(stored, row.changes)
    derived = page.labour(household.pk).no_labour_capacity
    deprivations, labour = checked_inputs(inputs, derived=derived, year=year, standard=standard, lines=lines,
                                          indicator_codes=page.indicator_codes)
    assessment = stored or Assessment(household=household, year=year, commune_id=household.commune_id,
                                      village_id=household.village_id, is_urban=is_urban)
    assessment.standard = standard
    apply_inputs(assessment, household, inputs, deprivations, labour, lines)
    assessment._history_user = acting_user
    return assessment


def _locked_rounds(page, rows, new, changed) -> dict:
    """review.bulk_assessments.lock_assessments on the page's results (rounds, then the stored results as read);
    a conflict found under the locks refuses the rows it concerns."""
    keys = [(a.household.commune_id, page.year) for a in new]
    keys += [(a.review_round.commune_id, a.review_round.year) for a in changed]
    codes = {household.pk: household.code for household in page.households.values()}
    expected = {row.household.pk: row.expected_version for row in rows}
    try:
        return lock_assessments(round_keys=keys, changed=changed, new=new, later_rounds=page.later_rounds)
    except ValidationError as error:  # a round that cannot open (the commune merged away that year)
        raise PageRefused({a.household_id: error.message_dict for a in new}) from error
    except AssessedMeanwhile as error:
        raise PageRefused({pk: {NON_FIELD_ERRORS: [assessed_meanwhile_message(codes[pk], page.year)]}
                           for pk, _ in error.pairs}) from error
    except StaleRowsError as error:
        households = {a.pk: a.household_id for a in changed}
        raise PageRefused({households[pk]: {NON_FIELD_ERRORS: [stored_conflict(
            stored, codes[households[pk]], page.year, expected[households[pk]])]} for _, pk, _, stored in error.stale
        }) from error
