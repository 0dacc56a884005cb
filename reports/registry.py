"""Every report: its title, the function that returns its rows, and its columns (page and Excel alike)."""
from dataclasses import dataclass
from importlib import import_module

from reports.excel import Column, Table

AREA = Column("area_name", ("Đơn vị",), "text", 28)


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    sheet: str
    build: object  # callable(user=, area_code=, year=, **options) -> {"rows", "total", ...}
    columns: tuple
    notes: tuple = ()
    # The sheet's title for a year, where the year is a review year ("Kết quả rà soát … năm N": the review
    # carried out in the autumn of N, whose lists apply in N+1); empty: `title` as it is.
    year_title: str = ""

    def title_for(self, year):
        return self.year_title.format(year=year) if self.year_title and year else self.title


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


def _lazy(module, function):
    """Import a report function on first use (reports import models; the registry is imported early)."""
    def build(**kwargs):
        return getattr(import_module(f"reports.{module}"), function)(**kwargs)
    return build


DEPRIVATION_COLUMNS = (
    Column("area_name", ("Chỉ số thiếu hụt",), "text", 40),
    Column("dimension", ("Chiều",), "text", 22),
    Column("poor", ("Hộ nghèo thiếu hụt", "Số hộ")),
    Column("poor_share", ("Hộ nghèo thiếu hụt", "Tỷ lệ (%)"), "rate"),
    Column("near_poor", ("Hộ cận nghèo thiếu hụt", "Số hộ")),
    Column("near_poor_share", ("Hộ cận nghèo thiếu hụt", "Tỷ lệ (%)"), "rate"),
)
SPENDING_COLUMNS = (
    Column("area_name", ("Chương trình, chính sách",), "text", 48),
    Column("unit", ("Đơn vị tính",), "text", 10),
    Column("quantity", ("Số lượng",)),
    Column("households", ("Số hộ được hỗ trợ",)),
    Column("amount", ("Kinh phí (đồng)", "Đã hỗ trợ"), "money", 16),
    Column("budget", ("Kinh phí (đồng)", "Kế hoạch vốn"), "money", 16),
    Column("disbursement_rate", ("Kinh phí (đồng)", "Tỷ lệ giải ngân (%)"), "rate"),
)
TRAINING_COLUMNS = (
    Column("area_name", ("Năm",), "text", 10),
    Column("courses", ("Số lớp",)),
    Column("enrolled", ("Học viên", "Tham gia")),
    Column("graduated", ("Học viên", "Tốt nghiệp")),
    Column("dropped", ("Học viên", "Bỏ học")),
)
COOPERATIVE_COLUMNS = (
    Column("area_name", ("Xã/phường",), "text", 24),
    Column("groups", ("Tổ hợp tác", "Số tổ")),
    Column("members", ("Tổ hợp tác", "Số hộ thành viên")),
    Column("projects", ("Dự án, mô hình", "Số dự án")),
    Column("project_households", ("Dự án, mô hình", "Số hộ tham gia")),
    Column("commendations", ("Hộ thoát nghèo được khen thưởng",)),
)
REGISTER_COLUMNS = (
    Column("code", ("Mã hộ",), "text", 18),
    Column("area_name", ("Họ tên chủ hộ",), "text", 24),
    Column("ethnic_group", ("Dân tộc",), "text", 12),
    Column("commune", ("Xã/phường",), "text", 16),
    Column("village", ("Thôn",), "text", 16),
    Column("status", ("Tình trạng",), "text", 10),
    Column("list", ("Kết quả rà soát",), "text", 20),
)
LIST_COLUMNS = (
    Column("code", ("Mã hộ",), "text", 18),
    Column("area_name", ("Họ tên chủ hộ",), "text", 24),
    Column("ethnic_group", ("Dân tộc",), "text", 12),
    Column("commune", ("Xã/phường",), "text", 16),
    Column("village", ("Thôn",), "text", 16),
    Column("list", ("Danh sách",), "text", 22),
    Column("income", ("Thu nhập BQ (đồng/người/tháng)",), "money", 14),
    Column("deprivations", ("Số chỉ số thiếu hụt",)),
)

MEMBER_COLUMNS = (
    Column("code", ("Mã hộ",), "text", 16),
    Column("area_name", ("Họ và tên",), "text", 24),
    Column("gender", ("Giới tính",), "text", 8),
    Column("birth", ("Ngày/năm sinh",), "text", 12),
    Column("relation", ("Quan hệ với chủ hộ",), "text", 12),
    Column("national_id", ("Số CCCD",), "text", 14),
    Column("ethnic_group", ("Dân tộc",), "text", 12),
    Column("commune", ("Xã/phường",), "text", 16),
    Column("village", ("Thôn",), "text", 14),
    Column("list", ("Thuộc hộ",), "text", 14),
)


