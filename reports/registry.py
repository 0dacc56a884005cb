"""Every report: its title, the function that returns its rows, and its columns (page and Excel alike).

Official forms. Confirmed: Circular 02/2022/TT-BLĐTBXH (30 March 2022) replaces forms 7.8, 7.9 and 7.10 of
Appendix VII of Circular 07/2021/TT-BLĐTBXH, the appendix of reporting forms (text of Circular 02/2022 as
published at download.vn/thong-tu-02-2022-tt-bldtbxh-59378). Not confirmed: the number, title and column
list of any form of Appendix VII (neither circular's appendix could be read), hence no sheet is named by a
form number. The poverty sheet keeps the columns of Kon Tum's published "Biểu số 05" (shared domain file)
with the near-poor flows added; the sheets added with it ("Thiếu hụt theo đơn vị", "Theo dân tộc", and the
list of one indicator) carry plain titles and say "Không phải biểu mẫu chính thức" in their notes. Every
column list is data below, to be aligned with the forms once their text is at hand.
"""
from dataclasses import dataclass, replace
from importlib import import_module

from reports.excel import Column, Table

AREA = Column("area_name", ("Đơn vị",), "text", 28)
DASH = "—"  # no figure: no start of year (first year of a standard, or no result the year before)
NOT_OFFICIAL = ("Không phải biểu mẫu chính thức: chưa đối chiếu được với mẫu biểu của Thông tư "
                "07/2021/TT-BLĐTBXH (sửa đổi bởi Thông tư 02/2022/TT-BLĐTBXH).")


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
    # Query parameters the page passes on to `build` besides year, area and comparable (?indicator=9).
    parameters: tuple = ()
    # Columns that depend on the result (one pair per indicator of the year's standard): callable(result);
    # `columns` then holds the leading columns alone.
    expand_columns: object = None

    def title_for(self, year):
        return self.year_title.format(year=year) if self.year_title and year else self.title

    def columns_for(self, result):
        return list(self.expand_columns(result)) if self.expand_columns and result else list(self.columns)

    def result_title(self, result, year):
        """The title of one result: its own where a parameter narrows it (the list of one indicator)."""
        return (result or {}).get("title") or self.title_for(year)

    def result_notes(self, result):
        return [*self.notes, *(result or {}).get("notes", ())]


POVERTY_COLUMNS = (
    AREA,
    Column("households", ("Tổng số hộ",)),
    Column("ethnic_minority_households", ("Số hộ DTTS",)),
    Column("poor_start", ("Hộ nghèo", "Đầu kỳ"), none_text=DASH),
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
    Column("poor_social_protection", ("Hộ nghèo", "Có thành viên thuộc đối tượng bảo trợ xã hội")),
    Column("near_poor_start", ("Hộ cận nghèo", "Đầu kỳ"), none_text=DASH),
    Column("escaped_near_poor", ("Hộ cận nghèo", "Thoát cận nghèo")),
    Column("near_poor_to_poor", ("Hộ cận nghèo", "Chuyển thành hộ nghèo")),
    Column("newly_near_poor", ("Hộ cận nghèo", "Phát sinh mới")),
    Column("escaped_to_near_poor", ("Hộ cận nghèo", "Hộ nghèo chuyển thành hộ cận nghèo")),
    Column("near_poor", ("Hộ cận nghèo", "Cuối kỳ")),
    Column("near_poor_rate", ("Hộ cận nghèo", "Tỷ lệ (%)"), "rate"),
    Column("near_poor_ethnic_minority", ("Hộ cận nghèo", "Hộ DTTS")),
    Column("near_poor_no_labour_capacity", ("Hộ cận nghèo", "Không có khả năng lao động")),
    Column("near_poor_meritorious", ("Hộ cận nghèo", "Có thành viên là người có công")),
    Column("near_poor_social_protection", ("Hộ cận nghèo", "Có thành viên thuộc đối tượng bảo trợ xã hội")),
    Column("poverty_reduction", ("Tỷ lệ giảm nghèo (điểm %)",), "rate", none_text=DASH),
)


