"""Admin for standards (reference data), assessments (through the review services) and review rounds."""
import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.http import HttpResponseRedirect

from core.admin import LoadedVersionField, ReadOnlyAdminMixin, ScopedHistoryAdmin, VersionedAdminMixin
from core.versioning import ConcurrentEditError
from households.models import Household
from review.models import (
    Assessment,
    Indicator,
    PovertyReason,
    PovertyStandard,
    ReviewRound,
    RoundLockedError,
    StandardLine,
)
from review.services import (
    assessment_delete,
    assessment_save,
    held_back_notice,
    round_approve,
    round_reopen,
    round_return,
    round_steps,
    round_submit,
    year_reclassify,
)


class StandardLineInline(admin.TabularInline):
    model = StandardLine
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(PovertyStandard)
class PovertyStandardAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    list_display = ("code", "name", "legal_basis", "first_year", "last_year")
    inlines = [StandardLineInline, IndicatorInline]
    actions = ["reclassify_years"]

    @admin.action(description="Phân loại lại mọi kết quả rà soát của các năm chuẩn này áp dụng (sau khi sửa chuẩn)")
    def reclassify_years(self, request, queryset):
        for standard in queryset:
            span = standard.assessments.aggregate(first=Min("year"), last=Max("year"))
            if span["first"] is None:
                continue
            for year in range(span["first"], span["last"] + 1):
                try:
                    result = year_reclassify(acting_user=request.user, year=year)
                except ValidationError as error:
                    messages.error(request, "; ".join(error.messages))
                    return
                messages.success(request, f"Năm {year}: {result.changed} hộ đổi phân loại.")
                if result.held_back:
                    messages.warning(request, f"Năm {year}: {held_back_notice(result.held_back, reclassify=True)}")


@admin.register(PovertyReason)
class PovertyReasonAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "position")


class AssessmentForm(forms.ModelForm):
    """Inputs only; the service validates them, classifies and keeps movements right."""

    deprivation_codes = forms.MultipleChoiceField(
        label="Chỉ số thiếu hụt", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Chọn các chỉ số hộ bị thiếu hụt (theo chuẩn của năm rà soát).",
    )
    loaded_version = LoadedVersionField(required=False, label="phiên bản đã mở")

    class Meta:
        model = Assessment
        fields = ("household", "year", "income_per_capita", "b1_score", "no_labour_capacity",
                  "has_meritorious_member", "has_social_protection_member", "reasons", "notes")

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

    acting_user = None  # set by the admin's get_form
    FIELD_OF = {"deprivations": "deprivation_codes", "review_round": None, "status": None}

    def _post_clean(self):
        """The service validates (the year's standard, the scope, the lock), classifies and saves, inside the
        admin's transaction; its errors land next to the fields, and nothing is stored."""
        if self.errors:
            return
        try:
            self.saved = self.save_through_service()
        except ValidationError as error:
            for field, messages_ in (error.message_dict.items() if hasattr(error, "error_dict")
                                     else [(None, error.messages)]):
                target = self.FIELD_OF.get(field, field)
                self.add_error(target if target in self.fields else None, messages_)
        except (RoundLockedError, ConcurrentEditError) as error:
            self.add_error(None, str(error))

    # form field -> input of review.services.assessment_save
    INPUTS = {"income_per_capita": "income_per_capita", "b1_score": "b1_score", "deprivation_codes": "deprivations",
              "no_labour_capacity": "no_labour_capacity", "has_meritorious_member": "has_meritorious_member",
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
class AssessmentAdmin(VersionedAdminMixin, ScopedHistoryAdmin):
    form = AssessmentForm
    list_display = ("household", "year", "commune", "classification", "movement", "income_per_capita", "b1_score",
                    "deprivation_count")
    list_select_related = ("household", "commune")
    list_filter = ("year", "classification", "movement")
    search_fields = ("household__code",)
    autocomplete_fields = ("household",)
    readonly_fields = ("classification", "movement", "commune", "village", "standard", "deprivations")
    fieldsets = (
        (None, {"fields": ("household", "year", "loaded_version")}),
        ("Thu nhập", {"fields": (("income_per_capita", "b1_score"),)}),
        ("Thiếu hụt", {"fields": ("deprivation_codes",)}),
        ("Đặc điểm", {"fields": ("no_labour_capacity", "has_meritorious_member", "has_social_protection_member",
                                 "reasons", "notes")}),
        ("Kết quả (tính tự động)", {"fields": ("classification", "movement", "standard", "commune", "village")}),
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
    def deprivation_list(self, obj):
        return ", ".join(obj.deprivation_codes) or "–"

    def get_search_results(self, request, queryset, search_term):
        key = search_term.strip()
        if not key:
            return queryset, False
        households = Household.objects.visible_to(request.user).search(key).values("pk")
        return queryset.filter(household__in=households), False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"acting_user": request.user})

    def save_model(self, request, obj, form, change):
        obj.__dict__.update(form.saved.__dict__)  # the service saved it during validation
        if getattr(form.saved, "held_back_rounds", None):
            messages.warning(request, held_back_notice(form.saved.held_back_rounds))

    def save_related(self, request, form, formsets, change):
        pass  # reasons are saved by the service

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
                f"Không xoá kết quả nào: đợt rà soát {rounds} đã được phê duyệt và đang khoá, không thể xoá "
                "kết quả của đợt này. Hãy bỏ chọn các kết quả đó, hoặc nhờ cán bộ huyện mở lại đợt rà soát "
                "(kèm lý do)."
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


