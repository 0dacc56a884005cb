"""Admin screens for programs and support, scoped by area, audited, with lost-update protection."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ManyToManyField
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.template_utils import HistoricalRecordContextHelper

from areas.models import AdministrativeUnit, Level
from core.admin import (
    ReadOnlyAdminMixin,
    ScopedHistoryAdmin,
    ScopedInlineMixin,
    VersionedAdminMixin,
    versioned_form_for,
)
from core.dates import DayInput
from core.formatting import vn_number
from households.models import Household
from programs.models import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    Benefit,
    BudgetAllocation,
    Commendation,
    CommunityProject,
    CooperativeGroup,
    GroupMembership,
    Program,
    Sponsorship,
    SponsorVisit,
    Trainee,
    TrainingCourse,
)
from programs.queries import allocations_with_disbursed
from programs.selectors import benefit_candidates
from programs.services import READ_ONLY, benefit_bulk_grant, project_households_set
from review.models import Classification


@admin.register(Program)
class ProgramAdmin(ReadOnlyAdminMixin, ScopedHistoryAdmin):
    list_display = ("code", "name", "parent", "period_label", "unit", "is_local")
    list_filter = ("unit", "is_local")
    search_fields = ("code", "name")

    @admin.display(description="thời gian")
    def period_label(self, obj):
        return obj.period_label


@admin.register(BudgetAllocation)
class BudgetAllocationAdmin(ScopedHistoryAdmin):
    list_display = ("program", "year", "area", "amount", "disbursed")
    list_select_related = ("program", "area")
    list_filter = ("year",)
    autocomplete_fields = ("program", "area")
    search_fields = ("program__code", "area__code")

    @admin.display(description="đã giải ngân (đồng)")
    def disbursed(self, obj):
        return getattr(obj, "disbursed_amount", None)

    def get_queryset(self, request):
        return allocations_with_disbursed(super().get_queryset(request))


@admin.register(Benefit)
class BenefitAdmin(VersionedAdminMixin, ScopedHistoryAdmin):
    form = versioned_form_for(Benefit)
    list_display = ("program", "year", "date", "household", "member", "quantity", "amount")
    list_select_related = ("program", "household", "member")
    list_filter = ("year", "program")
    autocomplete_fields = ("household", "member", "program")
    search_fields = ("household__code",)
    date_hierarchy = "date"
    change_list_template = "admin/programs/benefit/change_list.html"

    def get_urls(self):
        return [path("bulk/", self.admin_site.admin_view(self.bulk_view), name="programs_benefit_bulk"),
                *super().get_urls()]

    def bulk_view(self, request):
        """Give one support to many households: pick → preview → confirm (one transaction)."""
        if not self.has_add_permission(request):
            raise PermissionDenied(READ_ONLY)
        form = BulkBenefitForm(request.POST or None, user=request.user)
        preview = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            recipients = benefit_candidates(
                user=request.user, year=data["year"], commune_code=data["commune"].code,
                village_code=data["village"].code if data.get("village") else None,
                classifications=data["classifications"], member_age_min=data.get("member_age_min"),
                member_age_max=data.get("member_age_max"),
            )
            if "_confirm" in request.POST:
                try:
                    created = benefit_bulk_grant(
                        acting_user=request.user, program=data["program"], year=data["year"], date=data["date"],
                        quantity=data["quantity"], amount=data["amount"], recipients=recipients,
                        note=data.get("note", ""),
                    )
                except ValidationError as error:
                    for message in sum(error.message_dict.values(), []):
                        messages.error(request, message)
                else:
                    messages.success(request, f"Đã ghi {vn_number(len(created))} lượt hỗ trợ {data['program'].code}, "
                                              f"tổng {vn_number(len(created) * data['amount'])} đồng.")
                    return HttpResponseRedirect(reverse("admin:programs_benefit_changelist"))
            preview = {"recipients": recipients, "count": len(recipients),
                       "total": len(recipients) * data["amount"]}
        context = {**self.admin_site.each_context(request), "form": form, "preview": preview,
                   "opts": self.model._meta, "title": "Cấp hỗ trợ cho nhiều hộ"}
        return TemplateResponse(request, "admin/programs/benefit/bulk.html", context)


class BulkBenefitForm(forms.Form):
    program = forms.ModelChoiceField(Program.objects.all(), label="Chương trình, chính sách")
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    date = forms.DateField(label="Ngày hỗ trợ", widget=DayInput())
    quantity = forms.IntegerField(label="Số lượng mỗi lượt", min_value=1, max_value=MAX_QUANTITY, initial=1)
    amount = forms.IntegerField(label="Số tiền mỗi lượt (đồng)", min_value=0, max_value=MAX_AMOUNT)
    commune = forms.ModelChoiceField(AdministrativeUnit.objects.communes(), label="Xã/phường")
    village = forms.ModelChoiceField(AdministrativeUnit.objects.filter(level=Level.VILLAGE), label="Thôn", required=False)
    classifications = forms.MultipleChoiceField(
        label="Chỉ hộ có kết quả rà soát năm đó là", required=False, widget=forms.CheckboxSelectMultiple,
        choices=Classification.choices)
    member_age_min = forms.IntegerField(label="Mỗi thành viên từ tuổi", required=False, min_value=0)
    member_age_max = forms.IntegerField(label="đến tuổi", required=False, min_value=0)
    note = forms.CharField(label="Ghi chú", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = self.fields["commune"].queryset.visible_to(user)
        self.fields["village"].queryset = self.fields["village"].queryset.visible_to(user)

    def clean(self):
        data = super().clean()
        low, high = data.get("member_age_min"), data.get("member_age_max")
        if low is not None and high is not None and high < low:
            self.add_error("member_age_max", "Tuổi tối đa phải lớn hơn tuổi tối thiểu.")
        village, commune = data.get("village"), data.get("commune")
        if village and commune and village.parent_id != commune.code:
            self.add_error("village", "Thôn này không thuộc xã đã chọn.")
        program, year = data.get("program"), data.get("year")
        if program and year and not program.covers(year):
            self.add_error("year", f"Năm {year} nằm ngoài thời gian của {program.code} ({program.period_label}).")
        return data


class CommunityProjectForm(versioned_form_for(CommunityProject)):
    """Shows and saves only the households the officer may see; project_households_set keeps the others."""

    acting_user = None  # set per request by CommunityProjectAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "households" in self.fields:
            self.initial["households"] = self.instance.households_visible_to(self.acting_user)

    def _save_m2m(self):
        households = self.cleaned_data.pop("households", None)
        try:
            super()._save_m2m()
        finally:
            if households is not None:
                self.cleaned_data["households"] = households
        if households is not None:
            project_households_set(project=self.instance, households=households, acting_user=self.acting_user)


class VisibleHouseholdsHistory(HistoricalRecordContextHelper):
    """History deltas of a project list only the households the user may see (a change only to the others
    is not listed)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def prepare_delta_change_value(self, change, value):
        shown = super().prepare_delta_change_value(change, value)
        if isinstance(self.model._meta.get_field(change.field), ManyToManyField):
            visible = set(Household.objects.visible_to(self.user).filter(
                pk__in=[getattr(h, "pk", None) for h in shown]).values_list("pk", flat=True))
            shown = [h for h in shown if getattr(h, "pk", None) in visible]
        return shown

    def context_for_delta_changes(self, delta):
        return [row for row in super().context_for_delta_changes(delta) if row["old"] != row["new"]]


