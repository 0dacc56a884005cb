"""Admin of the average-living-standard procedure: each add page is a service call (living_standard.services) made
during the form's validation; the records are read only afterwards (a legal record is not edited or deleted)."""
from django import forms
from django.contrib import admin

from core.xlsx import xlsx_response
from living_standard.excel import recognised_list_workbook
from living_standard.models import LivingStandardDecision, LivingStandardDetermination, LivingStandardRequest
from living_standard.services import decision_record, determination_save, request_save
from review.admin.forms import ServiceFormMixin, WrittenOnceAdmin
from review.regular import may_recognise


class RequestForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = LivingStandardRequest
        fields = ("household", "requested_on", "note")

    def save_through_service(self):
        data = self.cleaned_data
        return request_save(acting_user=self.acting_user, household=data["household"],
                            requested_on=data["requested_on"], note=data.get("note") or "")


class DeterminationForm(ServiceFormMixin, forms.ModelForm):
    members = forms.IntegerField(label="số nhân khẩu", required=False, min_value=1,
                                 help_text="Để trống: số nhân khẩu của hộ hiện nay.")

    class Meta:
        model = LivingStandardDetermination
        fields = ("request", "determined_on", "members", "total_income", "social_assistance", "note")

    def save_through_service(self):
        data = self.cleaned_data
        return determination_save(
            acting_user=self.acting_user, request=data["request"], determined_on=data["determined_on"],
            total_income=data["total_income"], social_assistance=data.get("social_assistance") or 0,
            members=data.get("members"), note=data.get("note") or "")


class DecisionForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = LivingStandardDecision
        fields = ("determination", "decision_number", "decision_date", "notes")

    def save_through_service(self):
        data = self.cleaned_data
        return decision_record(acting_user=self.acting_user, determination=data["determination"],
                               decision_number=data["decision_number"], decision_date=data["decision_date"],
                               notes=data.get("notes") or "")


@admin.register(LivingStandardRequest)
class RequestAdmin(WrittenOnceAdmin):
    form = RequestForm
    list_display = ("household", "requested_on", "livelihood", "commune", "village")
    list_select_related = ("household", "commune", "village")
    list_filter = ("livelihood",)
    date_hierarchy = "requested_on"
    search_fields = ("household__code",)
    autocomplete_fields = ("household",)
    add_fields = ("household", "requested_on", "note")
    shown = ("household", "commune", "village", "requested_on", "livelihood", "note")


@admin.register(LivingStandardDetermination)
class DeterminationAdmin(WrittenOnceAdmin):
    form = DeterminationForm
    list_display = ("request", "determined_on", "members", "income_per_capita", "average_line", "meets", "commune")
    list_select_related = ("request__household", "commune")
    list_filter = ("meets",)
    search_fields = ("request__household__code",)
    add_fields = ("request", "determined_on", "members", "total_income", "social_assistance", "note")
    shown = ("request", "commune", "determined_on", "period_start", "period_end", "members", "total_income",
             "social_assistance", "income_per_capita", "standard", "is_urban", "income_line", "average_line",
             "meets", "note")

    def get_search_results(self, request, queryset, search_term):
        key = search_term.strip()
        return (queryset.filter(request__household__code__icontains=key), False) if key else (queryset, False)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "request" and field is not None:  # requests not yet determined
            field.queryset = field.queryset.filter(determination__isnull=True)
        return field


@admin.register(LivingStandardDecision)
class DecisionAdmin(WrittenOnceAdmin):
    """The commune chairman (or an administrator) recognises on the add page."""

    form = DecisionForm
    list_display = ("household", "decision_number", "decision_date", "village", "commune")
    list_select_related = ("household", "commune", "village")
    date_hierarchy = "decision_date"
    search_fields = ("household__code",)
    add_fields = ("determination", "decision_number", "decision_date", "notes")
    shown = ("household", "commune", "village", "determination", "decision_number", "decision_date", "notes")
    actions = ("export_excel",)

    @admin.action(description="Xuất danh sách hộ có mức sống trung bình (Excel)")
    def export_excel(self, request, queryset):
        rows = queryset.select_related("household", "village", "commune", "determination").order_by(
            "commune_id", "village__name", "household__code")
        return xlsx_response(recognised_list_workbook(rows), "ho-muc-song-trung-binh")

    def has_add_permission(self, request):
        return may_recognise(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "determination" and field is not None:  # met the line, not yet decided
            field.queryset = field.queryset.filter(meets=True, decision__isnull=True)
        return field
