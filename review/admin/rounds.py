"""Admin of the review rounds (their steps, by buttons and actions), their village meetings, and the
certificates the recognition issues."""
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect

from accounts.models import can_edit
from core.admin import ScopedHistoryAdmin, VersionedFormMixin
from core.errors import ConflictError
from core.formatting import vn_number
from review.calendar import LEVEL_ABOVE_NAMES, level_above
from review.meetings import MEETING_FIELDS, village_meeting_delete, village_meeting_save
from review.models import Certificate, ReviewRound, RoundStatus, VillageMeeting, villages_of
from review.models.rounds import majority_label
from review.round_guidance import missing_steps
from review.rounds import (
    APPROVE_GONE,
    STEPS_WITH_REASON,
    round_decision_correct,
    round_opinion,
    round_recognise,
    round_reopen,
    round_return,
    round_steps,
    round_submit,
)
from review.selectors import unassessed_households


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
    """The village meetings and public posting of the round, written through review.meetings (the round
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
        verdict = "thông qua" if obj.passed else f"không thông qua (cần {majority_label()} đồng ý)"
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
    from 2025 (review.calendar.level_above), by the open rounds the user sees."""
    years = ReviewRound.objects.visible_to(user).filter(status=RoundStatus.OPEN).order_by().values_list(
        "year", flat=True).distinct()
    levels = {level_above(year) for year in years}
    if len(levels) == 1:
        return f"Gửi {LEVEL_ABOVE_NAMES[levels.pop()]} các đợt đã chọn"
    return "Gửi cấp trên (huyện đến kỳ 2024, tỉnh từ kỳ 2025) các đợt đã chọn"


@admin.register(ReviewRound)
class ReviewRoundAdmin(ScopedHistoryAdmin):
    list_display = ("commune", "year", "status", "submitted_at", "opinion_date", "recognition_display",
                    "approved_at")
    list_select_related = ("commune",)
    list_filter = ("year", "status")
    search_fields = ("commune__code",)
    readonly_fields = ("commune", "year", "status", "level_above_display", "recognition_display", "decisions_display",
                       "submitted_at", "opinion_date", "opinion", "return_reason", "reopen_reason", "approved_at")
    fields = readonly_fields
    actions = ["submit_rounds"]
    inlines = [VillageMeetingInline]
    change_form_template = "admin/review/reviewround/change_form.html"

    # action -> the step of review.rounds.ROUND_STEPS it makes
    ACTION_STEPS = {"submit_rounds": "submit"}
    # button of the change page -> (service, step, what is said when done, the fields it posts)
    BUTTONS = {
        "_submit": (round_submit, "submit", "Đã báo cáo {level}.", ()),
        "_opinion": (round_opinion, "opinion", "Đã ghi ý kiến của {level}.", ("opinion_date", "opinion")),
        "_recognise": (round_recognise, "recognise", "Đã công nhận và khoá đợt rà soát.",
                       ("decision_number", "decision_date")),
        "_return": (round_return, "return", "Đã trả lại xã.", ("reason",)),
        "_reopen": (round_reopen, "reopen", "Đã mở lại đợt rà soát (các quyết định đã ghi được giữ nguyên).",
                    ("reason",)),
        "_correct": (round_decision_correct, "correct", "Đã ghi đính chính quyết định.",
                     ("decision_number", "decision_date", "note")),
    }

    @admin.display(description="quyết định công nhận")
    def recognition_display(self, obj):
        return obj.recognition_label or "–"

    @admin.display(description="các quyết định của đợt")
    def decisions_display(self, obj):
        decisions = list(obj.decisions.order_by("decision_date", "pk"))
        if not decisions:
            return "–"
        return "; ".join(f"{d}" + (f" ({d.note})" if d.note else "") for d in decisions)

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
        """Only the actions the user's role may make (review.rounds.round_steps): a commune officer is
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
            "majority_label": majority_label(),
        })
        # Which step of Decision 24 Art. 4 recognition still waits for, and where on this page it is recorded.
        context["round_blockers"] = missing_steps(request.user, obj)
        if "recognise" in steps:
            context["unassessed_count"] = unassessed_households(obj).count()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _run(self, request, queryset, service, done):
        for review_round in queryset:
            try:
                service(acting_user=request.user, review_round=review_round)
                messages.success(request, f"{done}: {review_round}")
            except (ValidationError, PermissionDenied) as error:
                text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                messages.error(request, f"{review_round}: {text}")

    @admin.action(description="Gửi cấp trên các đợt đã chọn", permissions=["change"])
    def submit_rounds(self, request, queryset):
        self._run(request, queryset, round_submit, "Đã gửi")

    def changelist_view(self, request, extra_context=None):
        """The district's "approve" action of earlier releases is gone: say what to do instead."""
        if request.method == "POST" and request.POST.get("action") == "approve_rounds":
            messages.error(request, APPROVE_GONE)
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        """Every field is read only: the round moves only through its steps (change_view). Saving the
        instance loaded with the page would write back a status another officer changed meanwhile."""

    def save_formset(self, request, form, formset, change):
        """The village meetings go through review.meetings: the round is locked and checked under the lock
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
        if request.method == "POST" and "_approve" in request.POST:  # a page of an earlier release
            messages.error(request, APPROVE_GONE)
            return HttpResponseRedirect(request.path)
        button = next((name for name in self.BUTTONS if name in request.POST), None) \
            if request.method == "POST" else None
        if button is None:
            return super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        service, step, done, posted = self.BUTTONS[button]
        kwargs = {name: request.POST.get(name, "").strip() for name in posted}
        if step == "recognise":
            kwargs["confirm_unassessed"] = request.POST.get("confirm_unassessed") in ("1", "on")
        try:
            service(acting_user=request.user, review_round=obj, **kwargs)
            messages.success(request, done.format(level=obj.level_above_name))
        except PermissionDenied as error:  # a step of another role: the message, not an error page
            messages.error(request, str(error) or "Vai trò của bạn không được thực hiện thao tác này.")
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
            if step in ("recognise", "correct"):  # back with what was typed
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
