"""The lines quoted from Nghị định 30/2025/NĐ-CP in 2025 commune plans (primary text not read): 2,250,000 đồng/month
rural, 3,000,000 urban. The start day is not confirmed (1 January 2025 here): an administrator edits the row."""
import datetime

from django.db import migrations

SOURCE = "Nghị định 30/2025/NĐ-CP (theo kế hoạch của các xã năm 2025; chưa đối chiếu văn bản gốc)"


def seed(apps, schema_editor):
    Threshold = apps.get_model("low_income", "LowIncomeThreshold")
    Threshold.objects.get_or_create(valid_from=datetime.date(2025, 1, 1), defaults={
        "rural_line": 2_250_000, "urban_line": 3_000_000, "source": SOURCE})


def unseed(apps, schema_editor):
    apps.get_model("low_income", "LowIncomeThreshold").objects.filter(
        valid_from=datetime.date(2025, 1, 1), source=SOURCE).delete()


class Migration(migrations.Migration):

    dependencies = [("low_income", "0001_low_income_workers")]

    operations = [migrations.RunPython(seed, unseed)]
