"""The “Rà soát” sheet into the plan: each row a household's review result of a year.

Every rule is the review's own (review.assessment_rules, review.classification, review.labour): the income
and B1 checks, the line of the household's area, the labour derivation and its override, the class, the
registration date a review implies, the commune that holds the year's review. The row only adds where the
values come from (cells) and where an error is said (sheet, row, column).
"""
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Q

from areas.models import AdministrativeUnit
from core.formatting import vn_number
from households.models import Member
from importing import cells
from importing.columns import REVIEWS, label
from importing.historical import check_former_places, year_place
from importing.plan import chunked
from importing.reading import header_key
from importing.rules import FieldRule
from review.assessment_rules import (
    input_errors,
    labour_decision,
    missing_line_message,
    registration_for_review,
    registration_reason,
)
from review.calendar import round_closed_message
from review.classification import MissingInput, classify
from review.labour import LABOUR_FIELDS, household_labour
from review.models import Assessment, Indicator, ReviewRound, RoundStatus, deprivation_key
from review.standards import all_lines, no_standard_message, standard_or_none

DEPRIVATIONS = FieldRule(Assessment, "deprivations")
# The assessment's fields -> the sheet's columns, for the review's own errors.
FIELD_COLUMNS = {"income_per_capita": "income", "b1_score": "b1", "labour_override_reason": "labour_reason",
                 "year": "year"}


def check_reviews(plan, sheet):
    if sheet is None:
        return
    indicators = _indicators()
    extra = {header_key(name): (name, index) for name, index in sheet.extra.items()}
    standards, rows = {}, []
    for number, values in plan.rows(sheet):
        try:
            row = plan.read_row(sheet, number, values)
        except cells.CellError:
            continue
        if plan.missing(REVIEWS, number, row):
            continue
        year = row["year"]
        if year not in standards:
            standards[year] = standard_or_none(year)
        standard = standards[year]
        if standard is None:
            plan.error(REVIEWS, number, "Năm", no_standard_message(year))
            continue
        deprived = _deprivations(plan, number, values, extra, indicators[standard.id], standard, year)
        if deprived is not None:
            rows.append((number, row, standard, deprived))
    plan.preload({row["household"] for _, row, _, _ in rows})
    _plan_assessments(plan, rows)


def _indicators():
    """{standard id: {header key: indicator code}}: “Chỉ số 3” or the indicator's name."""
    indicators = defaultdict(dict)
    for indicator in Indicator.objects.all():
        by_header = indicators[indicator.standard_id]
        by_header[header_key(f"Chỉ số {indicator.code}")] = indicator.code
        by_header[header_key(indicator.name)] = indicator.code
    return indicators


def _deprivations(plan, number, values, extra, indicators, standard, year):
    """The indicator codes the row marks, or None after an error."""
    deprived, headers, bad = [], [], False
    for key, (header, index) in extra.items():
        raw = values[index] if index < len(values) else None
        code = indicators.get(key)
        try:
            is_deprived = cells.flag(raw)
        except cells.CellError as error:
            plan.error(REVIEWS, number, header, str(error))
            bad = True
            continue
        if code is None:
            if is_deprived or key.startswith("chi so"):
                plan.error(REVIEWS, number, header, f"Chuẩn {standard.code} của năm {year} không có chỉ số “{header}”.")
                bad = True
        elif is_deprived:
            deprived.append(code)
            headers.append(header)
    if bad:
        return None
    try:
        DEPRIVATIONS.check(deprivation_key(deprived))
    except cells.CellError as error:
        plan.error(REVIEWS, number, headers[-1], str(error))
        return None
    return deprived


