"""The 54 ethnic groups with their 121-TCTK/PPCĐ (1979) codes (source: shared/domain, ethnic_groups_121_TCTK.csv)."""
import csv
from pathlib import Path

from django.db import migrations

from core.text import clean_text, search_key

DATA = Path(__file__).resolve().parent.parent / "data" / "ethnic_groups_121_TCTK.csv"


def load(apps, schema_editor):
    EthnicGroup = apps.get_model("households", "EthnicGroup")
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = clean_text(row["name"])
            EthnicGroup.objects.update_or_create(
                code=row["code"],
                defaults={"name": name, "search_name": search_key(name), "is_minority": row["is_minority"] == "true"},
            )


def unload(apps, schema_editor):
    apps.get_model("households", "EthnicGroup").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