REPORTS = {
    "poverty": Report(
        "poverty", "Kết quả rà soát hộ nghèo, hộ cận nghèo", "Hộ nghèo", _lazy("poverty", "poverty_summary"),
        POVERTY_COLUMNS,
        ("Tỷ lệ hộ nghèo = số hộ nghèo / tổng số hộ × 100.",
         "Tỷ lệ hộ nghèo DTTS = số hộ nghèo DTTS / tổng số hộ DTTS × 100.",
         "Tỷ lệ giảm nghèo = tỷ lệ hộ nghèo đầu kỳ − tỷ lệ hộ nghèo cuối kỳ (điểm phần trăm)."),
        year_title="Kết quả rà soát hộ nghèo, hộ cận nghèo năm {year}",
    ),
    "deprivation": Report(
        "deprivation", "Hộ nghèo, hộ cận nghèo theo chỉ số thiếu hụt", "Thiếu hụt",
        _lazy("deprivation", "deprivation_summary"), DEPRIVATION_COLUMNS,
        ("Tỷ lệ = số hộ thiếu hụt chỉ số / tổng số hộ nghèo (hoặc cận nghèo) × 100.",),
        year_title="Hộ nghèo, hộ cận nghèo theo chỉ số thiếu hụt — kết quả rà soát năm {year}",
    ),
    "spending": Report(
        "spending", "Kết quả thực hiện chính sách hỗ trợ", "Chính sách", _lazy("spending", "spending_summary"),
        SPENDING_COLUMNS, ("Tỷ lệ giải ngân = số tiền đã hỗ trợ / kế hoạch vốn × 100.",),
    ),
    "training": Report(
        "training", "Đào tạo nghề cho lao động nghèo theo năm", "Đào tạo nghề", _lazy("training", "training_summary"),
        TRAINING_COLUMNS, ("Tham gia: mọi học viên của các lớp trong năm, dù kết quả thế nào.",),
    ),
    "cooperatives": Report(
        "cooperatives", "Tổ hợp tác, dự án cộng đồng và khen thưởng", "Tổ hợp tác",
        _lazy("cooperatives", "cooperatives_summary"), COOPERATIVE_COLUMNS,
        ("Số hộ thành viên: đang tham gia tổ vào ngày 31/12 của năm báo cáo.",),
    ),
    "register": Report(
        "register", "Sổ theo dõi hộ gia đình", "Sổ hộ", _lazy("household_lists", "household_register"),
        REGISTER_COLUMNS, year_title="Sổ theo dõi hộ gia đình — kết quả rà soát năm {year}",
    ),
    "lists": Report(
        "lists", "Danh sách hộ nghèo, cận nghèo, thoát nghèo, nghèo mới", "Danh sách hộ",
        _lazy("household_lists", "household_lists"), LIST_COLUMNS,
        year_title="Danh sách hộ nghèo, cận nghèo, thoát nghèo, nghèo mới theo kết quả rà soát năm {year}",
    ),
    "members": Report(
        "members", "Danh sách nhân khẩu hộ nghèo, hộ cận nghèo", "Nhân khẩu",
        _lazy("household_lists", "household_members"), MEMBER_COLUMNS,
        ("Nhân khẩu của các hộ có trong danh sách hộ nghèo, hộ cận nghèo đã được công nhận (đợt rà soát đã "
         "phê duyệt), dùng để cấp thẻ bảo hiểm y tế và các hỗ trợ theo người. Không phải biểu mẫu chính thức.",),
        year_title="Danh sách nhân khẩu hộ nghèo, hộ cận nghèo được công nhận theo kết quả rà soát năm {year}",
    ),
}


def flat_rows(result):
    """Rows with the area flattened to a name, ready for a table or a sheet."""
    for row in result["rows"]:
        if "area_name" not in row:
            row["area_name"] = row["area"]["name"] if isinstance(row.get("area"), dict) else row.get("area")
        yield row


def total_row(result):
    if result.get("total") is None:
        return None
    return {**result["total"], "area_name": "Tổng cộng"}


def report_table(report, result, year):
    """The official-layout table of one report's result (the same for the page's and the API's Excel)."""
    return Table(
        sheet_name=report.sheet, title=report.title_for(year), unit_name=result["area"]["name"], year=year,
        columns=list(report.columns), rows=flat_rows(result), total=total_row(result), notes=list(report.notes),
        parent_unit_name="Ủy ban nhân dân", issuer=result.get("issuer", ""),
    )