class _Stored:
    """What the rows of the sheet are checked against, read in bulk: assessments, rounds, communes, lines,
    indicators, the members as they will be after the file."""

    def __init__(self, plan, rows):
        self.lines = all_lines()
        self.indicator_codes = defaultdict(set)
        for standard_id, code in Indicator.objects.values_list("standard_id", "code"):
            self.indicator_codes[standard_id].add(code)
        self.assessments = {}
        for group in chunked(plan.stored_ids()):
            for assessment in Assessment.objects.filter(household_id__in=group).select_related("review_round"):
                self.assessments[(assessment.household_id, assessment.year)] = assessment
        pairs = {(year_place(plan, h, row["year"])[0], row["year"]) for _, row, _, _ in rows
                 for h in [plan.households_by_code.get(row["household"])] if h}
        self.rounds = {}
        if pairs:
            condition = Q()
            for commune, year in pairs:
                condition |= Q(commune_id=commune, year=year)
            self.rounds = {(r.commune_id, r.year): r for r in ReviewRound.objects.filter(condition)}
        self.communes = AdministrativeUnit.objects.in_bulk({c for c, _ in pairs})
        self.members_of = _members_after_file(plan)


def _plan_assessments(plan, rows):
    stored, seen = _Stored(plan, rows), {}
    for number, row, standard, deprived in rows:
        household = plan.household(REVIEWS, number, row["household"])
        if household is None:
            continue
        key = (row["household"], row["year"])
        if key in seen:
            plan.error(REVIEWS, number, "Năm", f"Hộ {key[0]} năm {key[1]} đã có ở dòng {seen[key]}.")
            continue
        seen[key] = number
        _plan_row(plan, stored, number, row, standard, deprived, household)
    _registered_by_reviews(plan)
    years = defaultdict(dict)
    for (code, year), number in seen.items():
        years[code][year] = number
    check_former_places(plan, years)


def _row_errors(plan, number, errors):
    for field_name, message in errors.items():
        column = FIELD_COLUMNS.get(field_name)
        plan.error(REVIEWS, number, label(REVIEWS, column) if column else None,
                   message if isinstance(message, str) else " ".join(message))


def _plan_row(plan, stored, number, row, standard, deprived, household):
    year = row["year"]
    current = stored.assessments.get((household.pk, year)) if household.pk else None
    commune_id, village_id = year_place(plan, household, year)  # the unit of the year (historical.py)
    review_round = current.review_round if current is not None and current.review_round_id \
        else stored.rounds.get((commune_id, year))
    commune = stored.communes.get(commune_id)
    is_urban = current.is_urban if current else bool(commune and commune.is_urban)
    line = stored.lines.get((standard.id, is_urban))
    if line is None:
        plan.error(REVIEWS, number, "Năm", missing_line_message(standard, is_urban))
        return
    errors = input_errors(standard=standard, year=year, income_per_capita=row["income"], b1_score=row["b1"],
                          deprivations=deprived, lines=line, indicator_codes=stored.indicator_codes[standard.id])
    if errors:
        _row_errors(plan, number, errors)
        return
    values = {"standard_id": standard.id, "income_per_capita": row["income"], "b1_score": row["b1"],
              "deprivations": deprivation_key(deprived), "deprivation_count": len(set(deprived)),
              "has_meritorious_member": bool(row["meritorious"]),
              "is_ethnic_minority": plan.ethnic[household.ethnic_group_id].is_minority,
              "livelihood": household.livelihood}
    try:
        values.update(_labour(plan, number, row, current, stored.members_of(household)))
        values["classification"] = classify(line, deprivations=values["deprivation_count"], income=row["income"],
                                            b1_score=row["b1"])
    except ValidationError as error:
        _row_errors(plan, number, error.message_dict)
        return
    except MissingInput as error:  # refused above; a last guard, as in hand entry
        plan.error(REVIEWS, number, "Thu nhập bình quân", str(error))
        return
    first = plan.first_years.get(row["household"])
    plan.first_years[row["household"]] = year if first is None else min(first, year)
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        plan.result.unchanged["assessments"] += 1
        return
    if review_round is not None and review_round.status == RoundStatus.APPROVED:
        plan.error(REVIEWS, number, "Năm", locked_message(review_round.commune_id, year))
        return
    closed = round_closed_message(commune, year) if commune and not current and not review_round else ""
    if closed:
        plan.error(REVIEWS, number, "Năm", closed)
        return
    _add(plan, number, household, current, values, (year, commune_id, village_id), is_urban)


