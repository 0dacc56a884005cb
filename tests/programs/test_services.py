"""Programme services (programs.services): the bulk grant refuses a read-only role by role (403 with the
message), in the service and on the admin's page, before its form is looked at."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied

from programs.models import Benefit, Program
from programs.services import READ_ONLY, benefit_bulk_grant
from tests.factories import HouseholdFactory


@pytest.mark.django_db
def test_the_bulk_grant_refuses_a_leader_by_role(users):
    household = HouseholdFactory(code="BG-1")
    with pytest.raises(PermissionDenied, match=READ_ONLY):
        benefit_bulk_grant(acting_user=users["leader"], program=Program.objects.first(), year=2024,
                           date=datetime.date(2024, 9, 1), quantity=1, amount=100, recipients=[(household, None)])
    assert not Benefit.objects.exists()


@pytest.mark.django_db
def test_the_bulk_grant_page_refuses_a_leader_with_the_message(users, client):
    client.force_login(users["leader"])
    for page in (client.get("/admin/programs/benefit/bulk/"),
                 client.post("/admin/programs/benefit/bulk/", {"year": "x", "_confirm": "1"})):
        assert page.status_code == 403 and READ_ONLY in page.content.decode()
    assert not Benefit.objects.exists()
