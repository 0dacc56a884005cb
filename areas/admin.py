import datetime

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from areas.models import AdministrativeUnit, AdministrativeUnitVersion, overlapping_period
from core.admin import ReadOnlyAdminMixin, ScopedHistoryAdmin
from core.text import search_key


class VersionFormSet(BaseInlineFormSet):
    """A unit's versions do not overlap (areas.models.overlapping_period): one state on any day."""

    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        overlap = overlapping_period([(form.cleaned_data.get("valid_from"), form.cleaned_data.get("valid_to"))
                                      for form in kept])
        if overlap is not None:
            raise ValidationError("Hai giai đoạn của đơn vị chồng lên nhau: giai đoạn trước phải kết thúc trước ngày "
                                  "giai đoạn sau bắt đầu.")


class VersionInline(admin.TabularInline):
    model = AdministrativeUnitVersion
    formset = VersionFormSet
    fk_name = "unit"
    extra = 0
    fields = ("valid_from", "valid_to", "name", "kind", "parent", "note")
    autocomplete_fields = ("parent",)


def picker_choices(queryset, params):
    """Units a form may pick today: current ones only (a merged commune is no longer a place to put a
    household), and for a village, the villages of the commune chosen beside it (static/js/village_picker.js
    sends it)."""
    queryset = queryset.valid_on(datetime.date.today())
    commune = params.get("commune")
    if params.get("field_name") == "village" and commune:
        queryset = queryset.filter(parent_id=commune)
    return queryset


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    list_display = ("code", "name", "kind", "level", "parent", "is_urban", "valid_from", "valid_to", "successor")
    list_select_related = ("parent", "successor")
    list_filter = ("level", "kind", "is_urban")
    search_fields = ("code",)
    search_help_text = "Tìm theo mã hoặc tên (không cần gõ dấu: “dak to” tìm thấy “Đắk Tô”)."
    inlines = [VersionInline]
    autocomplete_fields = ("parent", "successor")
    readonly_fields = ("is_urban",)
    fields = ("code", "name", "level", "kind", "parent", "urban_rule", "is_urban",
              ("valid_from", "valid_to"), "successor", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        if "field_name" in request.GET:  # a picker on another record's form (admin autocomplete)
            queryset = picker_choices(queryset, request.GET)
        term = search_term.strip()
        if not term:
            return queryset, False
        return (queryset.filter(code__startswith=term) | queryset.filter(search_name__contains=search_key(term))), False

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "code") if obj else fields
