"""The review admin's forms write through the services: a form's save is a service call made during validation,
and the admin of a household's review record searches, acts and saves through that form."""
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import EDITING_ROLES, role_of
from core.admin import ScopedHistoryAdmin
from core.errors import ConflictError
from households.models import Household


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


class WrittenOnceAdmin(HouseholdRecordAdminMixin, ScopedHistoryAdmin):
    """The admin of a household's procedure record (living_standard, low_income): added through its service by an
    editing role, then read only (a decision is corrected by a new record, never edited)."""

    add_fields = ()
    shown = ()

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.shown

    def get_readonly_fields(self, request, obj=None):
        return self.shown if obj is not None else ()

    def has_add_permission(self, request):
        return role_of(request.user) in EDITING_ROLES

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
