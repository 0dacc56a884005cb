from django.contrib import admin

from core.admin import ScopedHistoryAdmin
from reports.models import HouseholdCount


@admin.register(HouseholdCount)
class HouseholdCountAdmin(ScopedHistoryAdmin):
    list_display = ("commune", "year", "households", "ethnic_minority_households")
    list_select_related = ("commune",)
    list_filter = ("year",)
    autocomplete_fields = ("commune",)
    search_fields = ("commune__code",)
