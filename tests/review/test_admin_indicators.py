"""The assessment form offers the indicators of the standard its review year follows."""
import pytest

from review.services import assessment_save
from tests.factories import HouseholdFactory


@pytest.mark.django_db
@pytest.mark.parametrize("year, offered, absent", [(2024, "12. Phương tiện phục vụ tiếp cận thông tin", "13."),
                                                   (2026, "13. ", "12. Phương tiện phục vụ tiếp cận thông tin")])
def test_the_form_offers_the_years_indicators(client, users, year, offered, absent):
    """Regression: the form always offered Decree 07's twelve, so a 2026 result could not mark indicator 13."""
    household = HouseholdFactory(code="IND-1", commune_id="90101")
    assessment = assessment_save(acting_user=users["admin"], household=household, year=year,
                                 income_per_capita=1_000_000, deprivations=["1"])
    client.force_login(users["commune"])
    page = client.get(f"/admin/review/assessment/{assessment.pk}/change/").content.decode()
    assert offered in page and absent not in page


@pytest.mark.django_db
def test_decree_351s_indicators_carry_their_thresholds_and_the_mark_to_confirm_in_the_admin(client, users):
    """Decree 351/2025's 13 indicators are data: wording, threshold, and a mark for what is not yet read in the
    decree (all 13: no threshold was found), which the standard's admin page shows."""
    from review.models import Indicator, PovertyStandard

    indicators = Indicator.objects.filter(standard__code="ND351-2025")
    assert indicators.count() == 13 and all(i.needs_confirmation for i in indicators)
    assert indicators.get(code="8").threshold == "Diện tích nhà ở bình quân đầu người dưới 8 m²."
    assert not any("kiểm chứng" in i.name for i in indicators)
    assert not Indicator.objects.get(standard__code="ND07-2021", code="8").needs_confirmation
    client.force_login(users["admin"])
    standard = PovertyStandard.objects.get(code="ND351-2025")
    page = client.get(f"/admin/review/povertystandard/{standard.pk}/change/").content.decode()
    assert "Cần quản trị viên xác nhận" in page and "Ngưỡng thiếu hụt" in page
    assert "Căn cứ ghi trên giấy chứng nhận" in page