def _add(plan, number, household, current, values, place, is_urban):
    year, commune_id, village_id = place
    if current is None:
        assessment = Assessment(household=household, year=year, commune_id=commune_id, village_id=village_id,
                                is_urban=is_urban, **values)
        assessment._row = (REVIEWS, number)
        plan.new_assessments.append(assessment)
        plan.result.would_create["assessments"] += 1
        plan.round_rows[(commune_id, year)].append(number)
        return
    for key, value in values.items():
        setattr(current, key, value)
    current._row = (REVIEWS, number)
    plan.changed_assessments.append(current)
    plan.result.would_update["assessments"] += 1
    plan.round_rows[(current.review_round.commune_id, current.review_round.year)].append(number)


def _members_after_file(plan):
    """household -> its members as they will be once the file is written (stored ones with the file's
    changes, and the file's new ones): what the labour rule reads. Reads the members of households the
    members sheet did not load (in bulk), with their versions: the write compares them."""
    missing = [pk for pk in plan.stored_ids() if pk not in plan.members_read]
    plan.members_read.update(missing)
    for group in chunked(missing):
        for member in Member.objects.filter(household_id__in=group).only("household_id", "version", *LABOUR_FIELDS):
            plan.stored_members[member.household_id].append(member)
    new = defaultdict(list)
    for member in plan.new_members:
        new[member.household.code].append(member)
    return lambda household: [*(plan.stored_members.get(household.pk, ()) if household.pk else ()),
                              *plan.moved_in.get(household.code, ()), *new[household.code]]


def _labour(plan, number, row, current, members):
    """{"no_labour_capacity", "labour_override_reason"} of a review row (ValidationError from the review's rule).

    The review's rule (review.assessment_rules.labour_decision) on the value derived from the members, with
    what the row states: "Không có khả năng lao động" blank states nothing (a stored override stays); a value
    that differs from the derived one is an override, kept with the row's "Lý do khả năng lao động", else the
    stored override's reason for the same value (a second import of the file changes nothing), else
    "Theo danh sách nhập (tệp …, dòng N)"."""
    result = household_labour(members, row["year"])
    derived, wanted = result.no_labour_capacity, row["no_labour"]
    overridden = current is not None and bool(current.labour_override_reason)
    reason = row["labour_reason"] or ""
    if wanted is None and overridden:
        wanted, reason = current.no_labour_capacity, current.labour_override_reason
    elif not reason and overridden and current.no_labour_capacity == wanted:
        reason = current.labour_override_reason
    if wanted is None or wanted == derived:
        if result.uncertain:
            plan.labour_uncertain.append(row["household"])
    elif not reason:
        reason = f"Theo danh sách nhập (tệp {plan.filename[:200]}, dòng {number})"
    no_labour, reason = labour_decision(derived, wanted, reason, row["year"])
    return {"no_labour_capacity": no_labour, "labour_override_reason": reason}


def labour_notice(plan):
    """What the result says of households counted without labour capacity for want of member data."""
    codes = sorted(set(plan.labour_uncertain))
    if not codes:
        return ""
    shown = ", ".join(codes[:20]) + ("…" if len(codes) > 20 else "")
    return (f"{vn_number(len(codes))} hộ được tính là không có khả năng lao động vì thiếu năm sinh hoặc giới tính "
            f"của nhân khẩu (người thiếu chưa được tính là lao động): {shown}. Hãy bổ sung ở trang “Nhân khẩu”.")


def locked_message(commune_id, year):
    return f"Đợt rà soát năm {year} của xã {commune_id} đã được công nhận và đang khoá."


def _registered_by_reviews(plan):
    """The review's rule (registration_for_review) on each household's first reviewed year: new households
    take that day instead of today, stored ones change with the import's audit trail naming the officer."""
    changed = {household.code for household in plan.changed_households}
    for code, year in plan.first_years.items():
        household = plan.households_by_code[code]
        moved = registration_for_review(household.registered_on, year)
        if moved is None:
            continue
        household.registered_on = moved
        if household.pk is None:
            continue
        household._change_reason = f"{registration_reason(year)}; nhập từ tệp {plan.filename}"[:100]
        if code not in changed:
            plan.changed_households.append(household)
            plan.result.would_update["households"] += 1
            if code in plan.unchanged_codes:
                plan.unchanged_codes.discard(code)
                plan.result.unchanged["households"] -= 1
