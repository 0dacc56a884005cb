"""The program catalogue of shared/domain/programs.md: the National Target Program for Sustainable Poverty
Reduction 2021–2025 (Decision 90/QĐ-TTg), its projects DA1–DA7 and sub-projects, and the social policies
counted per beneficiary. Administrators add local programs in the admin."""
from django.db import migrations

NTP = "CTMTQG-GNBV"
PROGRAMS = [
    # code, parent, name, first, last, legal basis, unit
    (NTP, None, "Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021–2025", 2021, 2025,
     "Quyết định 90/QĐ-TTg ngày 18/01/2022", "dự án"),
    ("DA1", NTP, "Hỗ trợ đầu tư phát triển hạ tầng kinh tế - xã hội các huyện nghèo, các xã đặc biệt khó khăn "
     "vùng bãi ngang, ven biển và hải đảo", 2021, 2025, "Quyết định 90/QĐ-TTg", "công trình"),
    ("DA2", NTP, "Đa dạng hóa sinh kế, phát triển mô hình giảm nghèo", 2021, 2025, "Quyết định 90/QĐ-TTg", "mô hình"),
    ("DA3", NTP, "Hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng", 2021, 2025, "Quyết định 90/QĐ-TTg", "hộ"),
    ("DA3-TDA1", "DA3", "Hỗ trợ phát triển sản xuất trong lĩnh vực nông nghiệp", 2021, 2025,
     "Quyết định 90/QĐ-TTg", "hộ"),
    ("DA3-TDA2", "DA3", "Cải thiện dinh dưỡng", 2021, 2025, "Quyết định 90/QĐ-TTg", "người"),
    ("DA4", NTP, "Phát triển giáo dục nghề nghiệp, việc làm bền vững", 2021, 2025, "Quyết định 90/QĐ-TTg", "người"),
    ("DA4-TDA1", "DA4", "Phát triển giáo dục nghề nghiệp vùng nghèo, vùng khó khăn", 2021, 2025,
     "Quyết định 90/QĐ-TTg", "người"),
    ("DA4-TDA2", "DA4", "Hỗ trợ người lao động đi làm việc ở nước ngoài theo hợp đồng", 2021, 2025,
     "Quyết định 90/QĐ-TTg", "người"),
    ("DA4-TDA3", "DA4", "Hỗ trợ việc làm bền vững", 2021, 2025, "Quyết định 90/QĐ-TTg", "người"),
    ("DA5", NTP, "Hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo trên địa bàn các huyện nghèo", 2021, 2025,
     "Quyết định 90/QĐ-TTg", "căn"),
    ("DA6", NTP, "Truyền thông và giảm nghèo về thông tin", 2021, 2025, "Quyết định 90/QĐ-TTg", "lượt"),
    ("DA7", NTP, "Nâng cao năng lực và giám sát, đánh giá Chương trình", 2021, 2025, "Quyết định 90/QĐ-TTg", "lượt"),
    ("CS", None, "Chính sách hỗ trợ người nghèo, hộ nghèo", None, None, "", "lượt"),
    ("CS-MIEN-HOC-PHI", "CS", "Miễn, giảm học phí", 2021, None, "Nghị định 81/2021/NĐ-CP, điều 15–16", "lượt"),
    ("CS-CHI-PHI-HOC-TAP", "CS", "Hỗ trợ chi phí học tập", 2021, None, "Nghị định 81/2021/NĐ-CP, điều 18", "lượt"),
    ("CS-AN-TRUA-MG", "CS", "Hỗ trợ ăn trưa trẻ em mẫu giáo", 2020, None, "Nghị định 105/2020/NĐ-CP, điều 7", "lượt"),
    ("CS-BHYT", "CS", "Cấp thẻ bảo hiểm y tế", 2018, None, "Luật Bảo hiểm y tế; Nghị định 146/2018/NĐ-CP", "thẻ"),
    ("CS-VAY-VON", "CS", "Vay vốn ưu đãi Ngân hàng Chính sách xã hội", 2002, None, "Nghị định 78/2002/NĐ-CP",
     "khoản vay"),
    ("CS-NHA-O", "CS", "Hỗ trợ nhà ở", 2021, None, "Dự án 5, Chương trình MTQG giảm nghèo bền vững", "căn"),
]


def load(apps, schema_editor):
    Program = apps.get_model("programs", "Program")
    for code, parent, name, first, last, basis, unit in PROGRAMS:
        Program.objects.update_or_create(code=code, defaults={
            "parent_id": parent, "name": name, "first_year": first, "last_year": last, "legal_basis": basis,
            "unit": unit,
        })


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
