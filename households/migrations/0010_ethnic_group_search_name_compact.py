"""Ethnic groups are searched by their name without hyphens and spaces (core.text.compact_key): "xo dang" and
"Xơ Đăng" find Xơ-đăng (issue 26.8). Only the stored search key changes."""
from django.db import migrations

from core.text import compact_key, search_key


def compact(apps, schema_editor):
    _recompute(apps, compact_key)


def spaced(apps, schema_editor):
    _recompute(apps, search_key)


def _recompute(apps, key):
    EthnicGroup = apps.get_model("households", "EthnicGroup")
    for group in EthnicGroup.objects.all():
        group.search_name = key(group.name)
        group.save(update_fields=["search_name"])


class Migration(migrations.Migration):
    dependencies = [("households", "0009_split_join_and_duplicates")]
    operations = [migrations.RunPython(compact, spaced)]
