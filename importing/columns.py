"""The import's column layout, declared once: each sheet's columns with their key, the headers accepted for
them, whether a row needs them, how a cell is read, and the guide text of the template.

The reader matches headers with it, the sheet checks read cells with it, the template writes its headers and
guide sheet from it; nothing else spells a header.
"""
from dataclasses import dataclass
from typing import Callable

from households.models import Household, Member
from importing import cells
from importing.rules import FieldRule, maximum
from review.models import Assessment, ReviewRound

HOUSEHOLDS, MEMBERS, REVIEWS = "Hộ gia đình", "Nhân khẩu", "Rà soát"

YEAR_MAX = min(maximum(Assessment, "year"), maximum(ReviewRound, "year"))


def _checked(parse, model, name):
    """A cell parser that also refuses what the model's field cannot hold (importing/rules.py)."""
    rule = FieldRule(model, name)
    return lambda value: rule.check(parse(value))


@dataclass(frozen=True)
class Column:
    key: str
    labels: tuple  # accepted headers; the first is the template's
    guide: str
    required: bool = False
    # Reads one cell (raises cells.CellError with the officer's message). None: the sheet's check reads it
    # with a lookup of its own (ethnic groups, livelihoods).
    parse: Callable | None = cells.text

    @property
    def label(self):
        return self.labels[0]


LIVELIHOOD_GUIDE = ("Nông nghiệp, Lâm nghiệp, Ngư nghiệp, Diêm nghiệp hoặc Ngành nghề khác. Chỉ hộ nông, lâm, "
                    "ngư, diêm nghiệp được đề nghị công nhận mức sống trung bình (theo đơn, thủ tục riêng). Bỏ "
                    "trống: hộ mới theo xã (nông nghiệp ở xã, ngành nghề khác ở phường/thị trấn), hộ đã có "
                    "giữ như trong sổ.")
LABOUR_GUIDE = ("Bỏ trống: tính từ nhân khẩu (năm sinh, giới tính; người trong độ tuổi lao động có khả năng lao "
                "động). Ghi x/1/có hoặc 0/không khi danh sách xác định khác: khác kết quả tính thì được ghi là xác "
                "định theo danh sách nhập, với lý do ở cột sau.")

