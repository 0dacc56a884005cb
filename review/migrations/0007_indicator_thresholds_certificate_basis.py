"""Decree 351/2025's indicators as data with their thresholds, the decree each certificate cites, and the
scores and the area type named as the texts name them (issue 25, points 6, 9 and 11).

- `PovertyStandard.certificate_basis`: what Mẫu số 03 cites after "Căn cứ", one text a line: the Law on Local
  Government 2015, its 2019 amendment and the standard's own decree (Decree 07/2021 for the lists of 2022–2026,
  Decree 351/2025 for 2027–2030; the form's wording from public copies of Decision 24/2021's appendix). `legal_basis` of Decree 07's standard
  reads "(kéo dài đến hết 2026 theo Nghị định 351/2025/NĐ-CP)", which a certificate of 2022 must not cite.
- `Indicator.threshold` and `Indicator.needs_confirmation`: when a household is deprived of the indicator, and
  whether an administrator still has to confirm the wording or threshold against the decree (admin only; never
  printed). Decree 07/2021's thresholds are those of shared/domain/poverty_standards.md (its indicator 4's age
  unconfirmed). Decree 351/2025 (shared/domain/review_2026.md, secondary quotations only): information devices
  dropped, "sử dụng dịch vụ số, tiếp cận Internet" and "xử lý rác thải sinh hoạt" added — 13 indicators; no
  threshold was found, so indicators 1–11 carry Decree 07's as a starting point and every one of the 13 is
  marked for confirmation. The seeded names "… (chưa kiểm chứng)" lose that mark (it printed on the household's
  certificate); the doubt moves to `needs_confirmation`.
- Labels only: "đô thị" for the urban area type (Decree 351: "khu vực đô thị"), "điểm A"/"điểm B" beside B1/B2.

Every value is written only where it still holds what the seed wrote (or is blank), so an administrator's
corrections stand. Reverse: the names get their seeded mark back where this migration's names still hold.
"""

from django.db import migrations, models

UNCONFIRMED = " (chưa kiểm chứng)"
LAWS = ("Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015\n"
        "Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 "
        "tháng 11 năm 2019\n")
BASES = {  # one text a line, as Mẫu số 03 (Decision 24/2021/QĐ-TTg) lists them
    "QD59-2015": LAWS + "Quyết định số 59/2015/QĐ-TTg ngày 19 tháng 11 năm 2015 của Thủ tướng Chính phủ ban hành "
                        "chuẩn nghèo tiếp cận đa chiều áp dụng cho giai đoạn 2016 – 2020",
    "ND07-2021": LAWS + "Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ quy định chuẩn nghèo đa "
                        "chiều giai đoạn 2021 – 2025",
    "ND351-2025": LAWS + "Nghị định số 351/2025/NĐ-CP ngày 30 tháng 12 năm 2025 của Chính phủ quy định chuẩn nghèo "
                         "đa chiều giai đoạn 2026 – 2030",
}
# Decree 07/2021 (shared/domain/poverty_standards.md): code -> (threshold, needs confirmation)
DECREE_07 = {
    "1": ("Có ít nhất một người trong độ tuổi lao động thất nghiệp hoặc làm công hưởng lương không có hợp đồng "
          "lao động.", False),
    "2": ("Tỷ lệ người phụ thuộc trong tổng số nhân khẩu lớn hơn 50%.", False),
    "3": ("Có ít nhất một trẻ em dưới 16 tuổi bị suy dinh dưỡng thấp còi hoặc nhẹ cân.", False),
    "4": ("Có ít nhất một người từ 6 tuổi trở lên không có bảo hiểm y tế.", True),
    "5": ("Có ít nhất một người từ 16 đến 30 tuổi không tham gia các khóa đào tạo hoặc không có bằng cấp, "
          "chứng chỉ giáo dục đào tạo so với độ tuổi.", False),
    "6": ("Có ít nhất một trẻ em từ 3 tuổi đến dưới 16 tuổi không được học đúng bậc, cấp học phù hợp với độ "
          "tuổi.", False),
    "7": ("Hộ đang ở nhà có 2 trong 3 kết cấu chính (tường, cột, mái) không bền chắc.", False),
    "8": ("Diện tích nhà ở bình quân đầu người dưới 8 m².", False),
    "9": ("Hộ không tiếp cận được nguồn nước sạch.", False),
    "10": ("Hộ không có nhà tiêu hợp vệ sinh.", False),
    "11": ("Không có thành viên nào sử dụng dịch vụ điện thoại hoặc internet.", False),
    "12": ("Hộ không có phương tiện (ti vi, radio, máy tính, điện thoại) để tiếp cận thông tin.", False),
}


def _thresholds(Indicator, code, plan, confirm_all=False):
    for indicator in Indicator.objects.filter(standard__code=code, threshold=""):
        threshold, unconfirmed = plan.get(indicator.code, ("", True))
        indicator.threshold = threshold
        indicator.needs_confirmation = confirm_all or unconfirmed
        indicator.save(update_fields=["threshold", "needs_confirmation"])


def forward(apps, schema_editor):
    PovertyStandard = apps.get_model("review", "PovertyStandard")
    Indicator = apps.get_model("review", "Indicator")
    for code, basis in BASES.items():
        PovertyStandard.objects.filter(code=code, certificate_basis="").update(certificate_basis=basis)
    _thresholds(Indicator, "ND07-2021", DECREE_07)
    # Decree 351: the wording of 12 and 13 as quoted, no threshold found; 1-11 start from Decree 07's.
    _thresholds(Indicator, "ND351-2025", DECREE_07 | {"12": ("", True), "13": ("", True)}, confirm_all=True)
    for indicator in Indicator.objects.filter(standard__code="ND351-2025", name__endswith=UNCONFIRMED):
        indicator.name = indicator.name[: -len(UNCONFIRMED)]
        indicator.needs_confirmation = True
        indicator.save(update_fields=["name", "needs_confirmation"])