def as_of_columns(result):
    """The in-year columns of a poverty report asked as of a date (reports/in_year.py), after the annual ones."""
    day = "/".join(reversed(result["as_of"].split("-")))
    changes = f"Biến động trong năm {result['year'] + 1} đến ngày {day} (rà soát thường xuyên)"
    standing = f"Tại ngày {day}"
    return (
        Column("poor_recognised_in_year", (changes, "Hộ nghèo mới công nhận trong năm")),
        Column("poor_escaped_in_year", (changes, "Hộ thoát nghèo trong năm")),
        Column("near_poor_recognised_in_year", (changes, "Hộ cận nghèo mới công nhận trong năm")),
        Column("near_poor_escaped_in_year", (changes, "Hộ thoát cận nghèo trong năm")),
        Column("near_poor_to_poor_in_year", (changes, "Hộ cận nghèo chuyển thành hộ nghèo trong năm")),
        Column("poor_as_of", (standing, f"Hộ nghèo tại ngày {day}")),
        Column("poor_as_of_rate", (standing, "Tỷ lệ hộ nghèo (%)"), "rate"),
        Column("near_poor_as_of", (standing, f"Hộ cận nghèo tại ngày {day}")),
        Column("near_poor_as_of_rate", (standing, "Tỷ lệ hộ cận nghèo (%)"), "rate"),
    )


def poverty_columns(result):
    """The poverty report's columns; asked as of a date, the in-year columns after them."""
    return [*POVERTY_COLUMNS, *(as_of_columns(result) if (result or {}).get("as_of") else ())]


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
DEPRIVATION_AREA_COLUMNS = (
    AREA,
    Column("poor", ("Tổng số", "Hộ nghèo")),
    Column("near_poor", ("Tổng số", "Hộ cận nghèo")),
)


def deprivation_area_columns(result):
    """The leading columns, then for each indicator of the year's standard (in its order, under its
    dimension) the poor and the near-poor households deprived of it."""
    columns = list(DEPRIVATION_AREA_COLUMNS)
    for indicator in result.get("indicators", ()):
        headers = (indicator["dimension"], f"{indicator['code']}. {indicator['name']}")
        columns.append(Column(f"poor_{indicator['code']}", (*headers, "Hộ nghèo"), "int", 9))
        columns.append(Column(f"near_poor_{indicator['code']}", (*headers, "Hộ cận nghèo"), "int", 9))
    return columns


