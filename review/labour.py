"""Working age and the household's "no labour capacity" (hộ không có khả năng lao động), as pure functions over
plain values (no database): members are any objects with `gender`, `birth_year`, `birth_date`,
`has_labour_capacity` (and `full_name`, for messages).

The rule (issue 14 §5; the legal wording of "hộ nghèo không có khả năng lao động" is to be verified, see
README "Decisions"): a household has no labour capacity when none of its members is of working age AND able
to work (Member.has_labour_capacity: unticked for a working-age member who cannot work, severe disability or
serious illness).

Working age in review year Y:
- from 15 years (Labour Code 2019: a worker is at least 15 — lower bound to verify);
- below the retirement age under normal working conditions of Decree 135/2020/NĐ-CP (Labour Code 2019,
  Article 169): men 60 years 3 months in 2021, 3 months more each year up to 62 years (2028 on); women 55
  years 4 months in 2021, 4 months more each year up to 60 years (2035 on); before 2021, 60 and 55 years.
Ages are counted in whole months on 31 December of the review year (the age reached in that year):
with a birth year only, that is (Y − birth year) × 12 — a member born in 1961 is "60" in 2021, under the men's
60 years 3 months, so of working age; a birth date refines the months at the edges (born in January 1961:
60 years 11 months on 31/12/2021, past the retirement age).

A member whose working age cannot be decided (no birth year, or no sex where the men's and women's retirement
ages disagree on them) is not counted as able; the household's result names them (`undetermined`), and
pages warn "thiếu năm sinh/giới tính" where that could change the result.
"""
from dataclasses import dataclass, field

MALE, FEMALE = "male", "female"  # households.models.Gender values
WORKING_AGE_FROM_MONTHS = 15 * 12
REFORM_FIRST_YEAR = 2021  # Decree 135/2020/NĐ-CP: the retirement age rises from 1 January 2021
RETIREMENT = {
    # sex: (months before 2021, months in 2021, months added each year, months at the end)
    MALE: (60 * 12, 60 * 12 + 3, 3, 62 * 12),
    FEMALE: (55 * 12, 55 * 12 + 4, 4, 60 * 12),
}


def retirement_age_months(gender, year):
    """The retirement age under normal conditions in `year`, in months (60 years 3 months = 723)."""
    before, first, step, last = RETIREMENT[gender]
    if year < REFORM_FIRST_YEAR:
        return before
    return min(last, first + step * (year - REFORM_FIRST_YEAR))


def age_months(year, *, birth_year=None, birth_date=None):
    """Whole months of age on 31 December of `year` (None without a birth year or date); negative for someone
    born after that year."""
    if birth_date is not None:
        return (year - birth_date.year) * 12 + (12 - birth_date.month)
    if birth_year is not None:
        return (year - int(birth_year)) * 12
    return None


def is_working_age(year, *, gender, birth_year=None, birth_date=None):
    """True or False; None when it cannot be decided (no birth year; no sex for an age between the women's
    and the men's retirement ages)."""
    months = age_months(year, birth_year=birth_year, birth_date=birth_date)
    if months is None:
        return None
    if months < WORKING_AGE_FROM_MONTHS:
        return False
    if gender in RETIREMENT:
        return months < retirement_age_months(gender, year)
    limits = sorted(retirement_age_months(sex, year) for sex in RETIREMENT)
    if months < limits[0]:
        return True
    if months >= limits[-1]:
        return False
    return None


@dataclass(frozen=True)
class LabourResult:
    no_labour_capacity: bool
    # Members flagged able whose working age could not be decided (their names): not counted as able.
    undetermined: tuple = field(default=())

    @property
    def uncertain(self):
        """The result could change once the missing birth years or sexes are entered."""
        return self.no_labour_capacity and bool(self.undetermined)

    @property
    def warning(self):
        if not self.uncertain:
            return ""
        return f"Thiếu năm sinh/giới tính: {', '.join(self.undetermined)} (chưa tính là lao động)."


def household_labour(members, year):
    """The household's derived labour capacity in review year `year`."""
    able, undetermined = False, []
    for member in members:
        if not getattr(member, "has_labour_capacity", True):
            continue
        working = is_working_age(year, gender=getattr(member, "gender", "") or "",
                                 birth_year=getattr(member, "birth_year", None),
                                 birth_date=getattr(member, "birth_date", None))
        if working:
            able = True
        elif working is None:
            undetermined.append(getattr(member, "full_name", "") or "?")
    return LabourResult(no_labour_capacity=not able, undetermined=tuple(undetermined))


def no_labour_capacity(members, year):
    return household_labour(members, year).no_labour_capacity


# The member fields household_labour reads: a query of members for the derivation loads only these.
LABOUR_FIELDS = ("full_name", "gender", "birth_year", "birth_date", "has_labour_capacity")


def stored_override(no_labour_capacity, labour_override_reason):
    """The officer's value a stored assessment keeps: its value where it carries an override reason, else None
    (the value follows the members). The one reading of a stored override (saves and member changes)."""
    return no_labour_capacity if labour_override_reason else None
