from django.contrib import admin

from accounts.models import Officer
from areas.models import OfficerScope


@admin.register(OfficerScope)
class OfficerScopeAdmin(admin.ModelAdmin):
    list_display = ("user", "area")
    list_select_related = ("user", "area")
    autocomplete_fields = ("area",)
    search_fields = ("user__username", "area__code")


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    """Roles and areas: administrators only (other roles hold no permission on it)."""

    list_display = ("user", "role")
    list_filter = ("role",)
    list_select_related = ("user",)
    search_fields = ("user__username",)
