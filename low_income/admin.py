"""Admin of the low-income-worker procedure: each add page is a service call (low_income.services) made during the
form's validation; the records are read only afterwards (a legal record is not edited or deleted). The lines
(LowIncomeThreshold) are reference data only administrators change."""
from django import forms
from django.contrib import admin

from core.admin import ReadOnlyAdminMixin, ScopedHistoryAdmin
from core.xlsx import xlsx_response
from low_income.excel import worker_list_workbook
from low_income.models import LowIncomeApplication, LowIncomeConfirmation, LowIncomeDetermination, LowIncomeThreshold
from low_income.services import application_save, confirmation_record, determination_save
from review.admin.forms import ServiceFormMixin, WrittenOnceAdmin
from review.regular import may_recognise


@admin.register(LowIncomeThreshold)
class ThresholdAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    list_display = ("valid_from", "valid_to", "rural_line", "urban_line", "source")
    fields = ("valid_from", "valid_to", "rural_line", "urban_line", "source")


class ApplicationForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = LowIncomeApplication
        fields = ("member", "applied_on", "note")

    def save_through_service(self):
        data = self.cleaned_data
        return application_save(acting_user=self.acting_user, member=data["member"], applied_on=data["applied_on"],
                                note=data.get("note") or "")


class DeterminationForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = LowIncomeDetermination
        fields = ("application", "determined_on", "income_per_month", "note")

    def save_through_service(self):
        data = self.cleaned_data
        return determination_save(acting_user=self.acting_user, application=data["application"],
                                  determined_on=data["determined_on"], income_per_month=data["income_per_month"],
                                  note=data.get("note") or "")


class ConfirmationForm(ServiceFormMixin, forms.ModelForm):
    class Meta:
        model = LowIncomeConfirmation
        fields = ("determination", "decision_number", "decision_date", "notes")

    def save_through_service(self):
        data = self.cleaned_data
        return confirmation_record(acting_user=self.acting_user, determination=data["determination"],
                                   decision_number=data["decision_number"], decision_date=data["decision_date"],
                                   notes=data.get("notes") or "")


@admin.register(LowIncomeApplication)
class ApplicationAdmin(WrittenOnceAdmin):
    form = ApplicationForm
    list_display = ("member", "household", "applied_on", "commune", "village")
    list_select_related = ("member", "household", "commune", "village")
    date_hierarchy = "applied_on"
    search_fields = ("household__code", "member__full_name")
    autocomplete_fields = ("member",)
    add_fields = ("member", "applied_on", "note")
    shown = ("member", "household", "commune", "village", "applied_on", "note")


@admin.register(LowIncomeDetermination)
class DeterminationAdmin(WrittenOnceAdmin):
    form = DeterminationForm
    list_display = ("application", "determined_on", "income_per_month", "income_line", "is_urban", "commune")
    list_select_related = ("application__member", "commune")
    search_fields = ("application__household__code",)
    add_fields = ("application", "determined_on", "income_per_month", "note")
    shown = ("application", "commune", "determined_on", "income_per_month", "household_class", "threshold",
             "is_urban", "income_line", "note")

    def get_search_results(self, request, queryset, search_term):
        key = search_term.strip()
        return (queryset.filter(application__household__code__icontains=key), False) if key else (queryset, False)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "application" and field is not None:  # applications not yet determined
            field.queryset = field.queryset.filter(determination__isnull=True)
        return field


@admin.register(LowIncomeConfirmation)
class ConfirmationAdmin(WrittenOnceAdmin):
    """The commune chairman (or an administrator) confirms on the add page; the list is exported from here."""

    form = ConfirmationForm
    list_display = ("member", "household", "decision_number", "decision_date", "village", "commune")
    list_select_related = ("member", "household", "commune", "village")
    date_hierarchy = "decision_date"
    search_fields = ("household__code",)
    add_fields = ("determination", "decision_number", "decision_date", "notes")
    shown = ("member", "household", "commune", "village", "determination", "decision_number", "decision_date",
             "notes")
    actions = ("export_excel",)

    @admin.action(description="Xuất danh sách người lao động có thu nhập thấp (Excel)")
    def export_excel(self, request, queryset):
        rows = queryset.select_related("member", "household", "village", "commune", "determination").order_by(
            "commune_id", "village__name", "household__code", "member__full_name")
        return xlsx_response(worker_list_workbook(rows), "lao-dong-thu-nhap-thap")

    def has_add_permission(self, request):
        return may_recognise(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "determination" and field is not None:  # determined, not yet confirmed
            field.queryset = field.queryset.filter(confirmation__isnull=True)
        return field
