"""The rules of one assessment's inputs, as plain functions of values: the income and B1 checks, the line of the
household's area, the labour derivation and its override, the registration date a review implies.

One definition each, for one row or a hundred thousand: the services (worksheet, pages, admin, API) call them
on the row they save, the import calls them on every row of a file with values it read in bulk. They read
nothing from the database and raise or return the officer's messages keyed by the assessment's field.
"""
import datetime

from django.core.exceptions import ValidationError

from core.formatting import vn_number
from review.models import Assessment

# Sanity limits of the officer's inputs: beyond them a number is a typing slip, never a household.
# Income is in đồng per person per month. The highest line of any standard is 2,800,000 (urban, 2026–2030),
# so 1,000,000,000 is ~350 times any line: a larger figure is a yearly or whole-household total or has
# zeros too many. It also keeps the value inside the column (bigint, 19 digits): a 20-digit income used to
# reach the database and answer 500.
MAX_INCOME_PER_CAPITA = 1_000_000_000
# The B1 score (Phiếu B1, Circular 07/2021/TT-BLĐTBXH) is a sum of points, never negative; its lines are
# 140 (rural) and 175 (urban) points. The domain notes give no maximum printed in the Circular, so the bound
# is set far above the lines, 1,000 points (over five times the urban line): it catches an income typed into
# the B1 column and keeps the value inside its column. Raise it if the Circular's own maximum proves higher.
MAX_B1_SCORE = 1_000
LABOUR_REASON_REQUIRED = "Cần ghi lý do khi xác định khác kết quả tính từ nhân khẩu"
LABOUR_REASON_MAX = Assessment._meta.get_field("labour_override_reason").max_length


def income_errors(income_per_capita: int | None, b1_score: int | None) -> dict:
    """The limits of the income and the B1 score, and that one of them is given."""
    errors = {}
    if income_per_capita is not None and income_per_capita < 0:
        errors["income_per_capita"] = "Thu nhập bình quân không được âm."
    elif income_per_capita is not None and income_per_capita > MAX_INCOME_PER_CAPITA:
        errors["income_per_capita"] = (
            f"Thu nhập bình quân không quá {vn_number(MAX_INCOME_PER_CAPITA)} đồng/người/tháng: hãy kiểm tra lại "
            "số (thừa chữ số 0, hay là thu nhập cả năm, của cả hộ?).")
    if b1_score is not None and b1_score < 0:
        errors["b1_score"] = "Điểm B1 không được âm."
    elif b1_score is not None and b1_score > MAX_B1_SCORE:
        errors["b1_score"] = (f"Điểm B1 từ 0 đến {vn_number(MAX_B1_SCORE)} điểm: hãy kiểm tra lại "
                              "(nhập nhầm thu nhập vào cột điểm B1?).")
    if income_per_capita is None and b1_score is None:
        errors["income_per_capita"] = "Hãy nhập thu nhập bình quân hoặc điểm B1."
    return errors


def input_errors(*, standard, year: int, income_per_capita: int | None, b1_score: int | None, deprivations,
                 lines, indicator_codes) -> dict:
    """Every error of an assessment's inputs against the limits and the year's standard: `lines` are the
    standard's lines for the household's area (None: not known here), `indicator_codes` the standard's
    indicators. {} when the inputs are acceptable."""
    errors = income_errors(income_per_capita, b1_score)
    if "income_per_capita" not in errors and income_per_capita is None and lines is not None \
            and lines.b1_line is None:
        errors["income_per_capita"] = (
            f"Năm {year} chuẩn nghèo không dùng điểm B1: hãy nhập thu nhập bình quân "
            f"(chuẩn {standard.code} không có ngưỡng điểm B1).")
    unknown = sorted({str(c) for c in deprivations} - set(indicator_codes), key=lambda c: (len(c), c))
    if unknown:
        errors["deprivations"] = f"Chỉ số {', '.join(unknown)} không thuộc chuẩn {standard.code} áp dụng cho năm {year}."
    return errors


def missing_line_message(standard, is_urban: bool) -> str:
    """Why a household of that area cannot be classified under `standard`: the standard has no line for it."""
    return f"Chuẩn {standard.code} chưa có chuẩn cho khu vực {'đô thị' if is_urban else 'nông thôn'}."


def labour_decision(derived: bool, wanted: bool | None, reason, year: int) -> tuple[bool, str]:
    """(no_labour_capacity, labour_override_reason) to store: the value derived from the members, unless the
    officer's `wanted` value differs from it, which then needs a reason. `wanted` None: the derived value."""
    if wanted is None or bool(wanted) == derived:
        return derived, ""  # the derived value needs no reason: one given with it is not kept
    reason = " ".join(str(reason or "").split())
    if not reason:
        said = "không có" if derived else "có"
        raise ValidationError({"labour_override_reason": (
            f"{LABOUR_REASON_REQUIRED} (theo nhân khẩu, hộ {said} khả năng lao động năm {year}).")})
    if len(reason) > LABOUR_REASON_MAX:
        raise ValidationError({"labour_override_reason": f"Lý do không quá {LABOUR_REASON_MAX} ký tự."})
    return bool(wanted), reason


def registration_for_review(registered_on: datetime.date | None, year: int) -> datetime.date | None:
    """A household reviewed in `year` existed in that year: a registration date later than 1 January of it
    moves back to that day. Returns the new date, or None when the stored one stands."""
    first_day = datetime.date(int(year), 1, 1)
    return first_day if registered_on is None or registered_on > first_day else None


def registration_reason(year: int) -> str:
    return f"Có kết quả rà soát năm {year}: ngày đăng ký lùi về {datetime.date(int(year), 1, 1):%d/%m/%Y}"