class RoundReasonForm(forms.Form):
    reason = forms.CharField(label="Lý do", widget=forms.Textarea, required=True)


@admin.register(ReviewRound)
class ReviewRoundAdmin(ScopedHistoryAdmin):
    list_display = ("commune", "year", "status", "submitted_at", "approved_at")
    list_select_related = ("commune",)
    list_filter = ("year", "status")
    search_fields = ("commune__code",)
    readonly_fields = ("commune", "year", "status", "return_reason", "reopen_reason", "submitted_at", "approved_at")
    actions = ["submit_rounds", "approve_rounds"]
    change_form_template = "admin/review/reviewround/change_form.html"

    # action -> the step of review.services.ROUND_STEPS it makes
    ACTION_STEPS = {"submit_rounds": "submit", "approve_rounds": "approve"}
    # button of the change page -> (service, step, what is said when done); buttons in the template
    BUTTONS = {
        "_submit": (round_submit, "submit", "Đã gửi huyện."),
        "_approve": (round_approve, "approve", "Đã phê duyệt và khoá đợt rà soát."),
        "_return": (round_return, "return", "Đã trả lại xã."),
        "_reopen": (round_reopen, "reopen", "Đã mở lại đợt rà soát."),
    }

    def has_add_permission(self, request):
        return False  # a round opens by itself with the first assessment of its commune and year

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        """Only the actions the user's role may make (review.services.round_steps): a commune officer is
        not offered an approval the service would refuse."""
        actions = super().get_actions(request)
        allowed = set(round_steps(request.user))
        for name, step in self.ACTION_STEPS.items():
            if step not in allowed:
                actions.pop(name, None)
        return actions

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The buttons of the steps this user may make on this round as it stands."""
        steps = round_steps(request.user, obj) if obj is not None and self.has_change_permission(request, obj) else []
        context.update({"round_steps": steps, "round_needs_reason": bool({"return", "reopen"} & set(steps))})
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _run(self, request, queryset, service, done):
        for review_round in queryset:
            try:
                service(acting_user=request.user, review_round=review_round)
                messages.success(request, f"{done}: {review_round}")
            except ValidationError as error:
                messages.error(request, f"{review_round}: {'; '.join(error.messages)}")

    @admin.action(description="Gửi huyện các đợt đã chọn", permissions=["change"])
    def submit_rounds(self, request, queryset):
        self._run(request, queryset, round_submit, "Đã gửi")

    @admin.action(description="Phê duyệt (khoá) các đợt đã chọn", permissions=["change"])
    def approve_rounds(self, request, queryset):
        self._run(request, queryset, round_approve, "Đã phê duyệt")

    def save_model(self, request, obj, form, change):
        """Every field is read only: the round moves only through its steps (response_change). Saving the
        instance loaded with the page would write back a status another officer changed meanwhile."""

    def response_change(self, request, obj):
        """A step's button: the service decides (a button posted without being offered is refused there),
        and the page comes back with the buttons of the round's new status."""
        for button, (service, step, done) in self.BUTTONS.items():
            if button not in request.POST:
                continue
            kwargs = {"reason": request.POST.get("reason", "").strip()} if step in ("return", "reopen") else {}
            try:
                service(acting_user=request.user, review_round=obj, **kwargs)
                messages.success(request, done)
            except ValidationError as error:
                messages.error(request, "; ".join(error.messages))
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)
