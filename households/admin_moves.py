"""The pages of splits and joins (tách hộ, nhập hộ) on a household's admin page, and the events' admin.

Each page is a form over the household's members (who moves, their relation to the new head); its save is the
service (households.moves), so the page refuses what the API and the import refuse, in the same words.
"""
import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from areas.models import AdministrativeUnit
from areas.scoping import can_see_area, visible_area_codes
from core.admin import ScopedHistoryAdmin
from households.models import Household, HouseholdEvent, MemberMove, MoveKind, Relation
from households.moves import events_of, household_join, household_split

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RELATIONS = [("", "— quan hệ với chủ hộ mới —"), *Relation.choices]


class MoveForm(forms.Form):
    """Date, reason, and for each member of the household: moves or not, and the relation in the new household."""

    date = forms.DateField(label="Ngày", widget=DAY, initial=datetime.date.today)
    reason = forms.CharField(label="Lý do", max_length=300, widget=forms.TextInput(attrs={"size": 60}))

    def __init__(self, *args, household, kind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.household, self.kind, self.user = household, kind, user
        self.people = list(household.members.order_by("pk"))
        if kind == MoveKind.SPLIT:
            self.fields["code"] = forms.CharField(label="Mã hộ mới", max_length=30)
            villages = AdministrativeUnit.objects.filter(parent_id=household.commune_id, level="village")
            self.fields["village"] = forms.ModelChoiceField(villages.valid_on(datetime.date.today()), required=False,
                                                            label="Thôn (bỏ trống: thôn của hộ cũ)")
            self.fields["address"] = forms.CharField(label="Địa chỉ (bỏ trống: như hộ cũ)", required=False,
                                                     max_length=300)
        else:
            self.fields["target"] = forms.CharField(label="Mã hộ đến (hộ có sẵn)", max_length=30)
        for member in self.people:
            self.fields[f"move_{member.pk}"] = forms.BooleanField(required=False, label=member.full_name,
                                                                  initial=kind == MoveKind.JOIN)
            self.fields[f"relation_{member.pk}"] = forms.ChoiceField(choices=RELATIONS, required=False,
                                                                     label="quan hệ với chủ hộ mới")

    def rows(self):
        for member in self.people:
            yield member, self[f"move_{member.pk}"], self[f"relation_{member.pk}"]

    def relations(self):
        data = self.cleaned_data
        return {m.pk: data.get(f"relation_{m.pk}") or None for m in self.people if data.get(f"move_{m.pk}")}

    def clean_target(self):
        code = self.cleaned_data["target"].strip()
        target = Household.objects.visible_to(self.user).filter(code=code).first()
        if target is None:
            raise ValidationError(f"Không có hộ mã {code} trong địa bàn của bạn.")
        return target

    def save(self):
        data = self.cleaned_data
        if self.kind == MoveKind.SPLIT:
            return household_split(acting_user=self.user, source=self.household, relations=self.relations(),
                                   date=data["date"], reason=data["reason"], code=data["code"],
                                   village=data.get("village"), address=data.get("address") or "")
        return household_join(acting_user=self.user, source=self.household, target=data["target"],
                              date=data["date"], reason=data["reason"], relations=self.relations())


FORM_FIELD = {"source": None, "commune": "code", "village": "village", "head_name": "code"}


class HouseholdMovesMixin:
    """The household admin's split and join pages and what its page says of the moves."""

    def get_urls(self):
        return [path("<int:object_id>/split/", self.admin_site.admin_view(self.split_view),
                     name="households_household_split"),
                path("<int:object_id>/join/", self.admin_site.admin_view(self.join_view),
                     name="households_household_join"),
                *super().get_urls()]

    def split_view(self, request, object_id):
        return self._move_view(request, object_id, MoveKind.SPLIT)

    def join_view(self, request, object_id):
        return self._move_view(request, object_id, MoveKind.JOIN)

    def _move_view(self, request, object_id, kind):
        household = self.get_queryset(request).filter(pk=object_id).first()
        if household is None:
            raise Http404("Không tìm thấy hộ này.")
        if not self.has_change_permission(request, household):
            raise PermissionDenied("Tài khoản của bạn chỉ được xem, không được tách, nhập hộ.")
        form = MoveForm(request.POST or None, household=household, kind=kind, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                event = form.save()
            except ValidationError as error:
                for name, texts in error.message_dict.items():
                    target = FORM_FIELD.get(name, name)
                    form.add_error(target if target in form.fields else None, texts)
            else:
                messages.success(request, f"Đã ghi {str(event).lower()}: hộ {household.code} → hộ {event.target.code}.")
                return HttpResponseRedirect(reverse("admin:households_household_change", args=[event.target_id]))
        title = f"{MoveKind(kind).label}: hộ {household.code} – {household.head_name}"
        context = {**self.admin_site.each_context(request), "form": form, "household": household, "kind": kind,
                   "opts": self.model._meta, "title": title, "original": household}
        return TemplateResponse(request, "admin/households/household/move.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        household = self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
        if household is not None:
            extra_context = {**(extra_context or {}), **moves_context(household, request.user)}
        return super().change_view(request, object_id, form_url, extra_context)


def _where(household, user):
    """A household as the user may know it: its code in their areas, else only "another unit's"."""
    return f"hộ {household.code}" if can_see_area(user, household.commune_id) else "hộ của đơn vị khác"


def moves_context(household, user) -> dict:
    """What the household's page says of its moves: where it came from, who left (when, where to), who joined."""
    origin = household.origin
    left = (MemberMove.objects.filter(event__source=household).select_related("event__target")
            .order_by("event__date", "pk"))
    joined = (MemberMove.objects.filter(event__target=household).select_related("event__source")
              .order_by("event__date", "pk"))
    return {
        "origin_note": (f"Tách từ {_where(origin.source, user)} ngày {origin.date:%d/%m/%Y}: {origin.reason}"
                        if origin else ""),
        "departures": [(m.full_name, m.event.get_kind_display(), m.event.date, _where(m.event.target, user))
                       for m in left],
        "arrivals": [(m.full_name, m.event.get_kind_display(), m.event.date, _where(m.event.source, user))
                     for m in joined if m.event.kind == MoveKind.JOIN],
        "may_move": household.status == "active" or household.members.exists(),
    }


class OriginFilter(admin.SimpleListFilter):
    """The households a split founded (Household.objects.formed_by_split), this year or any year."""

    title = "hình thành"
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [("split", "Tách từ hộ khác"), ("split_this_year", "Tách từ hộ khác trong năm nay")]

    def queryset(self, request, queryset):
        if self.value() == "split":
            return queryset.formed_by_split()
        if self.value() == "split_this_year":
            return queryset.formed_by_split(datetime.date(datetime.date.today().year, 1, 1))
        return queryset


class MemberMoveInline(admin.TabularInline):
    model = MemberMove
    fields = readonly_fields = ("full_name", "relation_before", "relation_after")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HouseholdEvent)
class HouseholdEventAdmin(ScopedHistoryAdmin):
    """Splits and joins as recorded: read only (a move is made from the household's page, the API or the
    import; a wrong one is corrected by another move)."""

    list_display = ("date", "kind", "source_shown", "target_shown", "reason")
    list_select_related = ("source", "target")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("source__code",)  # see get_search_results: only codes of households the user may see
    search_help_text = "Tìm theo mã hộ (hộ đi hoặc hộ đến)."
    fields = readonly_fields = ("kind", "date", "reason", "source_shown", "target_shown", "created_at")
    inlines = [MemberMoveInline]

    def get_search_results(self, request, queryset, search_term):
        return (events_of(queryset, search_term, request.user), False) if search_term.strip() else (queryset, False)

    def get_queryset(self, request):
        # each side named only when it is in the user's areas (the event is seen from either side)
        codes = visible_area_codes(request.user)
        seen = {side: Value(True) if codes is None else ExpressionWrapper(
            Q(**{f"{side}__commune__in": codes}), output_field=BooleanField()) for side in ("source", "target")}
        return super().get_queryset(request).annotate(source_seen=seen["source"], target_seen=seen["target"])

    @admin.display(description="hộ đi")
    def source_shown(self, obj):
        return str(obj.source) if obj.source_seen else "hộ của đơn vị khác"

    @admin.display(description="hộ đến")
    def target_shown(self, obj):
        return str(obj.target) if obj.target_seen else "hộ của đơn vị khác"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