@admin.register(CommunityProject)
class CommunityProjectAdmin(VersionedAdminMixin, ScopedHistoryAdmin):
    form = CommunityProjectForm
    list_display = ("name", "program", "commune", "year", "budget", "household_count")
    list_select_related = ("program", "commune")
    list_filter = ("year", "program")
    autocomplete_fields = ("program", "commune", "households")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_part_counts(request.user)  # the user's part, as the page shows

    @admin.display(description="số hộ tham gia", ordering="household_total")
    def household_count(self, obj):
        return obj.household_total

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"acting_user": request.user})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.households_shown = obj.households_visible_to(request.user)
        return obj

    def get_fields(self, request, obj=None):
        """A read-only page (a leader's) would list every household of the field: show the visible ones."""
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            fields = ["visible_households" if name == "households" else name for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return (*fields, "visible_households")  # so no form (the history's version page included) asks for it
        return fields

    @admin.display(description="hộ tham gia")
    def visible_households(self, obj):
        return ", ".join(str(household) for household in getattr(obj, "households_shown", []))

    def get_historical_record_context_helper(self, request, historical_record):
        return VisibleHouseholdsHistory(self.model, historical_record, user=request.user)


class VisiblePartInlineMixin(ScopedInlineMixin):
    """The rows of a record spanning communes that the user may see; the others are neither shown nor saved."""

    def get_queryset(self, request):
        return super().get_queryset(request).parts_visible_to(request.user)


class MembershipInline(VisiblePartInlineMixin, admin.TabularInline):
    model = GroupMembership
    extra = 0
    autocomplete_fields = ("household",)


@admin.register(CooperativeGroup)
class CooperativeGroupAdmin(VersionedAdminMixin, ScopedHistoryAdmin):
    form = versioned_form_for(CooperativeGroup)
    list_display = ("name", "commune", "founded_on", "activity", "member_count")
    list_select_related = ("commune",)
    autocomplete_fields = ("commune",)
    inlines = [MembershipInline]
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_part_counts(request.user)

    @admin.display(description="số thành viên", ordering="members_total")
    def member_count(self, obj):
        return obj.members_total


class TraineeInline(VisiblePartInlineMixin, admin.TabularInline):
    model = Trainee
    extra = 0
    autocomplete_fields = ("member",)


@admin.register(TrainingCourse)
class TrainingCourseAdmin(VersionedAdminMixin, ScopedHistoryAdmin):
    form = versioned_form_for(TrainingCourse)
    list_display = ("name", "trade", "year", "commune", "program", "enrolled", "graduated")
    list_select_related = ("commune", "program")
    list_filter = ("year",)
    autocomplete_fields = ("program", "commune")
    inlines = [TraineeInline]
    search_fields = ("name", "trade")

    def get_queryset(self, request):
        return super().get_queryset(request).with_part_counts(request.user)

    @admin.display(description="học viên", ordering="enrolled_total")
    def enrolled(self, obj):
        return obj.enrolled_total

    @admin.display(description="tốt nghiệp", ordering="graduated_total")
    def graduated(self, obj):
        return obj.graduated_total


@admin.register(Commendation)
class CommendationAdmin(ScopedHistoryAdmin):
    list_display = ("household", "year", "issuer", "decision_number", "date")
    list_select_related = ("household",)
    list_filter = ("year",)
    autocomplete_fields = ("household",)
    search_fields = ("household__code", "decision_number")


class VisitInline(admin.TabularInline):
    model = SponsorVisit
    extra = 0


@admin.register(Sponsorship)
class SponsorshipAdmin(ScopedHistoryAdmin):
    list_display = ("sponsor_name", "sponsor_kind", "household", "since", "until")
    list_select_related = ("household",)
    list_filter = ("sponsor_kind",)
    autocomplete_fields = ("household", "sponsor_household")
    inlines = [VisitInline]
    search_fields = ("sponsor_name", "household__code")

