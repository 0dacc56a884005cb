"""Why a report (or the dashboard) has nothing to show, in a sentence naming the year and the area (issue 26.5):
"Năm 2025 chưa có hộ nào trong danh sách hộ nghèo, cận nghèo, thoát nghèo, nghèo mới của Xã Đăk Tô: …". Empty
is what the reader sees: a list without a row, a review-year table without a household reviewed, a programme
table of zeros. The households counted are those the report itself reads (review results of the area's communes
for the year, reports.scope)."""
from reports.scope import ReportScope
from review.models import Assessment

# What each report lists, for "Năm N chưa có hộ nào trong …" (lists) or "Năm N chưa có … nào" (programmes).
LISTS = {
    "lists": "danh sách hộ nghèo, cận nghèo, thoát nghèo, nghèo mới",
    "members": "danh sách nhân khẩu hộ nghèo, hộ cận nghèo được công nhận",
    "register": "sổ theo dõi hộ gia đình",
}
PROGRAMMES = {
    "spending": "lượt hỗ trợ hay kế hoạch vốn",
    "training": "lớp đào tạo nghề",
    "cooperatives": "tổ hợp tác, dự án cộng đồng hay hộ được khen thưởng",
}


def _has_figure(rows, total):
    values = [value for row in [*rows, total or {}] for key, value in row.items()
              if key not in ("year", "area", "area_name", "code", "commune") and isinstance(value, (int, float))]
    return any(values)


def review_reason(*, user, area_code, year, comparable, area_name):
    """The sentence for a year without any review result in the area, else ""."""
    scope = ReportScope(user, area_code, year, comparable)
    if Assessment.objects.visible_to(user).filter(year=year, commune_id__in=scope.communes).exists():
        return ""
    return (f"Năm {year} chưa có hộ nào được rà soát ở {area_name}: các xã chưa ghi kết quả rà soát năm {year} "
            "(phiếu rà soát của xã).")


def empty_reason(report, result, rows, *, user, area_code, year, comparable=False) -> str:
    """The sentence under the report's title when it shows nothing, else ""."""
    area = result["area"]["name"]
    if report.slug in PROGRAMMES:
        if _has_figure(rows, result.get("total")):
            return ""
        return f"Năm {year} chưa có {PROGRAMMES[report.slug]} nào của {area}."
    if report.slug == "register":  # every household of the year's register, reviewed or not
        return "" if rows else f"Năm {year} chưa có hộ nào trong {LISTS['register']} của {area}."
    if not report.year_title:
        return ""
    reason = review_reason(user=user, area_code=area_code, year=year, comparable=comparable, area_name=area)
    if reason or report.slug not in LISTS or rows:
        return reason
    what = f"Năm {year} chưa có hộ nào trong {LISTS[report.slug]} của {area}"
    if report.slug == "members" and result.get("provisional"):
        return (f"{what}: danh sách chỉ có khi Chủ tịch UBND xã công nhận kết quả rà soát "
                f"({result['provisional']['label']}).")
    if result.get("indicator"):
        indicator = result["indicator"]
        return f"{what}: không hộ nghèo, hộ cận nghèo nào thiếu hụt chỉ số {indicator['code']}. {indicator['name']}."
    return f"{what}: các hộ đã rà soát năm {year} không thuộc danh sách nào."
