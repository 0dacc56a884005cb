"""Admin building blocks shared by every app: scoping, history, optimistic locking, cheap paging."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseRedirect
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from core.versioning import ConcurrentEditError, stale_message

ESTIMATE_ABOVE = 50_000


class EstimatedCountPaginator(Paginator):
    """On PostgreSQL, an unfiltered list of a big table uses the planner's row estimate.

    Counting millions of rows on every admin page costs seconds; the estimate costs nothing. Filtered
    lists (a commune officer's, a search) stay exact: they are small and an index answers them.
    """

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if (
            connection.vendor == "postgresql"
            and query is not None
            and not query.where
            and not query.distinct
        ):
            table = self.object_list.model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
                row = cursor.fetchone()
            if row and row[0] and row[0] > ESTIMATE_ABOVE:
                return int(row[0])
        return super().count


class ScopedAdminMixin:
    """Lists, change pages, autocomplete and history only ever show rows the user may see."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.visible_to(request.user) if hasattr(queryset, "visible_to") else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return scope_choices(self, db_field, request, super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return scope_choices(self, db_field, request, super().formfield_for_manytomany(db_field, request, **kwargs))

    def action_checkbox(self, obj):
        # The same input Django's admin renders, written directly: rendering it through the form widget's
        # template took a fifth of a 50-row list page (measured, docs/benchmarks.md).
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
                           helpers.ACTION_CHECKBOX_NAME, str(obj.pk),
                           format_html(_("Select this object for an action - {}"), str(obj)))


def scope_choices(model_admin, db_field, request, field):
    """A choice field only accepts what the user may see: a posted id of another commune's row is invalid."""
    if field is None:
        return field
    if hasattr(field.queryset, "visible_to"):  # every scoped model's queryset, administrative units included
        field.queryset = field.queryset.visible_to(request.user)
    return field


class ScopedInlineMixin:
    """Inlines scope their choice fields the same way (their rows are scoped through the parent)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return scope_choices(self, db_field, request, super().formfield_for_foreignkey(db_field, request, **kwargs))


class ScopedHistoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """django-simple-history's admin, closed where it would look past the scoping door.

    Its history view falls back to the last historical copy when the live object is not in the
    queryset, and its "revert" form saves old values straight to the table. We answer 404 for
    records outside the user's scope and refuse reverts: changes go through the normal forms.
    """

    def _require_visible(self, request, object_id):
        try:
            visible = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):  # an id of the wrong shape ("abc" for a number) names nothing
            visible = False
        if not visible:
            raise Http404("Không tìm thấy bản ghi.")

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        if request.method != "GET":
            raise PermissionDenied("Không khôi phục phiên bản cũ trực tiếp; hãy sửa trên trang hồ sơ.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryValues(self.model, historical_record)


class HistoryValues(HistoricalRecordContextHelper):
    """History pages show values as the forms do: a choice by its label, yes/no, "—" for nothing
    (not "active", "True" or "Deleted … (pk=None)")."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if value in (None, "") or getattr(value, "pk", 0) is None:
            return "—"
        if isinstance(value, bool):
            return "có" if value else "không"
        field = self.model._meta.get_field(change.field)
        if getattr(field, "choices", None):
            return dict(field.flatchoices).get(value, value)
        return value


class LoadedVersionField(forms.IntegerField):
    """The version the page was opened on. Carrying it is not a change: an untouched inline row stays unsaved."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class VersionedFormMixin(forms.ModelForm):
    """Carries the version the officer loaded; a save on top of someone else's is refused (the refusal says
    when it was the officer's own save: core.versioning.stale_message)."""

    loaded_version = LoadedVersionField(required=False, label="phiên bản đã mở")
    acting_user = None  # set by the admin (VersionedAdminMixin) on the form class or per form

    def __init__(self, *args, acting_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if acting_user is not None:
            self.acting_user = acting_user
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None:
            current = type(self.instance).objects.filter(pk=self.instance.pk).values_list(
                "version", flat=True
            ).first()
            if current is not None and current != loaded:
                raise forms.ValidationError(stale_message(type(self.instance), self.instance.pk, self.acting_user),
                                            code="stale")
            self.instance.version = loaded
        return cleaned


def versioned_form_for(model, fields="__all__"):
    """A ModelForm for `model` carrying the loaded version (lost-update protection)."""
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}VersionedForm", (VersionedFormMixin, forms.ModelForm), {"Meta": meta})


class HidesVersionWhenReadOnly:
    """A read-only page (or inline) has nothing to save: no "phiên bản đã mở: —" for a leader to puzzle over."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            fieldsets = [(name, {**options, "fields": [
                tuple(f for f in field if f != "loaded_version") if isinstance(field, tuple) else field
                for field in options["fields"] if field != "loaded_version"
            ]}) for name, options in fieldsets]
        return fieldsets


class VersionedAdminMixin(HidesVersionWhenReadOnly):
    """Turns a concurrent save caught at write time into a message; the transaction rolls back. Its forms and
    inline forms know who saves, so a refusal says when the stale page was overtaken by the officer's own save."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"acting_user": request.user})

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if issubclass(inline.form, VersionedFormMixin):
            kwargs["form_kwargs"] = {**kwargs.get("form_kwargs", {}), "acting_user": request.user}
        return kwargs

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEditError as error:
            said = str(error)
            if not error.args and object_id:  # the model's own refusal: say whose save overtook the page
                said = stale_message(self.model, unquote(object_id), request.user)
            messages.error(request, said)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdminMixin:
    """Reference data that only administrators change."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def admin_site_header():
    admin.site.site_header = "Quản lý hộ nghèo, hộ cận nghèo"
    admin.site.site_title = "Hộ nghèo"
    admin.site.index_title = "Nhập liệu và tra cứu"
