"""A programme's short name: what a chart's axis shows under its bar (programs.models.catalogue.short_name)."""
import pytest

from programs.models import short_name


@pytest.mark.parametrize("name,short", [
    ("Cải thiện dinh dưỡng", "Cải thiện dinh dưỡng"),
    ("Hỗ trợ ăn trưa trẻ em mẫu giáo", "Hỗ trợ ăn trưa trẻ em mẫu giáo"),  # 30 characters: whole
    ("Hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng", "Hỗ trợ phát triển sản xuất…"),  # no comma left
    ("Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021–2025", "Chương trình mục tiêu quốc…"),
    ("  Vay vốn   ưu đãi\nNgân hàng Chính sách xã hội ", "Vay vốn ưu đãi Ngân hàng…"),
    ("Mộtchươngtrìnhcótênrấtdàikhôngcókhoảngtrắngnào", "Mộtchươngtrìnhcótênrấtdàikhôn…"),
])
def test_a_long_name_is_cut_after_a_word(name, short):
    assert short_name(name) == short
    assert len(short_name(name)) <= 30
