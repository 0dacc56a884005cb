"""The three poverty standards of shared/domain/poverty_standards.md, their lines and indicators, and the
common reasons for poverty. Unverified figures are entered as the domain file gives them and say so in
their note; administrators can correct them (they are data, not code)."""
from django.db import migrations

INDICATORS_2021 = [
    ("1", "Việc làm", "Việc làm"),
    ("2", "Việc làm", "Người phụ thuộc trong hộ gia đình"),
    ("3", "Y tế", "Dinh dưỡng"),
    ("4", "Y tế", "Bảo hiểm y tế"),
    ("5", "Giáo dục", "Trình độ giáo dục của người lớn"),
    ("6", "Giáo dục", "Tình trạng đi học của trẻ em"),
    ("7", "Nhà ở", "Chất lượng nhà ở"),
    ("8", "Nhà ở", "Diện tích nhà ở bình quân đầu người"),
    ("9", "Nước sinh hoạt và vệ sinh", "Nguồn nước sinh hoạt"),
    ("10", "Nước sinh hoạt và vệ sinh", "Nhà tiêu hợp vệ sinh"),
    ("11", "Thông tin", "Sử dụng dịch vụ viễn thông"),
    ("12", "Thông tin", "Phương tiện phục vụ tiếp cận thông tin"),
]
INDICATORS_2015 = [
    ("1", "Giáo dục", "Trình độ giáo dục của người lớn"),
    ("2", "Giáo dục", "Tình trạng đi học của trẻ em"),
    ("3", "Y tế", "Tiếp cận các dịch vụ y tế"),
    ("4", "Y tế", "Bảo hiểm y tế"),
    ("5", "Nhà ở", "Chất lượng nhà ở"),
    ("6", "Nhà ở", "Diện tích nhà ở bình quân đầu người"),
    ("7", "Nước sạch và vệ sinh", "Nguồn nước sinh hoạt"),
    ("8", "Nước sạch và vệ sinh", "Hố xí/nhà tiêu hợp vệ sinh"),
    ("9", "Thông tin", "Sử dụng dịch vụ viễn thông"),
    ("10", "Thông tin", "Tài sản phục vụ tiếp cận thông tin"),
]
INDICATORS_2025 = INDICATORS_2021[:11] + [
    ("12", "Thông tin", "Sử dụng dịch vụ số, tiếp cận Internet (chưa kiểm chứng)"),
    ("13", "Nước sinh hoạt và vệ sinh", "Xử lý rác thải sinh hoạt (chưa kiểm chứng)"),
]
STANDARDS = [
    {
        "code": "QD59-2015", "name": "Chuẩn nghèo tiếp cận đa chiều giai đoạn 2016–2020",
        "legal_basis": "Quyết định 59/2015/QĐ-TTg", "first_year": 2016, "last_year": 2021, "note": "",
        "lines": [("rural", 1_000_000, 700_000, None, None, 3), ("urban", 1_300_000, 900_000, None, None, 3)],
        "indicators": INDICATORS_2015,
    },
    {
        "code": "ND07-2021", "name": "Chuẩn nghèo đa chiều giai đoạn 2022–2025",
        "legal_basis": "Nghị định 07/2021/NĐ-CP (kéo dài đến hết 2026 theo Nghị định 351/2025/NĐ-CP)",
        "first_year": 2022, "last_year": 2026, "note": "Không có chuẩn tuyệt đối. B1: nông thôn 140 điểm, thành thị 175.",
        "lines": [("rural", 1_500_000, None, 2_250_000, 140, 3), ("urban", 2_000_000, None, 3_000_000, 175, 3)],
        "indicators": INDICATORS_2021,
    },
    {
        "code": "ND351-2025", "name": "Chuẩn nghèo đa chiều giai đoạn 2027–2030",
        "legal_basis": "Nghị định 351/2025/NĐ-CP", "first_year": 2027, "last_year": 2030,
        "note": "Chưa kiểm chứng: chuẩn tuyệt đối theo dự thảo (1.900.000 / 2.500.000), chuẩn cận nghèo, "
                "mức sống trung bình và danh sách chỉ số cuối cùng. Quản trị viên cập nhật khi có văn bản.",
        "lines": [("rural", 2_200_000, 1_900_000, None, None, 3), ("urban", 2_800_000, 2_500_000, None, None, 3)],
        "indicators": INDICATORS_2025,
    },
]
REASONS = [
    "Thiếu vốn sản xuất", "Thiếu đất sản xuất", "Thiếu phương tiện sản xuất", "Thiếu lao động",
    "Thiếu kiến thức, kỹ năng sản xuất", "Không có việc làm", "Đông người ăn theo", "Ốm đau, bệnh nặng, tai nạn",
    "Thiên tai, rủi ro", "Tệ nạn xã hội", "Lười lao động", "Nguyên nhân khác",
]


def load(apps, schema_editor):
    PovertyStandard = apps.get_model("households", "PovertyStandard")
    StandardLine = apps.get_model("households", "StandardLine")
    Indicator = apps.get_model("households", "Indicator")
    PovertyReason = apps.get_model("households", "PovertyReason")
    for spec in STANDARDS:
        standard, _ = PovertyStandard.objects.update_or_create(
            code=spec["code"], defaults={k: spec[k] for k in ("name", "legal_basis", "first_year", "last_year", "note")}
        )
        for area_type, income, absolute, average, b1, minimum in spec["lines"]:
            StandardLine.objects.update_or_create(
                standard=standard, area_type=area_type,
                defaults={"income_line": income, "absolute_line": absolute, "average_line": average,
                          "b1_line": b1, "min_deprivations": minimum},
            )
        for position, (code, dimension, name) in enumerate(spec["indicators"], start=1):
            Indicator.objects.update_or_create(
                standard=standard, code=code, defaults={"dimension": dimension, "name": name, "position": position}
            )
    for position, name in enumerate(REASONS, start=1):
        PovertyReason.objects.update_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("households", "0003_review")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
