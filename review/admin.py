"""Admin for standards (reference data), assessments (through the review services) and review rounds."""
import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from accounts.models import can_edit
from core.admin import (
    LoadedVersionField,
    ReadOnlyAdminMixin,
    ScopedHistoryAdmin,
    VersionedAdminMixin,
    VersionedFormMixin,
)
from core.errors import ConflictError
from core.formatting import vn_number
from core.workers import uses_workers
from households.models import Household
from review.models import (
    LEVEL_ABOVE_NAMES,
    Assessment,
    Certificate,
    Classification,
    Indicator,
    PovertyReason,
    PovertyStandard,
    RegularReview,
    ReviewRequest,
    ReviewRound,
    RoundLockedError,
    RoundStatus,
    StandardLine,
    VillageMeeting,
    level_above,
    villages_of,
)
from review.regular import (
    REGULAR_CLASSES,
    REQUEST_FIELDS,
    lists_year_of,
    may_recognise,
    regular_recognise,
    request_delete,
    request_save,
)
from review.services import (
    MEETING_FIELDS,
    STEPS_WITH_REASON,
    assessment_delete,
    assessment_save,
    held_back_notice,
    labour_derived,
    round_approve,
    round_recognise,
    round_reopen,
    round_return,
    round_steps,
    round_submit,
    unassessed_households,
    village_meeting_delete,
    village_meeting_save,
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
        if uses_workers():
            # With workers, a page to confirm the years, posting them to one re-classification job (a year of
            # a province is seconds of work: not in the admin's request).
            years = sorted({year for standard in queryset for year in _assessed_years(standard)})
            return TemplateResponse(request, "admin/review/povertystandard/reclassify.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta, "title": "Phân loại lại",
                "years": years, "standards": [standard.code for standard in queryset]})
        for standard in queryset:
            for year in _assessed_years(standard):
                try:
                    result = year_reclassify(acting_user=request.user, year=year)
                except ValidationError as error:
                    messages.error(request, "; ".join(error.messages))
                    return
                messages.success(request, f"Năm {year}: {result.changed} hộ đổi phân loại.")
                if result.held_back:
                    messages.warning(request, f"Năm {year}: {held_back_notice(result.held_back, reclassify=True)}")


def _assessed_years(standard):
    span = standard.assessments.aggregate(first=Min("year"), last=Max("year"))
    return range(span["first"], span["last"] + 1) if span["first"] is not None else range(0)


@admin.register(PovertyReason)
class PovertyReasonAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "position")


class ServiceFormMixin:
    """A form whose save is a service call made during validation, inside the admin's transaction (the
    service checks scope and lock and writes the audit trail): its errors land next to the fields (FIELD_OF
    maps a service's field to the form's), and nothing is stored."""

    acting_user = None  # set by the admin's get_form
    FIELD_OF = {}

    def _post_clean(self):
        if self.errors:
            return
        try:
            self.saved = self.save_through_service()
        except ValidationError as error:
            for field, messages_ in (error.message_dict.items() if hasattr(error, "error_dict")
                                     else [(None, error.messages)]):
                target = self.FIELD_OF.get(field, field)
                self.add_error(target if target in self.fields else None, messages_)
        except PermissionDenied as error:
            self.add_error(None, str(error) or "Tài khoản của bạn không được thực hiện thao tác này.")
        except ConflictError as error:  # a recognised round, or someone saved meanwhile
            self.add_error(None, str(error))


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

    # form field -> input of review.services.assessment_save
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


class HouseholdRecordAdminMixin:
    """The admin of a household's review record written by a service during the form's validation: searched by
    the household's code or names (within the user's scope), the form told who acts, nothing left to save."""

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

    def save_related(self, request, form, formsets, change):
        pass  # the service saved the related rows too


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
                f"Không xoá kết quả nào: đợt rà soát {rounds} đã được công nhận/phê duyệt và đang khoá, không thể "
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


class RoundReasonForm(forms.Form):
    reason = forms.CharField(label="Lý do", widget=forms.Textarea, required=True)


class VillageMeetingForm(VersionedFormMixin, forms.ModelForm):
    """One village's meeting and posting; the village of a recorded meeting stays (delete and add instead)."""

    class Meta:
        model = VillageMeeting
        fields = ("village", "meeting_date", "attendees", "in_favour", "posted_from", "posted_to", "note")

    commune_id = None  # set by the inline's get_formset: the villages offered are the round's commune's

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "village" in self.fields:
            if self.commune_id:
                self.fields["village"].queryset = villages_of(self.commune_id)
            if self.instance.pk:
                self.fields["village"].disabled = True