ETHNIC_COLUMNS = (
    Column("area_name", ("Dân tộc",), "text", 20),
    Column("minority", ("Dân tộc thiểu số",), "text", 10),
    Column("households", ("Tổng số hộ",)),
    Column("poor", ("Hộ nghèo", "Số hộ")),
    Column("poor_rate", ("Hộ nghèo", "Tỷ lệ (%)"), "rate"),
    Column("near_poor", ("Hộ cận nghèo", "Số hộ")),
    Column("near_poor_rate", ("Hộ cận nghèo", "Tỷ lệ (%)"), "rate"),
    Column("poor_share", ("Cơ cấu hộ nghèo (%)",), "rate"),
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
        "poverty", "Kết quả rà soát hộ nghèo, hộ cận nghèo", "Hộ nghèo", _lazy("in_year", "poverty_report"),
        POVERTY_COLUMNS,
        ("Tỷ lệ hộ nghèo = số hộ nghèo / tổng số hộ × 100.",
         "Tỷ lệ hộ nghèo DTTS = số hộ nghèo DTTS / tổng số hộ DTTS × 100.",
         "Tỷ lệ giảm nghèo = tỷ lệ hộ nghèo đầu kỳ − tỷ lệ hộ nghèo cuối kỳ (điểm phần trăm).",
         "Hộ cận nghèo cuối kỳ = đầu kỳ − thoát cận nghèo − chuyển thành hộ nghèo + phát sinh mới + hộ nghèo "
         "chuyển thành hộ cận nghèo (khi mọi hộ cận nghèo đầu kỳ đều được rà soát lại trong năm).",
         f"{DASH}: không có số đầu kỳ và tỷ lệ giảm nghèo (năm rà soát đầu tiên của chuẩn nghèo, hoặc đơn vị "
         "chưa có kết quả rà soát năm trước)."),
        year_title="Kết quả rà soát hộ nghèo, hộ cận nghèo năm {year}",
        # ?as_of=YYYY-MM-DD: the lists in force that day with the regular reviews (reports/in_year.py).
        parameters=("as_of",), expand_columns=poverty_columns,
    ),
    "deprivation": Report(
        "deprivation", "Hộ nghèo, hộ cận nghèo theo chỉ số thiếu hụt", "Thiếu hụt",
        _lazy("deprivation", "deprivation_summary"), DEPRIVATION_COLUMNS,
        ("Tỷ lệ = số hộ thiếu hụt chỉ số / tổng số hộ nghèo (hoặc cận nghèo) × 100.",),
        year_title="Hộ nghèo, hộ cận nghèo theo chỉ số thiếu hụt — kết quả rà soát năm {year}",
    ),
    "deprivation-by-area": Report(
        "deprivation-by-area", "Hộ nghèo, hộ cận nghèo thiếu hụt các chỉ số dịch vụ xã hội cơ bản theo đơn vị",
        "Thiếu hụt theo đơn vị", _lazy("deprivation", "deprivation_by_area"), DEPRIVATION_AREA_COLUMNS,
        ("Số hộ nghèo (cận nghèo) thiếu hụt từng chỉ số đo lường mức độ thiếu hụt dịch vụ xã hội cơ bản của "
         "chuẩn nghèo áp dụng cho năm rà soát; một hộ thiếu hụt nhiều chỉ số được đếm ở mỗi chỉ số đó.",
         NOT_OFFICIAL),
        year_title="Hộ nghèo, hộ cận nghèo thiếu hụt các chỉ số dịch vụ xã hội cơ bản theo đơn vị — kết quả rà "
                   "soát năm {year}",
        expand_columns=deprivation_area_columns,
    ),
    "ethnic-groups": Report(
        "ethnic-groups", "Hộ nghèo, hộ cận nghèo theo dân tộc", "Theo dân tộc",
        _lazy("ethnic_groups", "ethnic_group_summary"), ETHNIC_COLUMNS,
        ("Dân tộc của hộ: dân tộc của chủ hộ ghi trong sổ hộ.",
         "Tổng số hộ: các hộ trong sổ hộ sinh sống trên địa bàn trong năm (kể cả hộ không thuộc diện rà soát); "
         "số hộ xã khai báo không chia theo dân tộc nên không dùng ở biểu này.",
         "Tỷ lệ = số hộ nghèo (cận nghèo) của dân tộc / tổng số hộ của dân tộc đó × 100.",
         "Cơ cấu hộ nghèo = số hộ nghèo của dân tộc / tổng số hộ nghèo × 100.",
         NOT_OFFICIAL),
        year_title="Hộ nghèo, hộ cận nghèo theo dân tộc — kết quả rà soát năm {year}",
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
        parameters=("indicator",),
    ),
    "members": Report(
        "members", "Danh sách nhân khẩu hộ nghèo, hộ cận nghèo", "Nhân khẩu",
        _lazy("household_lists", "household_members"), MEMBER_COLUMNS,
        ("Nhân khẩu của các hộ có trong danh sách hộ nghèo, hộ cận nghèo đã được công nhận (đợt rà soát đã "
         "khoá), dùng để cấp thẻ bảo hiểm y tế và các hỗ trợ theo người. Không phải biểu mẫu chính thức.",),
        year_title="Danh sách nhân khẩu hộ nghèo, hộ cận nghèo được công nhận theo kết quả rà soát năm {year}",
    ),
}


def _with_provisional(plain):
    """The build of a review-year report, adding `provisional` to its result (reports/provisional.py: None when
    every commune's round of the year is recognised, else the count "đang rà soát: 12/51 xã đã công nhận"),
    so that the page, the API and every Excel sheet of it (annual package included) say so."""
    def build(**kwargs):
        return import_module("reports.provisional").with_provisional(plain)(**kwargs)
    return build


# Reports of a review year (those with a year_title) carry whether the year is still under review.
REPORTS = {slug: replace(report, build=_with_provisional(report.build)) if report.year_title else report
           for slug, report in REPORTS.items()}


def provisional_label(result):
    """What a sheet's title block says of a provisional year ("" when final or not a review-year report)."""
    status = (result or {}).get("provisional")
    return f"Số liệu tạm thời — {status['label']}" if status else ""


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
        sheet_name=report.sheet, title=report.result_title(result, year), unit_name=result["area"]["name"],
        year=year, columns=report.columns_for(result), rows=flat_rows(result), total=total_row(result),
        notes=report.result_notes(result), parent_unit_name="Ủy ban nhân dân", issuer=result.get("issuer", ""),
        provisional=provisional_label(result),
    )
