"""The admin lists' row checkbox is written directly (a fifth of a list page's time went to its widget
template); it must stay the input Django's admin renders, or the actions' select-all script breaks."""
from django.contrib import admin as django_admin

from households.admin import HouseholdAdmin
from households.models import Household
from tests.factories import HouseholdFactory


def test_the_row_checkbox_is_the_one_django_renders(areas):
    household = HouseholdFactory(code="CB-1", commune_id="90101")
    model_admin = HouseholdAdmin(Household, django_admin.site)
    assert model_admin.action_checkbox(household) == django_admin.ModelAdmin.action_checkbox(model_admin, household)
