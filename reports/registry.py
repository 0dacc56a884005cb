"""Every report: its title, the function that returns its rows, and its columns (page and Excel alike)."""
from dataclasses import dataclass

from reports.excel import Column

AREA = Column("area_name", ("Đơn vị",), "text", 28)


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    sheet: str
    build: object  # callable(user=, area_code=, year=, **options) -> {"rows", "total", ...}
    columns: tuple
    notes: tuple = ()


POVERTY_COLUMNS = (
    AREA,
    Column("households", ("Tổng số hộ",)),
    Column("ethnic_minority_households", ("Số hộ DTTS",)),
    Column("poor_start", ("Hộ nghèo", "Đầu kỳ")),
    Column("escaped", ("Hộ nghèo", "Thoát nghèo")),
    Column("newly_poor", ("Hộ nghèo", "Phát sinh mới")),
    Column("relapsed", ("Hộ nghèo", "Tái nghèo")),
    Column("near_poor_to_poor", ("Hộ nghèo", "Cận nghèo chuyển thành nghèo")),
    Column("poor", ("Hộ nghèo", "Cuối kỳ")),
    Column("poor_rate", ("Hộ nghèo", "Tỷ lệ (%)"), "rate"),
    Column("poor_ethnic_minority", ("Hộ nghèo", "Hộ DTTS")),
    Column("ethnic_minority_poor_rate", ("Hộ nghèo", "Tỷ lệ hộ nghèo DTTS (%)"), "rate"),
    Column("poor_no_labour_capacity", ("Hộ nghèo", "Không có khả năng lao động")),
    Column("poor_meritorious", ("Hộ nghèo", "Có thành viên là người có công")),
    Column("near_poor_start", ("Hộ cận nghèo", "Đầu kỳ")),
    Column("near_poor", ("Hộ cận nghèo", "Cuối kỳ")),
    Column("near_poor_rate", ("Hộ cận nghèo", "Tỷ lệ (%)"), "rate"),
    Column("near_poor_ethnic_minority", ("Hộ cận nghèo", "Hộ DTTS")),
    Column("near_poor_no_labour_capacity", ("Hộ cận nghèo", "Không có khả năng lao động")),
    Column("near_poor_meritorious", ("Hộ cận nghèo", "Có thành viên là người có công")),
    Column("average", ("Hộ có mức sống trung bình",)),
    Column("poverty_reduction", ("Tỷ lệ giảm nghèo (điểm %)",), "rate"),
)


def _poverty(**kwargs):
    from reports.poverty import poverty_summary

    return poverty_summary(**kwargs)


REPORTS = {
    "poverty": Report(
        "poverty", "Kết quả rà soát hộ nghèo, hộ cận nghèo", "Hộ nghèo", _poverty, POVERTY_COLUMNS,
        ("Tỷ lệ hộ nghèo = số hộ nghèo / tổng số hộ × 100.",
         "Tỷ lệ hộ nghèo DTTS = số hộ nghèo DTTS / tổng số hộ DTTS × 100.",
         "Tỷ lệ giảm nghèo = tỷ lệ hộ nghèo đầu kỳ − tỷ lệ hộ nghèo cuối kỳ (điểm phần trăm)."),
    ),
}


def flat_rows(result):
    """Rows with the area flattened to a name, ready for a table or a sheet."""
    for row in result["rows"]:
        yield {**row, "area_name": row["area"]["name"] if isinstance(row.get("area"), dict) else row.get("area")}


def total_row(result):
    if result.get("total") is None:
        return None
    return {**result["total"], "area_name": "Tổng cộng"}
