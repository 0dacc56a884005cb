"""The page of a commune's requests and regular (in-year) reviews: `/review/<commune>/regular/`.

Officers record the households' requests; the commune chairman recognises a household as poor, near-poor or
out of poverty by a decision of its own. Reads through the scoping door, writes through review.requests and review.regular.
"""
import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from accounts.models import can_edit
from core.dates import DayInput
from core.errors import ConflictError
from households.models import Household
from review.calendar import REGULAR_DAYS_SETTING, day_count, lists_year_of, review_year_of
from review.models import Classification, RegularReview, RequestKind, RequestProcedure, ReviewRequest
from review.regular import REGULAR_CLASSES, may_recognise, regular_recognise
from review.regular_requests import regular_state
from review.requests import in_periodic_window, request_save
from review.views import commune_or_404

SHOWN = 200  # the newest this many of each list: a commune records a few a month


class RequestForm(forms.Form):
    household = forms.CharField(label="Mã hộ", max_length=30)
    kind = forms.ChoiceField(label="Loại đề nghị", choices=RequestKind.choices)
    procedure = forms.ChoiceField(label="Mẫu đơn", required=False,
                                  choices=[("", "Theo ngày nộp và loại đề nghị"), *RequestProcedure.choices])
    requested_on = forms.DateField(label="Ngày nộp đơn", widget=DayInput())
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)


class RecognitionForm(forms.Form):
    household = forms.CharField(label="Mã hộ", max_length=30)
    classification = forms.ChoiceField(
        label="Công nhận là", choices=[(value, Classification(value).label) for value in REGULAR_CLASSES],
        help_text="Hộ không nghèo: thoát nghèo, thoát cận nghèo.")
    effective_on = forms.DateField(label="Có hiệu lực từ ngày", widget=DayInput())
    decision_number = forms.CharField(label="Số quyết định", max_length=50)
    decision_date = forms.DateField(label="Ngày ký quyết định", widget=DayInput())
    request = forms.IntegerField(label="Đơn đề nghị (số)", required=False, min_value=1, max_value=2**62,
                                 help_text="Số của đơn trong bảng đơn đề nghị (nếu có).")
    notes = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _household(user, commune, code):
    household = Household.objects.visible_to(user).filter(code=(code or "").strip(), commune=commune).first()
    if household is None:
        raise ValidationError({"household": f"Không có hộ mã “{(code or '').strip()[:30]}” trong sổ của xã."})
    return household


def _errors_into(form, error):
    for field, texts in (error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]):
        form.add_error(field if field in form.fields else None, texts)


@login_required
def regular_page(request, commune):
    commune = commune_or_404(request.user, commune)
    today = datetime.date.today()
    recognises, edits = may_recognise(request.user), can_edit(request.user)
    request_form = RequestForm(prefix="req") if edits else None
    recognition_form = RecognitionForm(prefix="rec", initial={
        "household": request.GET.get("household", ""), "request": request.GET.get("request")}) if recognises else None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "request" and edits:
            request_form = RequestForm(request.POST, prefix="req")
            if request_form.is_valid() and _save_request(request, commune, request_form):
                return redirect(request.path)
        elif action == "recognise" and recognises:
            recognition_form = RecognitionForm(request.POST, prefix="rec")
            if recognition_form.is_valid() and _recognise(request, commune, recognition_form):
                return redirect(request.path)
        else:
            raise PermissionDenied("Tài khoản của bạn không được thực hiện thao tác này.")
    reviews = list(RegularReview.objects.visible_to(request.user).filter(commune=commune)
                   .select_related("household", "village", "request").order_by("-effective_on", "-pk")[:SHOWN])
    requests_ = [(item, regular_state(item, item.decided, today) if item.is_regular else None) for item in
                 ReviewRequest.objects.visible_to(request.user).with_decided().filter(commune=commune)
                 .select_related("household").order_by("-requested_on", "-pk")[:SHOWN]]
    context = {
        "commune": commune, "reviews": reviews, "requests": requests_, "request_form": request_form,
        "recognition_form": recognition_form, "lists_year": lists_year_of(today),
        "next_review_year": review_year_of(today), "in_window": in_periodic_window(today),
        "overdue": sum(1 for _, state in requests_ if state and state.overdue),
        "decision_days": day_count(REGULAR_DAYS_SETTING),
    }
    return render(request, "review/regular.html", context)


def _save_request(request, commune, form):
    data = form.cleaned_data
    try:
        household = _household(request.user, commune, data["household"])
        saved = request_save(acting_user=request.user, household=household, data={
            "kind": data["kind"], "requested_on": data["requested_on"], "note": data["note"],
            "procedure": data["procedure"] or None})
    except ValidationError as error:
        _errors_into(form, error)
        return False
    except ConflictError as error:
        form.add_error(None, str(error))
        return False
    if saved.is_regular:
        deadline = regular_state(saved, decided=False).deadline
        messages.success(request, f"Đã ghi đơn Mẫu số 04 của hộ {household.code} (số {saved.pk}): rà soát thường xuyên, "
                                  f"quyết định trước ngày {deadline:%d/%m/%Y}.")
    else:
        messages.success(request, f"Đã ghi đơn Mẫu số 01 của hộ {household.code}: xét trong kỳ rà soát năm {saved.year}.")
    return True


def _recognise(request, commune, form):
    data = form.cleaned_data
    try:
        household = _household(request.user, commune, data["household"])
        request_record = None
        if data.get("request"):
            request_record = ReviewRequest.objects.visible_to(request.user).filter(
                pk=data["request"], household=household).first()
            if request_record is None:
                raise ValidationError({"request": "Không có đơn đề nghị số này của hộ."})
        review = regular_recognise(
            acting_user=request.user, household=household, classification=data["classification"],
            effective_on=data["effective_on"], decision_number=data["decision_number"],
            decision_date=data["decision_date"], request=request_record, notes=data.get("notes") or "")
    except ValidationError as error:
        _errors_into(form, error)
        return False
    except PermissionDenied as error:
        form.add_error(None, str(error))
        return False
    except ConflictError as error:
        form.add_error(None, str(error))
        return False
    before = Classification(review.previous_classification).label.lower()
    messages.success(request, (
        f"Đã công nhận hộ {household.code} là {review.get_classification_display().lower()} (trước đó: {before}) từ "
        f"ngày {review.effective_on:%d/%m/%Y} theo Quyết định số {review.decision_number}."))
    return True
