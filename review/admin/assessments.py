"""Admin of the assessments, written through review.assessments."""
import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect

from core.admin import LoadedVersionField, ScopedHistoryAdmin, VersionedAdminMixin
from review.admin.forms import HouseholdRecordAdminMixin, ServiceFormMixin
from review.assessments import assessment_delete, assessment_save, labour_derived
from review.locks import held_back_notice
from review.models import Assessment, Indicator, PovertyStandard, RoundLockedError


class AssessmentForm(ServiceFormMixin, forms.ModelForm):
    """Inputs only; the service validates them, classifies and keeps movements right."""

    deprivation_codes = forms.MultipleChoiceField(
        label="Chỉ số thiếu hụt", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Chọn các chỉ số hộ bị thiếu hụt (theo chuẩn của năm rà soát).",
    )
    loaded_version = LoadedVersionField(required=False, label="phiên bản đã mở")

    class Meta:
        model = Assessment
        fields = ("household", "year", "income_per_capita", "b1_score", "no_labour_capacity",
                  "labour_override_reason", "has_meritorious_member", "has_social_protection_member", "reasons",
                  "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The indicators of the standard the assessment's review year follows: codes mean different things
        # under different standards (code 1 is education in Decision 59, employment in Decree 07).
        standard = self._standard()
        indicators = Indicator.objects.filter(standard=standard).order_by("position") if standard else []
        self.fields["deprivation_codes"].choices = [
            (indicator.code, f"{indicator.code}. {indicator.name}") for indicator in indicators]
        if self.instance.pk:
            self.fields["deprivation_codes"].initial = self.instance.deprivation_codes
            self.fields["loaded_version"].initial = self.instance.version
            for name in ("household", "year"):
                if name in self.fields:  # absent on the read-only page of a user who may only view
                    self.fields[name].disabled = True

    def _standard(self):
        if self.instance.pk:
            return self.instance.standard
        year = self.data.get("year") if self.is_bound else None
        if not (isinstance(year, str) and year.strip().isdigit() and len(year.strip()) <= 4):
            year = datetime.date.today().year
        return PovertyStandard.objects.for_year(int(year)).first()

    # The service validates (the year's standard, the scope, the lock), classifies and saves (ServiceFormMixin).
    FIELD_OF = {"deprivations": "deprivation_codes", "review_round": None, "status": None}

    # form field -> input of review.assessments.assessment_save
    INPUTS = {"income_per_capita": "income_per_capita", "b1_score": "b1_score", "deprivation_codes": "deprivations",
              "no_labour_capacity": "no_labour_capacity", "labour_override_reason": "labour_override_reason",
              "has_meritorious_member": "has_meritorious_member",
              "has_social_protection_member": "has_social_protection_member", "reasons": "reasons",
              "notes": "notes"}

    def _given(self, name):
        """A field the submitted form carried. Checkboxes and multiple choices always count (unticked ones
        are simply absent from a POST); a text or number input absent from the POST was not on the page,
        and its stored value stays."""
        field = self.fields.get(name)
        if field is None or field.disabled:
            return False
        if not self.instance.pk:
            return True
        return not field.widget.value_omitted_from_data(self.data, self.files, self.add_prefix(name))

    def save_through_service(self):
        data = self.cleaned_data
        household = data["household"] if not self.instance.pk else self.instance.household
        year = data["year"] if not self.instance.pk else self.instance.year
        changes = {name: data.get(field) for field, name in self.INPUTS.items() if self._given(field)}
        return assessment_save(
            acting_user=self.acting_user, household=household, year=year,
            expected_version=data.get("loaded_version") if self.instance.pk else None,
            create_only=not self.instance.pk, **changes,
        )


@admin.register(Assessment)
class AssessmentAdmin(HouseholdRecordAdminMixin, VersionedAdminMixin, ScopedHistoryAdmin):
    form = AssessmentForm
    list_display = ("household", "year", "commune", "classification", "movement", "income_per_capita", "b1_score",
                    "deprivation_count")
    list_select_related = ("household", "commune")
    list_filter = ("year", "classification", "movement")
    search_fields = ("household__code",)
    autocomplete_fields = ("household",)
    # deprivation_list: shown instead of the checkboxes to a user who may only view (get_fieldsets); listed
    # here so that forms built from those fieldsets (the history's version page) do not ask the model for it.
    readonly_fields = ("classification", "movement", "commune", "village", "standard", "deprivations",
                       "labour_derived", "livelihood", "deprivation_list")
    fieldsets = (
        (None, {"fields": ("household", "year", "loaded_version")}),
        ("Thu nhập", {"fields": (("income_per_capita", "b1_score"),)}),
        ("Thiếu hụt", {"fields": ("deprivation_codes",)}),
        ("Khả năng lao động (tính từ nhân khẩu; khác kết quả tính thì ghi lý do)", {
            "fields": ("labour_derived", "no_labour_capacity", "labour_override_reason")}),
        ("Đặc điểm", {"fields": ("has_meritorious_member", "has_social_protection_member",
                                 "reasons", "notes")}),
        ("Kết quả (tính tự động)", {"fields": ("classification", "movement", "livelihood", "standard", "commune",
                                               "village")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # The read-only page of a user who may only view: no hidden version, the indicators as a list.
        swap = {"loaded_version": None, "deprivation_codes": "deprivation_list"}
        return [(name, {**options, "fields": tuple(swap.get(f, f) for f in options["fields"] if swap.get(f, f))})
                for name, options in fieldsets]

    @admin.display(description="Chỉ số thiếu hụt")
    def labour_derived(self, obj):
        if obj is None or not obj.pk:
            return "Tính khi lưu, theo năm sinh, giới tính và khả năng lao động của từng nhân khẩu."
        result = labour_derived(obj.household, obj.year)
        text = ("Không có khả năng lao động" if result.no_labour_capacity else "Có khả năng lao động")
        return f"{text} (theo nhân khẩu hiện nay, năm {obj.year}). {result.warning}".strip()

    labour_derived.short_description = "Theo nhân khẩu"

    def deprivation_list(self, obj):
        return ", ".join(obj.deprivation_codes) or "–"


    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form.saved, "held_back_rounds", None):
            messages.warning(request, held_back_notice(form.saved.held_back_rounds))

    def delete_model(self, request, obj):
        held_back = assessment_delete(acting_user=request.user, assessment=obj)
        if held_back:
            messages.warning(request, held_back_notice(held_back))

    def delete_queryset(self, request, queryset):
        """All or nothing: one selected assessment in a locked round and none is deleted."""
        locked = sorted({(a.review_round.commune_id, a.review_round.year)
                         for a in queryset.select_related("review_round") if a.review_round.is_locked})
        if locked:
            rounds = ", ".join(f"xã {commune} năm {year}" for commune, year in locked)
            raise RoundLockedError(message=(
                f"Không xoá kết quả nào: đợt rà soát {rounds} đã được công nhận và đang khoá, không thể "
                "xoá kết quả của đợt này. Hãy bỏ chọn các kết quả đó, hoặc nhờ cấp trên của xã (huyện đến kỳ 2024, "
                "tỉnh từ kỳ 2025) mở lại đợt rà soát (kèm lý do)."
            ))
        held_back = set()
        with transaction.atomic():
            for assessment in queryset:
                held_back.update(assessment_delete(acting_user=request.user, assessment=assessment))
        if held_back:
            messages.warning(request, held_back_notice(sorted(held_back, key=lambda key: (key[1], key[0]))))

    def response_action(self, request, queryset):
        """An action runs in one transaction: when it fails, nothing it did stays (the admin's own
        deletion log written before the delete included)."""
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except RoundLockedError as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, "Chưa thay đổi gì: " + "; ".join(error.messages))
        return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except RoundLockedError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect("../change/")

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except RoundLockedError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(request.get_full_path())