COLUMNS = {
    HOUSEHOLDS: (
        Column("code", ("Mã hộ",), "Bắt buộc. Mã hộ của xã, ví dụ 23401-0001; nhập lại cùng mã thì sửa hộ đó.",
               True, _checked(cells.text, Household, "code")),
        Column("head_name", ("Họ tên chủ hộ",), "Bắt buộc. Tiếng Việt Unicode (không dùng phông .VnTime/VNI).",
               True, _checked(cells.text, Household, "head_name")),
        Column("commune", ("Mã xã",), "Bắt buộc. Mã đơn vị hành chính của xã/phường, ví dụ 23401; thiếu số 0 đầu "
               "vẫn nhận.", True, cells.code),
        Column("village", ("Thôn",), "Tên thôn/tổ dân phố của xã như trong sổ: “Thôn 2”, “2” hoặc mã thôn."),
        Column("ethnic_group", ("Dân tộc",), "Tên (Xơ Đăng) hoặc mã 121-TCTK (14).", True, None),
        Column("address", ("Địa chỉ",), "Không bắt buộc.", parse=_checked(cells.text, Household, "address")),
        Column("livelihood", ("Sinh kế chính", "Sinh kế"), LIVELIHOOD_GUIDE, parse=None),
    ),
    MEMBERS: (
        Column("household", ("Mã hộ",), "Bắt buộc. Hộ trên trang “Hộ gia đình” của tệp hoặc đã có trong sổ.", True),
        Column("full_name", ("Họ tên",), "Bắt buộc.", True, _checked(cells.text, Member, "full_name")),
        Column("gender", ("Giới tính",), "Nam hoặc Nữ.", parse=cells.gender),
        Column("birth_year", ("Năm sinh",), "Bốn chữ số, ví dụ 1980.",
               parse=lambda value: cells.integer(value, minimum=1900)),
        Column("ethnic_group", ("Dân tộc",), "Bỏ trống là dân tộc của chủ hộ.", parse=None),
        Column("relation", ("Quan hệ với chủ hộ",), "Chủ hộ, Vợ/chồng, Con, Bố/mẹ, Cháu, Anh/chị/em, Khác. Mỗi hộ "
               "đúng một chủ hộ."),
        Column("national_id", ("Số CCCD", "CCCD"), "12 chữ số; không trùng với người khác."),
        Column("moved_from", ("Chuyển từ hộ", "Tách từ hộ"), "Không bắt buộc. Người đã có trong sổ chuyển sang hộ ở "
               "cột “Mã hộ”: ghi mã hộ cũ. Hộ mới trong tệp: tách hộ; hộ đã có: nhập hộ. Người được tìm trong hộ cũ "
               "theo số CCCD, hoặc họ tên và năm sinh; giữ nguyên hồ sơ và lịch sử. Ghi ngày nhập tệp."),
    ),
    REVIEWS: (
        Column("household", ("Mã hộ",), "Bắt buộc.", True),
        Column("year", ("Năm",), "Năm rà soát (đợt rà soát cuối năm đó), ví dụ 2025.", True,
               lambda value: cells.integer(value, minimum=2000, maximum=YEAR_MAX)),
        # Income and B1 are read as numbers; their limits and messages are the review's own
        # (review.assessments input rules), checked with the row.
        Column("income", ("Thu nhập bình quân",), "Đồng/người/tháng: 1.200.000 hoặc 1200000.", parse=cells.integer),
        Column("b1", ("Điểm B1",), "Điểm A (điểm thu nhập của phiếu B, cán bộ gọi là B1), nếu có; chỉ dùng khi "
               "chuẩn của năm có ngưỡng điểm A.", parse=cells.integer),
        Column("no_labour", ("Không có khả năng lao động",), LABOUR_GUIDE, parse=cells.flag_or_blank),
        Column("meritorious", ("Có người có công",), "x, 1 hoặc có = có; bỏ trống = không.", parse=cells.flag),
        Column("labour_reason", ("Lý do khả năng lao động", "Lý do KNLĐ"), "Không bắt buộc: lý do khi cột “Không "
               "có khả năng lao động” khác kết quả tính từ nhân khẩu; bỏ trống thì ghi “Theo danh sách nhập (tệp, "
               "dòng)”."),
    ),
}
# The review sheet's other columns are the year's deprivation indicators, one column each.
def indicator_guide(standard, indicators) -> tuple[str, str]:
    """The guide line of the indicator columns of `standard` ("Chỉ số 1 … Chỉ số 13" and what each is)."""
    if not indicators:
        return ("Chỉ số …", "Chưa có chuẩn nghèo cho năm này: không có cột chỉ số thiếu hụt.")
    names = "; ".join(f"{indicator.code}. {indicator.name}" for indicator in indicators)
    return (f"Chỉ số {indicators[0].code} … Chỉ số {indicators[-1].code}",
            f"{len(indicators)} chỉ số thiếu hụt của {standard.name} ({names}). Mỗi chỉ số một cột: x, 1 hoặc có = "
            "hộ thiếu hụt chỉ số đó; bỏ trống = không thiếu hụt. Điểm B (điểm thiếu hụt, cán bộ gọi là B2) = 10 "
            "điểm mỗi chỉ số thiếu hụt: không ghi, được tính từ các cột này.")


# A review row needs an income or a B1 score: the sheet needs one of these columns.
ONE_OF = {REVIEWS: ("income", "b1")}


def column(sheet, key):
    return next(item for item in COLUMNS[sheet] if item.key == key)


def label(sheet, key):
    """The header the officer sees for `key` (errors name it)."""
    return column(sheet, key).label