class VillageMeetingInline(admin.TabularInline):
    """The village meetings and public posting of the round, written through review.services (the round
    locked and checked under the lock); read only once the round is recognised, and for roles that enter
    no records."""

    model = VillageMeeting
    form = VillageMeetingForm
    extra = 0
    fields = ("village", "meeting_date", "attendees", "in_favour", "result", "posted_from", "posted_to", "note",
              "loaded_version")
    readonly_fields = ("result",)
    verbose_name = "họp thôn và niêm yết công khai"
    verbose_name_plural = "Họp thôn (biên bản) và niêm yết công khai kết quả"

    @admin.display(description="kết quả biểu quyết")
    def result(self, obj):
        if not obj or not obj.pk or not obj.attendees:
            return "–"
        verdict = "thông qua" if obj.passed else "không thông qua (không quá nửa)"
        return f"{vn_number(obj.share_in_favour, 1)} % đồng ý: {verdict}"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        form = type(formset.form.__name__, (formset.form,), {"commune_id": obj.commune_id if obj else None})
        formset.form = form
        return formset

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [name for name in fields if name != "loaded_version"]  # nothing to carry on a read-only page

    def _writable(self, request, obj):
        return obj is not None and not obj.is_locked and can_edit(request.user)

    def has_add_permission(self, request, obj=None):
        return self._writable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._writable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._writable(request, obj) and super().has_delete_permission(request, obj)


def submit_label(user):
    """The submit action names where the rounds go: the district for review years up to 2024, the province
    from 2025 (review.models.level_above), by the open rounds the user sees."""
    years = ReviewRound.objects.visible_to(user).filter(status=RoundStatus.OPEN).order_by().values_list(
        "year", flat=True).distinct()
    levels = {level_above(year) for year in years}
    if len(levels) == 1:
        return f"Gửi {LEVEL_ABOVE_NAMES[levels.pop()]} các đợt đã chọn"
    return "Gửi cấp trên (huyện đến kỳ 2024, tỉnh từ kỳ 2025) các đợt đã chọn"


@admin.register(ReviewRound)
class ReviewRoundAdmin(ScopedHistoryAdmin):
    list_display = ("commune", "year", "status", "submitted_at", "decision_number", "decision_date", "approved_at")
    list_select_related = ("commune",)
    list_filter = ("year", "status")
    search_fields = ("commune__code",)
    readonly_fields = ("commune", "year", "status", "level_above_display", "decision_number", "decision_date",
                       "return_reason", "reopen_reason", "submitted_at", "approved_at")
    fields = readonly_fields
    actions = ["submit_rounds", "approve_rounds"]
    inlines = [VillageMeetingInline]
    change_form_template = "admin/review/reviewround/change_form.html"

    # action -> the step of review.services.ROUND_STEPS it makes
    ACTION_STEPS = {"submit_rounds": "submit", "approve_rounds": "approve"}
    # button of the change page -> (service, step, what is said when done); buttons in the template
    BUTTONS = {
        "_submit": (round_submit, "submit", "Đã gửi {level}."),
        "_recognise": (round_recognise, "recognise", "Đã công nhận và khoá đợt rà soát."),
        "_approve": (round_approve, "approve", "Đã phê duyệt và khoá đợt rà soát."),
        "_return": (round_return, "return", "Đã trả lại xã."),
        "_reopen": (round_reopen, "reopen", "Đã mở lại đợt rà soát."),
    }

    @admin.display(description="cấp trên của xã (nhận báo cáo)")
    def level_above_display(self, obj):
        name = obj.level_above_name
        return f"{name.capitalize()} (kỳ rà soát năm {obj.year}" + (
            "; từ 01/07/2025 không còn cấp huyện)" if name == "tỉnh" else ")")

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
        if "submit_rounds" in actions:
            function, name, _ = actions["submit_rounds"]
            actions["submit_rounds"] = (function, name, submit_label(request.user))
        return actions

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The buttons of the steps this user may make on this round as it stands, and what recognition asks."""
        steps = round_steps(request.user, obj) if obj is not None and self.has_change_permission(request, obj) else []
        context.update({
            "round_steps": steps, "round_needs_reason": bool(set(STEPS_WITH_REASON) & set(steps)),
            "level_above_name": obj.level_above_name if obj is not None else "",
            "meetings_editable": obj is not None and VillageMeetingInline(self.model, self.admin_site)
            .has_change_permission(request, obj),
            "decision_number_value": request.GET.get("decision_number", "")[:50],
            "decision_date_value": request.GET.get("decision_date", "")[:10],
        })
        if "recognise" in steps:
            context["unassessed_count"] = unassessed_households(obj).count()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _run(self, request, queryset, service, done):
        for review_round in queryset:
            try:
                service(acting_user=request.user, review_round=review_round)
                messages.success(request, f"{done}: {review_round}")
            except ValidationError as error:
                messages.error(request, f"{review_round}: {'; '.join(error.messages)}")

    @admin.action(description="Gửi cấp trên các đợt đã chọn", permissions=["change"])
    def submit_rounds(self, request, queryset):
        self._run(request, queryset, round_submit, "Đã gửi")

    @admin.action(description="Phê duyệt (khoá) các đợt đã chọn", permissions=["change"])
    def approve_rounds(self, request, queryset):
        self._run(request, queryset, round_approve, "Đã phê duyệt")

    def save_model(self, request, obj, form, change):
        """Every field is read only: the round moves only through its steps (change_view). Saving the
        instance loaded with the page would write back a status another officer changed meanwhile."""

    def save_formset(self, request, form, formset, change):
        """The village meetings go through review.services: the round is locked and checked under the lock
        (a recognition in flight is waited for, then the save refused), a stale row refused."""
        if formset.model is not VillageMeeting:
            return super().save_formset(request, form, formset, change)
        review_round = form.instance
        # What formset.save() would have set, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for meeting_form in formset.deleted_forms:
            if meeting_form.instance.pk:
                village_meeting_delete(acting_user=request.user, meeting=meeting_form.instance)
                formset.deleted_objects.append(meeting_form.instance)
        for meeting_form in formset.forms:
            if meeting_form in formset.deleted_forms or not meeting_form.has_changed():
                continue
            data = meeting_form.cleaned_data
            stored = meeting_form.instance.pk is not None
            meeting = village_meeting_save(
                acting_user=request.user, review_round=review_round,
                village=meeting_form.instance.village_id if stored else data["village"],
                expected_version=data.get("loaded_version") if stored else None,
                **{name: data.get(name) for name in MEETING_FIELDS},
            )
            if stored:
                formset.changed_objects.append((meeting, meeting_form.changed_data))
            else:
                formset.new_objects.append(meeting)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConflictError as error:  # the round was recognised, or a meeting changed, since the page opened
            messages.error(request, f"Chưa lưu gì: {error}")
            return HttpResponseRedirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A step's button: the service decides (a button posted without being offered is refused there),
        and the page comes back with the buttons of the round's new status. A step saves nothing else of
        the page (the meetings have their own button)."""
        button = next((name for name in self.BUTTONS if name in request.POST), None) \
            if request.method == "POST" else None
        if button is None:
            return super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        service, step, done = self.BUTTONS[button]
        kwargs = {}
        if step in STEPS_WITH_REASON:
            kwargs["reason"] = request.POST.get("reason", "").strip()
        if step == "recognise":
            kwargs.update(decision_number=request.POST.get("decision_number", ""),
                          decision_date=request.POST.get("decision_date", ""),
                          confirm_unassessed=request.POST.get("confirm_unassessed") in ("1", "on"))
        try:
            service(acting_user=request.user, review_round=obj, **kwargs)
            messages.success(request, done.format(level=obj.level_above_name))
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
            if step == "recognise":  # back with what was typed
                typed = {key: request.POST.get(key, "")[:50] for key in ("decision_number", "decision_date")}
                return HttpResponseRedirect(f"{request.path}?{urlencode(typed)}")
        return HttpResponseRedirect(request.path)


