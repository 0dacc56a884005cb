"""A unit is found by its label as well as its name: "thôn 2" finds village "2" of kind "thôn"."""
from django.db import migrations

from core.text import search_key


def label(kind, name):  # areas.models.unit_label as of this migration
    if not kind or name.lower().startswith(kind.lower()):
        return name
    return f"{kind.capitalize()} {name}"


def forwards(apps, schema_editor):
    AdministrativeUnit = apps.get_model("areas", "AdministrativeUnit")
    units = list(AdministrativeUnit.objects.only("code", "kind", "name", "search_name"))
    for unit in units:
        unit.search_name = search_key(label(unit.kind, unit.name))
    AdministrativeUnit.objects.bulk_update(units, ["search_name"], batch_size=2000)


def backwards(apps, schema_editor):
    AdministrativeUnit = apps.get_model("areas", "AdministrativeUnit")
    units = list(AdministrativeUnit.objects.only("code", "name", "search_name"))
    for unit in units:
        unit.search_name = search_key(unit.name)
    AdministrativeUnit.objects.bulk_update(units, ["search_name"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
