"""Admin of the requests to be reviewed (review.requests) and the regular (in-year) reviews (review.regular)."""
import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect

from core.admin import LoadedVersionField, ScopedHistoryAdmin, VersionedAdminMixin
from core.errors import ConflictError
from review.admin.forms import HouseholdRecordAdminMixin, ServiceFormMixin
from review.calendar import lists_year_of
from review.models import Classification, Indicator, PovertyStandard, RegularReview, ReviewRequest
from review.regular import REGULAR_CLASSES, may_recognise, regular_recognise
from review.regular_requests import STEP_FIELDS, regular_steps_save
from review.requests import REQUEST_FIELDS, request_delete, request_save


class ReviewRequestForm(ServiceFormMixin, forms.ModelForm):
    loaded_version = LoadedVersionField(required=False, label="phiên bản đã mở")
    year = forms.IntegerField(
        label="năm rà soát", required=False, min_value=2000, max_value=2101,
        help_text="Để trống: kỳ rà soát của ngày nộp đơn (đơn nộp sau 14/12 được xét ở kỳ năm sau).")

    class Meta:
        model = ReviewRequest
        fields = ("household", "kind", "procedure", "requested_on", "year", "note", *STEP_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
            if "household" in self.fields:
                self.fields["household"].disabled = True
        if "procedure" in self.fields:
            self.fields["procedure"].required = False
            self.fields["procedure"].help_text = ("Để trống: Mẫu số 01 khi đề nghị xét hộ nghèo, hộ cận nghèo nộp trong "
                                                  "kỳ rà soát định kỳ, còn lại Mẫu số 04 (rà soát thường xuyên).")

    def save_through_service(self):
        data = {name: self.cleaned_data.get(name) for name in REQUEST_FIELDS if name in self.fields
                and not self.fields[name].disabled}
        data["procedure"] = data.get("procedure") or None
        if self.instance.pk:
            saved = request_save(acting_user=self.acting_user, household=self.instance.household, data=data,
                                 instance=self.instance, expected_version=self.cleaned_data.get("loaded_version"))
        else:
            saved = request_save(acting_user=self.acting_user, household=self.cleaned_data["household"], data=data)
        steps = {name: self.cleaned_data.get(name) for name in STEP_FIELDS}
        if any(steps[name] != getattr(saved, name) for name in STEP_FIELDS):
            saved = regular_steps_save(acting_user=self.acting_user, request=saved, **steps)
        return saved


@admin.register(ReviewRequest)
class ReviewRequestAdmin(HouseholdRecordAdminMixin, VersionedAdminMixin, ScopedHistoryAdmin):
    """Requests to be reviewed, through review.regular (scope, the lock of a recognised review)."""

    form = ReviewRequestForm
    list_display = ("household", "procedure", "kind", "requested_on", "year", "commune", "refused_on")
    list_select_related = ("household", "commune")
    list_filter = ("year", "procedure", "kind")
    search_fields = ("household__code",)
    autocomplete_fields = ("household",)
    readonly_fields = ("commune", "refused_on", "refusal_number", "refusal_reasons")
    fieldsets = (
        (None, {"fields": ("household", "kind", "procedure", "requested_on", "year", "note", "commune",
                           "loaded_version")}),
        ("Các bước rà soát thường xuyên (Mẫu số 04)", {"fields": STEP_FIELDS, "description": (
            "Khảo sát, họp thôn, niêm yết công khai trước khi Chủ tịch UBND xã ra quyết định; văn bản trả lời không "
            "công nhận được ghi trên trang đơn đề nghị của xã.")}),
        ("Trả lời không công nhận", {"fields": ("refused_on", "refusal_number", "refusal_reasons")}),
    )


    def delete_model(self, request, obj):
        request_delete(acting_user=request.user, request=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all or nothing
            for review_request in queryset:
                request_delete(acting_user=request.user, request=review_request)

    def response_action(self, request, queryset):
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except (ConflictError, ValidationError) as error:
            messages.error(request, "Chưa thay đổi gì: " + "; ".join(getattr(error, "messages", [str(error)])))
        return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except (ConflictError, ValidationError) as error:
            messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
            return HttpResponseRedirect("../change/")


class RegularReviewForm(ServiceFormMixin, forms.ModelForm):
    """The chairman's recognition by a regular review (review.regular.regular_recognise)."""

    classification = forms.ChoiceField(
        label="phân loại mới", choices=[(value, Classification(value).label) for value in REGULAR_CLASSES],
        help_text="Hộ không nghèo: thoát nghèo, thoát cận nghèo.")
    deprivation_codes = forms.MultipleChoiceField(
        label="Chỉ số thiếu hụt", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Theo phiếu rà soát (nếu có), theo chuẩn của danh sách đang áp dụng.")
    FIELD_OF = {"deprivations": "deprivation_codes"}

    class Meta:
        model = RegularReview
        fields = ("household", "classification", "effective_on", "decision_number", "decision_date", "request",
                  "income_per_capita", "b1_score", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        standard = PovertyStandard.objects.for_year(lists_year_of(datetime.date.today())).first()
        indicators = Indicator.objects.filter(standard=standard).order_by("position") if standard else []
        self.fields["deprivation_codes"].choices = [(i.code, f"{i.code}. {i.name}") for i in indicators]

    def save_through_service(self):
        data = self.cleaned_data
        return regular_recognise(
            acting_user=self.acting_user, household=data["household"], classification=data["classification"],
            effective_on=data["effective_on"], decision_number=data["decision_number"],
            decision_date=data["decision_date"], request=data.get("request"),
            income_per_capita=data.get("income_per_capita"), b1_score=data.get("b1_score"),
            deprivations=data.get("deprivation_codes") or (), notes=data.get("notes") or "")


@admin.register(RegularReview)
class RegularReviewAdmin(HouseholdRecordAdminMixin, ScopedHistoryAdmin):
    """Regular (in-year) reviews: the commune chairman (or an administrator) recognises one on the add page,
    through review.regular; a recognition is a legal record, read only afterwards (not changed, not deleted)."""

    form = RegularReviewForm
    list_display = ("household", "previous_classification", "classification", "effective_on", "decision_number",
                    "decision_date", "year", "commune")
    list_select_related = ("household", "commune")
    list_filter = ("year", "classification")
    search_fields = ("household__code",)
    autocomplete_fields = ("household", "request")
    SHOWN = ("household", "commune", "village", "year", "previous_classification", "classification",
             "effective_on", "decision_number", "decision_date", "request", "income_per_capita", "b1_score",
             "deprivations", "deprivation_count", "notes")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("household", "classification", "effective_on", "decision_number", "decision_date", "request",
                    "income_per_capita", "b1_score", "deprivation_codes", "notes")
        return self.SHOWN

    def get_readonly_fields(self, request, obj=None):
        return self.SHOWN if obj is not None else ()

    def has_add_permission(self, request):
        return may_recognise(request.user)  # the chairman's, not the model permission of the officers' group

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
