"""The suspected duplicates page for officers (Nhân khẩu nghi trùng): the pairs side by side, within the user's
areas (households.duplicates), and their resolution: two people, the same person moved, or a record to correct."""
import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.models import can_edit
from areas.models import AdministrativeUnit
from areas.scoping import visible_area_codes
from households.duplicates import LIMIT, distinct_persons_record, same_person_moved, suspected_pairs
from households.models import DistinctPersons

RESOLUTIONS = {"two_people": "Hai người khác nhau", "first_moved": "Cùng một người", "second_moved": "Cùng một người"}


class ResolutionForm(forms.Form):
    first = forms.IntegerField(widget=forms.HiddenInput)
    second = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.ChoiceField(choices=list(RESOLUTIONS.items()))
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(required=False, max_length=300)


class DuplicatesMixin:
    """The member admin's page of suspected duplicates."""

    def get_urls(self):
        return [path("duplicates/", self.admin_site.admin_view(self.duplicates_view), name="households_member_duplicates"),
                *super().get_urls()]

    def duplicates_view(self, request):
        if request.method == "POST":
            return self._resolve(request)
        communes = AdministrativeUnit.objects.filter(level="commune").valid_on(datetime.date.today()).visible_to(
            request.user).order_by("name")
        commune = request.GET.get("commune") or None
        pairs, more = suspected_pairs(request.user, commune=commune)
        codes = visible_area_codes(request.user)
        decided = [(record.first if codes is None or record.first.household.commune_id in codes else record.second,
                    record) for record in DistinctPersons.objects.visible_to(request.user).select_related(
                        "first__household", "second__household", "decided_by").order_by("-decided_at")[:20]]
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "pairs": pairs, "more": more,
                   "limit": LIMIT, "communes": communes, "commune": commune, "may_resolve": can_edit(request.user),
                   "decided": decided, "title": "Nhân khẩu nghi trùng", "today": datetime.date.today()}
        return TemplateResponse(request, "admin/households/member/duplicates.html", context)

    def _resolve(self, request):
        if not can_edit(request.user):
            raise PermissionDenied("Tài khoản của bạn chỉ được xem, không được xử lý nhân khẩu nghi trùng.")
        form = ResolutionForm(request.POST)
        back = request.get_full_path()
        if not form.is_valid():
            messages.error(request, "Yêu cầu xử lý không hợp lệ: hãy tải lại trang.")
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        try:
            if data["resolution"] == "two_people":
                distinct_persons_record(acting_user=request.user, first=data["first"], second=data["second"],
                                        note=data["reason"])
                messages.success(request, "Đã ghi: hai người khác nhau (không còn hiện trong danh sách nghi trùng).")
            else:
                moving, replaced = ((data["first"], data["second"]) if data["resolution"] == "first_moved"
                                    else (data["second"], data["first"]))
                event = same_person_moved(acting_user=request.user, moving=moving, replaced=replaced,
                                          date=data["date"], reason=data["reason"])
                messages.success(request, f"Đã ghi nhập hộ ngày {event.date:%d/%m/%Y}: một người, một hồ sơ.")
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        return HttpResponseRedirect(back)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "duplicates_url": reverse("admin:households_member_duplicates")}
        return super().changelist_view(request, extra_context)
