"""Data entry for households and their members."""
import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse

from areas.models import AdministrativeUnit
from core.admin import (
    HidesVersionWhenReadOnly,
    ReadOnlyAdminMixin,
    ScopedHistoryAdmin,
    VersionedAdminMixin,
    VersionedFormMixin,
)
from core.text import clean_text, search_key
from households.admin_duplicates import DuplicatesMixin
from households.admin_moves import HouseholdMovesMixin, OriginFilter
from households.identity import refusing_taken_ids, taken_message
from households.models import EthnicGroup, Household, Livelihood, Member, Relation
from households.services import (
    HEAD_RULE,
    MEMBER_FIELDS,
    MOVE_RULE,
    default_livelihood,
    household_facts_notify,
    member_delete,
    member_save,
)


class RefusedSave(Exception):
    """A write refused after the forms were valid (another writer stored the same national ID meanwhile): the
    page's transaction rolls back and its messages are shown."""

    def __init__(self, texts):
        super().__init__()
        self.texts = texts


class InvalidForm(Exception):
    """A service refused a save the form had accepted: shown as a message, nothing written."""

    def __init__(self, form):
        super().__init__()
        self.form = form


class MemberInlineFormSet(BaseInlineFormSet):
    """A household has exactly one head; the household's head name and ethnic group follow that head."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        heads = [
            form for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("relation_to_head") == Relation.HEAD
        ]
        if not heads:
            raise ValidationError("Hộ phải có đúng một chủ hộ: hãy chọn “Chủ hộ” ở cột quan hệ của một nhân khẩu.")
        if len(heads) > 1:
            names = ", ".join(form.cleaned_data["full_name"] for form in heads)
            raise ValidationError(f"Hộ chỉ được có một chủ hộ (đang chọn {len(heads)}: {names}).")
        head = heads[0].cleaned_data
        self.instance.head_name = head["full_name"]
        self.instance.ethnic_group = head["ethnic_group"]


class NationalIdRule:
    """A form of a member: a national ID another member holds is refused on the field, in the words of the rule
    (households.identity) and within what the user may know."""

    acting_user = None  # set by the admin's get_form / get_formset

    def clean(self):
        cleaned = super().clean()
        household = self.instance.household_id if self.instance.household_id else None
        message = taken_message(clean_text(cleaned.get("national_id")) or None, user=self.acting_user,
                                household_id=household, member_id=self.instance.pk)
        if message:
            self.add_error("national_id", message)
        return cleaned


def told_who_acts(form_class, request):
    return type(form_class.__name__, (form_class,), {"acting_user": request.user})


class MemberInlineForm(NationalIdRule, VersionedFormMixin, forms.ModelForm):
    """A member row of the household's page; one changed by someone else since the page opened is not
    overwritten."""

    class Meta:
        model = Member
        fields = ("full_name", "relation_to_head", "gender", "birth_year", "birth_date", "ethnic_group", "national_id",
                  "has_labour_capacity", "has_disability", "is_meritorious", "is_social_protection")


class MemberInline(HidesVersionWhenReadOnly, admin.TabularInline):
    model = Member
    form = MemberInlineForm
    formset = MemberInlineFormSet
    extra = 0
    min_num = 1
    fields = (
        "full_name", "relation_to_head", "gender", "birth_year", "birth_date", "ethnic_group",
        "national_id", "has_labour_capacity", "has_disability", "is_meritorious", "is_social_protection",
        "loaded_version",
    )
    autocomplete_fields = ("ethnic_group",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = told_who_acts(formset.form, request)
        return formset


class HouseholdForm(VersionedFormMixin, forms.ModelForm):
    livelihood = forms.ChoiceField(
        label="Sinh kế chính", required=False,
        choices=[("", "— Theo xã: nông nghiệp ở xã, ngành nghề khác ở phường/thị trấn —"), *Livelihood.choices],
        help_text=Household._meta.get_field("livelihood").help_text)

    class Meta:
        model = Household
        fields = ("code", "commune", "village", "address", "phone", "status", "livelihood", "registered_on",
                  "left_on")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("livelihood"):
            commune = cleaned.get("commune") or (self.instance.commune if self.instance.commune_id else None)
            cleaned["livelihood"] = default_livelihood(commune)
            self.instance.livelihood = cleaned["livelihood"]
        return cleaned


class CommuneFilter(admin.SimpleListFilter):
    """Only the communes the user may see (the stock filter would list every commune)."""

    title = "xã/phường"
    parameter_name = "commune"
    area_field = "commune"
    level = "commune"

    def lookups(self, request, model_admin):
        return [(code, f"{name} ({code})") for code, name in self.units(request).values_list("code", "name")]

    def units(self, request):
        # Today's units: a commune merged in 2025 holds no households any more (its records moved with it).
        return AdministrativeUnit.objects.filter(level=self.level).valid_on(datetime.date.today()).visible_to(
            request.user).order_by("name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.area_field}_id": self.value()})
        return queryset


class VillageFilter(CommuneFilter):
    title = "thôn/làng"
    parameter_name = "village"
    area_field = "village"
    level = "village"

    def lookups(self, request, model_admin):
        if not request.GET.get("commune"):
            return []  # a province has thousands of villages: pick a commune first
        return super().lookups(request, model_admin)

    def units(self, request):
        # The chosen commune's villages only, read by the database (not the province's, filtered here).
        return super().units(request).filter(parent_id=request.GET["commune"])


@admin.register(Household)
class HouseholdAdmin(HouseholdMovesMixin, VersionedAdminMixin, ScopedHistoryAdmin):
    form = HouseholdForm
    inlines = [MemberInline]
    list_display = ("code", "head_name", "commune_name", "village_name", "ethnic_group", "status")
    list_select_related = ("commune", "village", "ethnic_group")
    list_filter = (CommuneFilter, VillageFilter, "ethnic_group", "status", "livelihood", OriginFilter)
    search_fields = ("code",)  # see get_search_results: one diacritic-free key covers all names
    search_help_text = "Tìm theo mã hộ, tên chủ hộ hoặc tên nhân khẩu (không cần gõ dấu)."
    autocomplete_fields = ("commune", "village")
    readonly_fields = ("head_name", "ethnic_group")

    class Media:
        js = ("js/village_picker.js",)  # after the admin's autocomplete.js: villages of the chosen commune
    fieldsets = (
        (None, {"fields": ("code", ("commune", "village"), "address", "phone", "livelihood")}),
        ("Chủ hộ (theo nhân khẩu có quan hệ “Chủ hộ”)", {"fields": (("head_name", "ethnic_group"),)}),
        ("Tình trạng", {"fields": ("status", ("registered_on", "left_on"), "loaded_version")}),
    )
    list_per_page = 50

    @admin.display(description="xã/phường", ordering="commune__name")
    def commune_name(self, obj):
        return obj.commune.name

    @admin.display(description="thôn/làng", ordering="village__name")
    def village_name(self, obj):
        return obj.village.label if obj.village else "—"

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RefusedSave as refused:
            for text in refused.texts:
                messages.error(request, text)
            return HttpResponseRedirect(request.get_full_path())

    def save_related(self, request, form, formsets, change):
        members = [f.instance for formset in formsets for f in formset.forms if f.instance.national_id]
        try:
            with refusing_taken_ids(members, user=request.user):  # an ID stored meanwhile by another writer
                super().save_related(request, form, formsets, change)
        except ValidationError as error:
            raise RefusedSave(error.messages) from error
        form.instance.refresh_search_text()
        # members or livelihood may have changed: the open rounds' assessments follow (review.services)
        household_facts_notify(household_ids=[form.instance], acting_user=request.user)


class MemberForm(NationalIdRule, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = ("household", "full_name", "gender", "birth_date", "birth_year", "ethnic_group", "national_id",
                  "has_disability", "is_meritorious", "is_social_protection", "has_labour_capacity")

    def clean(self):
        cleaned = super().clean()
        moved = self.instance.pk and "household" in self.changed_data
        if moved:  # a move is a split or a join (households.moves); a head stays with its household
            self.add_error("household", HEAD_RULE if self.instance.relation_to_head == Relation.HEAD else MOVE_RULE)
        return cleaned


@admin.register(Member)
class MemberAdmin(DuplicatesMixin, VersionedAdminMixin, ScopedHistoryAdmin):
    form = MemberForm
    list_display = ("full_name", "household", "relation_to_head", "gender", "birth_year", "ethnic_group")
    list_select_related = ("household", "ethnic_group")
    search_fields = ("full_name", "national_id", "household__code")
    autocomplete_fields = ("household", "ethnic_group")
    list_filter = ("gender", "relation_to_head")
    search_help_text = "Tìm theo tên (không cần gõ dấu) hoặc mã hộ."

    readonly_fields = ("relation_to_head",)

    def has_add_permission(self, request):
        return False  # members are added on their household's page, where the one-head rule is checked

    def get_form(self, request, obj=None, **kwargs):
        return told_who_acts(super().get_form(request, obj, **kwargs), request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete could leave households without a head
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        member = self.get_object(request, object_id)
        if member is not None and member.relation_to_head == Relation.HEAD:
            messages.error(request, "Không xoá chủ hộ ở đây: hãy đổi chủ hộ trên trang của hộ trước.")
            return HttpResponseRedirect(reverse("admin:households_member_change", args=[member.pk]))
        return super().delete_view(request, object_id, extra_context)

    def get_search_results(self, request, queryset, search_term):
        key = search_key(search_term)
        if not key:
            return queryset, False
        return queryset.filter(Q(search_name__contains=key) | Q(household__code=search_term.strip())), False

    def save_model(self, request, obj, form, change):
        # Through the service: only the fields changed on the form are applied to the stored row, both
        # households must be in the user's areas, and a head stays with its household.
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in MEMBER_FIELDS}
        try:
            saved = member_save(acting_user=request.user, member=obj, expected_version=form.cleaned_data.get(
                "loaded_version"), **changes)
        except ValidationError as error:
            form.add_error(None, error)
            raise InvalidForm(form) from error
        obj.pk, obj.version = saved.pk, saved.version

    def delete_model(self, request, obj):
        member_delete(acting_user=request.user, member=obj)  # the open rounds' assessments follow

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except InvalidForm as invalid:
            for message in invalid.form.non_field_errors():
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(EthnicGroup)
class EthnicGroupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "is_minority")
    search_fields = ("code",)

    def get_search_results(self, request, queryset, search_term):
        # the list's search and the pickers of the household and member forms (autocomplete): "xo dang" finds
        # Xơ-đăng (EthnicGroupQuerySet.matching)
        if not search_term.strip():
            return queryset, False
        return queryset & EthnicGroup.objects.matching(search_term), False
