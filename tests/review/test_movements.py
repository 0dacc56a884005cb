"""Movements and re-classification (review.movements): re-classifying a whole year is the administrators'; any
other role is refused by role (PermissionDenied, 403 over HTTP), not as an error of a field."""
import pytest
from django.core.exceptions import PermissionDenied

from review.movements import year_reclassify


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["district", "commune", "leader"])
def test_only_administrators_reclassify_a_year(users, role):
    with pytest.raises(PermissionDenied, match="Chỉ quản trị viên được phân loại lại cả năm."):
        year_reclassify(acting_user=users[role], year=2024)
