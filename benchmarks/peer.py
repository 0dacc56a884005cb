"""The peer for the import benchmark: django-import-export importing the same households sheet."""
import tablib
from import_export import fields, resources, widgets
from openpyxl import load_workbook

from areas.models import AdministrativeUnit
from households.models import EthnicGroup, Household


class HouseholdResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="Mã hộ")
    head_name = fields.Field(attribute="head_name", column_name="Họ tên chủ hộ")
    commune = fields.Field(attribute="commune", column_name="Mã xã",
                           widget=widgets.ForeignKeyWidget(AdministrativeUnit, "code"))
    ethnic_group = fields.Field(attribute="ethnic_group", column_name="Dân tộc",
                                widget=widgets.ForeignKeyWidget(EthnicGroup, "code"))
    address = fields.Field(attribute="address", column_name="Địa chỉ")

    class Meta:
        model = Household
        import_id_fields = ("code",)
        fields = ("code", "head_name", "commune", "ethnic_group", "address")
        use_bulk = True
        batch_size = 2000
        skip_unchanged = True


def peer_import(path):
    sheet = load_workbook(path, read_only=True)["Hộ gia đình"]
    rows = list(sheet.iter_rows(values_only=True))
    dataset = tablib.Dataset(*[row for row in rows[1:]], headers=list(rows[0]))
    result = HouseholdResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    return result
