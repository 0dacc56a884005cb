"""A household's request on its own page (`/review/<commune>/regular/requests/<id>/`): where a Mẫu 04 request stands
(its deadline, the steps recorded and missing before a decision), the officers' form for the survey, village
meeting and posting, the chairman's written reply refusing it, and that reply printed (`…/reply/`).

Reads through the scoping door; writes through review.regular_requests.
"""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import can_edit
from core.errors import ConflictError
from review.calendar import REGULAR_DAYS_SETTING, day_count
from review.models import MAX_MEETING_ATTENDEES, ReviewRequest
from review.printouts import issuer_names
from review.regular_requests import STEP_FIELDS, regular_blockers, regular_refuse, regular_state, regular_steps_save
from review.rounds import may_recognise
from review.views import commune_or_404

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class StepsForm(forms.Form):
    surveyed_on = forms.DateField(label="Ngày khảo sát (phiếu B)", required=False, **DATE)
    meeting_date = forms.DateField(label="Ngày họp thôn", required=False, **DATE)
    attendees = forms.IntegerField(label="Số người dự họp", required=False, min_value=0,
                                   max_value=MAX_MEETING_ATTENDEES)
    in_favour = forms.IntegerField(label="Số người đồng ý", required=False, min_value=0, max_value=MAX_MEETING_ATTENDEES)
    posted_from = forms.DateField(label="Niêm yết từ ngày", required=False, **DATE)
    posted_to = forms.DateField(label="Niêm yết đến ngày", required=False, **DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RefusalForm(forms.Form):
    refused_on = forms.DateField(label="Ngày ký văn bản trả lời", **DATE)
    refusal_number = forms.CharField(label="Số văn bản", max_length=50, required=False)
    refusal_reasons = forms.CharField(label="Lý do không công nhận", widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _request_or_404(user, commune, pk):
    record = (ReviewRequest.objects.visible_to(user).with_decided().filter(pk=pk, commune=commune)
              .select_related("household", "household__village", "commune").first())
    if record is None:
        raise Http404("Không có đơn đề nghị này trong địa bàn của bạn.")
    return record


def _errors_into(form, error):
    for field, texts in (error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]):
        form.add_error(field if field in form.fields else None, texts)


def _write(form, service):
    """Run the service; its refusals land on the form. True when written."""
    try:
        service()
    except ValidationError as error:
        _errors_into(form, error)
    except (PermissionDenied, ConflictError) as error:
        form.add_error(None, str(error))
    else:
        return True
    return False


def _post(request, record):
    """The form posted, or None when it was written (the caller redirects)."""
    action = request.POST.get("action")
    if action == "steps" and can_edit(request.user):
        form = StepsForm(request.POST, prefix="steps")
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            if _write(form, lambda: regular_steps_save(acting_user=request.user, request=record,
                                                       expected_version=version, **data)):
                messages.success(request, "Đã ghi các bước rà soát thường xuyên của đơn.")
                return None
        return form
    if action == "refuse" and may_recognise(request.user):
        form = RefusalForm(request.POST, prefix="refusal")
        if form.is_valid():
            data = form.cleaned_data
            if _write(form, lambda: regular_refuse(
                    acting_user=request.user, request=record, refused_on=data["refused_on"],
                    number=data["refusal_number"], reasons=data["refusal_reasons"], expected_version=data["version"])):
                messages.success(request, "Đã ghi văn bản trả lời không công nhận: in văn bản để gửi hộ.")
                return None
        return form
    raise PermissionDenied("Tài khoản của bạn không được thực hiện thao tác này.")


@login_required
def request_page(request, commune, pk):
    commune = commune_or_404(request.user, commune)
    record = _request_or_404(request.user, commune, pk)
    posted = _post(request, record) if request.method == "POST" else None
    if request.method == "POST" and posted is None:
        return redirect(request.path)
    state = regular_state(record, decided=record.decided) if record.is_regular else None
    open_ = state is not None and state.state == "pending"
    steps_form = refusal_form = None
    if open_ and can_edit(request.user):
        steps_form = posted if isinstance(posted, StepsForm) else StepsForm(prefix="steps", initial={
            **{name: getattr(record, name) for name in STEP_FIELDS}, "version": record.version})
    if open_ and may_recognise(request.user):
        refusal_form = posted if isinstance(posted, RefusalForm) else RefusalForm(prefix="refusal", initial={
            "refused_on": timezone.localdate(), "version": record.version})
    context = {
        "commune": commune, "item": record, "state": state, "steps_form": steps_form, "refusal_form": refusal_form,
        "blockers": list(regular_blockers(record, timezone.localdate()).values()) if open_ else [],
        "recognises": may_recognise(request.user), "decision_days": day_count(REGULAR_DAYS_SETTING), "decisions": list(record.regular_reviews.order_by("effective_on")),
    }
    return render(request, "review/request.html", context)


@login_required
def refusal_reply(request, commune, pk):
    """The chairman's written reply to the household, refusing its request with the reasons (printable A4)."""
    commune = commune_or_404(request.user, commune)
    record = _request_or_404(request.user, commune, pk)
    if not record.refused_on:
        raise Http404("Đơn này chưa có văn bản trả lời không công nhận.")
    return render(request, "review/refusal.html", {"item": record, **issuer_names(commune.code, record.refused_on)})
