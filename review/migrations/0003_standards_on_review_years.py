"""Poverty standards mapped on review years, and the 2026–2030 standard as published.

households/0004_standards seeded the standards as if a standard's years were the years its lists are in
force: Decision 59/2015 2016–2021, Decree 07/2021 2022–2026, the 2026–2030 standard 2027–2030 (named
"giai đoạn 2027–2030", with the draft "absolute line" 1,900,000 rural / 2,500,000 urban). A standard's years
are REVIEW years (shared/domain/poverty_standards.md, "Standards"): the review carried out in the autumn of
year N classifies by the standard governing N, and its lists apply in N+1. So:

- Decision 59/2015/QĐ-TTg: reviews 2015–2020 (lists 2016–2021);
- Decree 07/2021/NĐ-CP: reviews 2021–2025 (the late-2021 review already ran under it; lists 2022–2026);
- the 2026–2030 standard: reviews 2026–2029 (lists 2027–2030), poor = income ≤ 2,200,000 rural / 2,800,000
  urban AND at least 3 deprivations, near-poor = income ≤ the same line and fewer; no absolute line.

This migration corrects what the seed wrote and leaves alone what an administrator has changed since:
every value is written only while it still holds the seeded value (years, name, note, each absolute line
on its own). A corrected year range is also left unapplied if it would overlap another standard's years
(a year must map to one standard): that standard keeps its years for an administrator to settle.
The indicators of the 2026–2030 standard (Decree 07's list without its indicator 12, plus digital-service
use / internet access and household waste treatment) were seeded already; those missing by code are
created, none is changed or deleted. The final list, the decree's number, the average living standard and
B1 lines of the 2026–2030 standard are unverified against the legal text: they stay data, and the
standard's note says so.

Existing assessments keep their stored standard and class: an approved year is a legal record. Only which
standard a year maps to changes (new assessments, and saves of open rounds, follow the new mapping).
No audit-trail rows are written (a migration's historical models do not record history).

Reverse: puts back the seeded values wherever this migration's values still hold.
"""
from django.db import migrations

SEEDED_ND351_NOTE = (
    "Chưa kiểm chứng: chuẩn tuyệt đối theo dự thảo (1.900.000 / 2.500.000), chuẩn cận nghèo, "
    "mức sống trung bình và danh sách chỉ số cuối cùng. Quản trị viên cập nhật khi có văn bản."
)
ND351_NOTE = (
    "Áp dụng cho các đợt rà soát năm 2026–2029 (danh sách áp dụng năm 2027–2030). Hộ nghèo: thu nhập "
    "≤ 2.200.000 (nông thôn) / 2.800.000 (thành thị) đồng/người/tháng và thiếu hụt từ 3 chỉ số trở lên; hộ "
    "cận nghèo: thu nhập ≤ cùng chuẩn đó và thiếu hụt dưới 3 chỉ số. Không có chuẩn tuyệt đối (1.900.000 / "
    "2.500.000 chỉ là dự thảo). Chưa kiểm chứng với văn bản gốc: số hiệu Nghị định (351/2025/NĐ-CP theo tin "
    "báo chí), danh sách chỉ số cuối cùng (bỏ chỉ số 12 của Nghị định 07/2021; thêm chỉ số 12 sử dụng dịch vụ "
    "số, tiếp cận Internet và 13 xử lý rác thải sinh hoạt), chuẩn mức sống trung bình và ngưỡng điểm B1. "
    "Quản trị viên cập nhật khi có văn bản."
)

# code: (seeded value, corrected value)
YEARS = {
    "QD59-2015": ((2016, 2021), (2015, 2020)),
    "ND07-2021": ((2022, 2026), (2021, 2025)),
    "ND351-2025": ((2027, 2030), (2026, 2029)),
}
TEXTS = {
    ("ND351-2025", "name"): ("Chuẩn nghèo đa chiều giai đoạn 2027–2030", "Chuẩn nghèo đa chiều giai đoạn 2026–2030"),
    ("ND351-2025", "note"): (SEEDED_ND351_NOTE, ND351_NOTE),
}
ABSOLUTE_LINES = {  # (code, area type): (seeded draft, published)
    ("ND351-2025", "rural"): (1_900_000, None),
    ("ND351-2025", "urban"): (2_500_000, None),
}
ND351_INDICATORS = [  # Decree 07/2021's list without its indicator 12, then the two new ones (unverified)
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
    ("12", "Thông tin", "Sử dụng dịch vụ số, tiếp cận Internet (chưa kiểm chứng)"),
    ("13", "Nước sinh hoạt và vệ sinh", "Xử lý rác thải sinh hoạt (chưa kiểm chứng)"),
]


def _overlap(a, b):
    return a[0] <= b[1] and b[0] <= a[1]


def _set_years(PovertyStandard, plan):
    """Give each standard of `plan` ({code: (from, to)}) its `to` years while it still holds `from`, unless
    the new years would overlap another standard's. Returns the codes changed."""
    current = {code: (first, last) for code, first, last in
               PovertyStandard.objects.values_list("code", "first_year", "last_year")}
    moves = {code: to for code, (from_, to) in plan.items() if current.get(code) == from_}
    while True:
        final = {**current, **moves}
        clashing = {code for code in moves
                    if any(_overlap(final[code], final[other]) for other in final if other != code)}
        if not clashing:
            break
        for code in clashing:
            del moves[code]
    for code, (first, last) in moves.items():
        old_first, old_last = current[code]
        PovertyStandard.objects.filter(code=code, first_year=old_first, last_year=old_last).update(
            first_year=first, last_year=last)
    return sorted(moves)


def _set_texts(PovertyStandard, plan):
    for (code, field), (from_, to) in plan.items():
        PovertyStandard.objects.filter(code=code, **{field: from_}).update(**{field: to})


def _set_absolute_lines(StandardLine, plan):
    for (code, area_type), (from_, to) in plan.items():
        lines = StandardLine.objects.filter(standard__code=code, area_type=area_type)
        lines = lines.filter(absolute_line__isnull=True) if from_ is None else lines.filter(absolute_line=from_)
        lines.update(absolute_line=to)


def forward(apps, schema_editor):
    PovertyStandard = apps.get_model("review", "PovertyStandard")
    StandardLine = apps.get_model("review", "StandardLine")
    Indicator = apps.get_model("review", "Indicator")
    _set_years(PovertyStandard, {code: (seeded, corrected) for code, (seeded, corrected) in YEARS.items()})
    _set_texts(PovertyStandard, TEXTS)
    _set_absolute_lines(StandardLine, ABSOLUTE_LINES)
    standard = PovertyStandard.objects.filter(code="ND351-2025").first()
    if standard is not None:
        present = set(Indicator.objects.filter(standard=standard).values_list("code", flat=True))
        for position, (code, dimension, name) in enumerate(ND351_INDICATORS, start=1):
            if code not in present:
                Indicator.objects.create(standard=standard, code=code, dimension=dimension, name=name,
                                         position=position)


def backward(apps, schema_editor):
    PovertyStandard = apps.get_model("review", "PovertyStandard")
    StandardLine = apps.get_model("review", "StandardLine")
    swap = lambda plan: {key: (to, from_) for key, (from_, to) in plan.items()}  # noqa: E731
    _set_years(PovertyStandard, swap(YEARS))
    _set_texts(PovertyStandard, swap(TEXTS))
    _set_absolute_lines(StandardLine, swap(ABSOLUTE_LINES))


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_review_year_labels"),
        ("households", "0004_standards"),  # what it corrects (already before review/0001; said for the reader)
    ]
    operations = [migrations.RunPython(forward, backward)]
