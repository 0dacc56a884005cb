"""The pure rules of identifying a worker with low income (Nghị định 30/2025/NĐ-CP as quoted in 2025 commune plans,
[S]): the household is neither poor nor near-poor, and the worker's income per month is at or below the line of
the household's area (rural / urban, "khu vực đô thị")."""
from review.vocabulary import Classification

EXCLUDED_CLASSES = (Classification.POOR, Classification.NEAR_POOR)


def line_for(threshold, is_urban: bool) -> int:
    return threshold.urban_line if is_urban else threshold.rural_line


def class_error(household_class: str) -> str:
    """Why a household's class in force excludes its members ('' when it does not)."""
    if household_class in EXCLUDED_CLASSES:
        label = Classification(household_class).label.lower()
        return (f"Hộ đang là {label}: người lao động có thu nhập thấp là thành viên hộ không nghèo, không cận nghèo "
                "(Nghị định 30/2025/NĐ-CP).")
    return ""


def income_error(income_per_month: int, line: int, is_urban: bool) -> str:
    """Why an income is above the line ('' when at or below it)."""
    if income_per_month is None or income_per_month < 0:
        return "Hãy ghi thu nhập bình quân tháng (đồng, không âm)."
    if income_per_month > line:
        area = "khu vực đô thị" if is_urban else "khu vực nông thôn"
        return (f"Thu nhập {income_per_month:,} đồng/tháng cao hơn mức {line:,} đồng/tháng của {area}: "
                "không thuộc người lao động có thu nhập thấp.").replace(",", ".")
    return ""
