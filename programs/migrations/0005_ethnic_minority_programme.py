"""The National Target Programme for the socio-economic development of ethnic-minority and mountainous areas
(Decision 1719/QĐ-TTg of 14/10/2021, phase I 2021–2025), which Kon Tum's districts report beside the poverty
programme, with its ten projects. Names as in the decision; administrators correct them in the admin (data)."""
from django.db import migrations

NTP = "CTMTQG-1719"
BASIS = "Quyết định 1719/QĐ-TTg ngày 14/10/2021"
PROGRAMS = [
    # code, parent, name, unit
    (NTP, None, "Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và "
     "miền núi giai đoạn 2021–2030, giai đoạn I: 2021–2025", "dự án"),
    ("1719-DA1", NTP, "Giải quyết tình trạng thiếu đất ở, nhà ở, đất sản xuất, nước sinh hoạt", "hộ"),
    ("1719-DA2", NTP, "Quy hoạch, sắp xếp, bố trí, ổn định dân cư ở những nơi cần thiết", "hộ"),
    ("1719-DA3", NTP, "Phát triển sản xuất nông, lâm nghiệp bền vững, phát huy tiềm năng, thế mạnh của các vùng "
     "miền để sản xuất hàng hóa theo chuỗi giá trị", "hộ"),
    ("1719-DA4", NTP, "Đầu tư cơ sở hạ tầng thiết yếu, phục vụ sản xuất, đời sống trong vùng đồng bào dân tộc "
     "thiểu số và miền núi", "công trình"),
    ("1719-DA5", NTP, "Phát triển giáo dục đào tạo nâng cao chất lượng nguồn nhân lực", "người"),
    ("1719-DA6", NTP, "Bảo tồn, phát huy giá trị văn hóa truyền thống tốt đẹp của các dân tộc thiểu số gắn với "
     "phát triển du lịch", "mô hình"),
    ("1719-DA7", NTP, "Chăm sóc sức khỏe Nhân dân, nâng cao thể trạng, tầm vóc người dân tộc thiểu số; phòng "
     "chống suy dinh dưỡng trẻ em", "người"),
    ("1719-DA8", NTP, "Thực hiện bình đẳng giới và giải quyết những vấn đề cấp thiết đối với phụ nữ và trẻ em",
     "lượt"),
    ("1719-DA9", NTP, "Đầu tư phát triển nhóm dân tộc thiểu số rất ít người và nhóm dân tộc còn nhiều khó khăn",
     "hộ"),
    ("1719-DA10", NTP, "Truyền thông, tuyên truyền, vận động trong vùng đồng bào dân tộc thiểu số và miền núi; "
     "kiểm tra, giám sát, đánh giá việc tổ chức thực hiện Chương trình", "lượt"),
]


def load(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    for code, parent, name, unit in PROGRAMS:
        Program.objects.update_or_create(code=code, defaults={
            "parent_id": parent, "name": name, "first_year": 2021, "last_year": 2025, "legal_basis": BASIS,
            "unit": unit,
        })


def unload(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    codes = [code for code, *_ in PROGRAMS]
    Program.objects.filter(code__in=codes, parent__isnull=False).delete()
    Program.objects.filter(code=NTP).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_amount_budget_quantity_maximums")]
    operations = [migrations.RunPython(load, unload)]