# --- certificates (review.certificates issues them; nobody edits them here) ---------------------------------

@admin.register(Certificate)
class CertificateAdmin(ScopedHistoryAdmin):
    """Issued by the recognition (and by a regular recognition); a legal record, so read-only for everyone.
    The printable page is reached from the household's assessment (review:certificate)."""

    list_display = ("number", "household", "commune", "standard", "issued_on")
    list_select_related = ("household", "commune", "standard")
    list_filter = ("standard", "issued_on")
    search_fields = ("household__code", "household__head_name")
    readonly_fields = ("household", "standard", "commune", "number", "issued_on")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- requests and regular (in-year) reviews (review.regular) ---------------------------------------------------

class ReviewRequestForm(ServiceFormMixin, forms.ModelForm):
    loaded_version = LoadedVersionField(required=False, label="phiên bản đã mở")
    year = forms.IntegerField(
        label="năm rà soát", required=False, min_value=2000, max_value=2101,
        help_text="Để trống: kỳ rà soát của ngày nộp đơn (đơn nộp sau 14/12 được xét ở kỳ năm sau).")

    class Meta:
        model = ReviewRequest
        fields = ("household", "kind", "requested_on", "year", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
            if "household" in self.fields:
                self.fields["household"].disabled = True

    def save_through_service(self):
        data = {name: self.cleaned_data.get(name) for name in REQUEST_FIELDS if name in self.fields
                and not self.fields[name].disabled}
        if self.instance.pk:
            return request_save(acting_user=self.acting_user, household=self.instance.household, data=data,
                                instance=self.instance, expected_version=self.cleaned_data.get("loaded_version"))
        return request_save(acting_user=self.acting_user, household=self.cleaned_data["household"], data=data)


@admin.register(ReviewRequest)
class ReviewRequestAdmin(HouseholdRecordAdminMixin, VersionedAdminMixin, ScopedHistoryAdmin):
    """Requests to be reviewed, through review.regular (scope, the lock of a recognised review)."""

    form = ReviewRequestForm
    list_display = ("household", "kind", "requested_on", "year", "commune")
    list_select_related = ("household", "commune")
    list_filter = ("year", "kind")
    search_fields = ("household__code",)
    autocomplete_fields = ("household",)
    readonly_fields = ("commune",)
    fields = ("household", "kind", "requested_on", "year", "note", "commune", "loaded_version")


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