def backward(apps, schema_editor):
    Indicator = apps.get_model("review", "Indicator")
    seeded = {"12": "Sử dụng dịch vụ số, tiếp cận Internet", "13": "Xử lý rác thải sinh hoạt"}
    for code, name in seeded.items():
        Indicator.objects.filter(standard__code="ND351-2025", code=code, name=name).update(name=name + UNCONFIRMED)



class Migration(migrations.Migration):

    dependencies = [
        ('review', '0005_labour_livelihood_requests_regular_certificates'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpovertystandard',
            name='certificate_basis',
            field=models.TextField(blank=True, help_text='Mỗi dòng một văn bản, in sau chữ “Căn cứ” trên giấy chứng nhận hộ nghèo, hộ cận nghèo (Mẫu số 03): luật tổ chức chính quyền địa phương và văn bản quy định chuẩn nghèo.', verbose_name='căn cứ ghi trên giấy chứng nhận'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='needs_confirmation',
            field=models.BooleanField(default=False, help_text='Đánh dấu khi tên hoặc ngưỡng chưa đối chiếu được với văn bản gốc; bỏ đánh dấu sau khi xác nhận.', verbose_name='cần quản trị viên xác nhận'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='threshold',
            field=models.TextField(blank=True, help_text='Khi nào hộ thiếu hụt chỉ số này, như văn bản quy định.', verbose_name='ngưỡng thiếu hụt'),
        ),
        migrations.AddField(
            model_name='povertystandard',
            name='certificate_basis',
            field=models.TextField(blank=True, help_text='Mỗi dòng một văn bản, in sau chữ “Căn cứ” trên giấy chứng nhận hộ nghèo, hộ cận nghèo (Mẫu số 03): luật tổ chức chính quyền địa phương và văn bản quy định chuẩn nghèo.', verbose_name='căn cứ ghi trên giấy chứng nhận'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='b1_score',
            field=models.PositiveIntegerField(blank=True, help_text='Điểm A của phiếu B: điểm thu nhập (cán bộ gọi là điểm B1).', null=True, verbose_name='điểm A (điểm thu nhập, B1)'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='deprivation_count',
            field=models.PositiveSmallIntegerField(default=0, help_text='Điểm B (điểm thiếu hụt, B2) = 10 điểm mỗi chỉ số thiếu hụt; hộ nghèo khi từ 30 điểm.', verbose_name='số chỉ số thiếu hụt'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='is_urban',
            field=models.BooleanField(default=False, verbose_name='khu vực đô thị'),
        ),
        migrations.AlterField(
            model_name='historicalassessment',
            name='b1_score',
            field=models.PositiveIntegerField(blank=True, help_text='Điểm A của phiếu B: điểm thu nhập (cán bộ gọi là điểm B1).', null=True, verbose_name='điểm A (điểm thu nhập, B1)'),
        ),
        migrations.AlterField(
            model_name='historicalassessment',
            name='deprivation_count',
            field=models.PositiveSmallIntegerField(default=0, help_text='Điểm B (điểm thiếu hụt, B2) = 10 điểm mỗi chỉ số thiếu hụt; hộ nghèo khi từ 30 điểm.', verbose_name='số chỉ số thiếu hụt'),
        ),
        migrations.AlterField(
            model_name='historicalassessment',
            name='is_urban',
            field=models.BooleanField(default=False, verbose_name='khu vực đô thị'),
        ),
        migrations.AlterField(
            model_name='historicalstandardline',
            name='area_type',
            field=models.CharField(choices=[('rural', 'Nông thôn'), ('urban', 'Đô thị')], max_length=5, verbose_name='khu vực'),
        ),
        migrations.AlterField(
            model_name='historicalstandardline',
            name='b1_line',
            field=models.PositiveIntegerField(blank=True, help_text='Điểm A: điểm thu nhập của phiếu B (cán bộ gọi là điểm B1), ví dụ 140 ở nông thôn theo Thông tư 07/2021/TT-BLĐTBXH.', null=True, verbose_name='ngưỡng điểm A (điểm thu nhập, B1)'),
        ),
        migrations.AlterField(
            model_name='standardline',
            name='area_type',
            field=models.CharField(choices=[('rural', 'Nông thôn'), ('urban', 'Đô thị')], max_length=5, verbose_name='khu vực'),
        ),
        migrations.AlterField(
            model_name='standardline',
            name='b1_line',
            field=models.PositiveIntegerField(blank=True, help_text='Điểm A: điểm thu nhập của phiếu B (cán bộ gọi là điểm B1), ví dụ 140 ở nông thôn theo Thông tư 07/2021/TT-BLĐTBXH.', null=True, verbose_name='ngưỡng điểm A (điểm thu nhập, B1)'),
        ),
        migrations.AlterField(
            model_name='regularreview',
            name='b1_score',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='điểm A (điểm thu nhập, B1)'),
        ),
        migrations.AlterField(
            model_name='historicalregularreview',
            name='b1_score',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='điểm A (điểm thu nhập, B1)'),
        ),
        migrations.RunPython(forward, backward),
    ]
