import pytest
from django.core.exceptions import ValidationError

from reports.models import HouseholdCount


@pytest.mark.django_db
def test_declared_counts_are_validated_and_scoped(areas, users, client):
    bad = HouseholdCount(commune=areas["90101"], year=2024, households=10, ethnic_minority_households=11)
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "ethnic_minority_households" in error.value.message_dict
    HouseholdCount.objects.create(commune=areas["90101"], year=2024, households=10, ethnic_minority_households=8)
    HouseholdCount.objects.create(commune=areas["90201"], year=2024, households=20, ethnic_minority_households=8)
    assert HouseholdCount.objects.visible_to(users["commune"]).count() == 1
    duplicate = HouseholdCount(commune=areas["90101"], year=2024, households=1, ethnic_minority_households=0)
    with pytest.raises(ValidationError, match="đã khai báo"):
        duplicate.full_clean()
    client.force_login(users["commune"])
    page = client.get("/admin/reports/householdcount/")
    assert [c.commune_id for c in page.context["cl"].result_list] == ["90101"]
