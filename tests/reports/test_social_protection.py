"""The poverty summary reports the poor and near-poor households with a member under social protection (next to
those with a meritorious member) and the poor without labour capacity (derived from the members), against a
hand-computed fixture: rows, page and Excel sheet."""
import pytest

from households.models import Gender, Relation
from reports.poverty import poverty_summary
from review.services import assessment_save
from tests.factories import HouseholdFactory, MemberFactory
from tests.reports.sheets import Sheet, workbook

POOR = {"income_per_capita": 1_000_000, "deprivations": ["1", "4", "9"]}
NEAR = {"income_per_capita": 1_000_000, "deprivations": []}
NOT = {"income_per_capita": 9_000_000, "deprivations": []}
SP = ("Có thành viên thuộc đối tượng bảo trợ xã hội",)


def make(code, commune, inputs, admin, social=False, elderly=False):
    household = HouseholdFactory(code=code, commune_id=commune, with_head=not elderly)
    if elderly:  # a widow of 80 living alone: no labour capacity
        MemberFactory(household=household, full_name=f"Bà {code}", gender=Gender.FEMALE, birth_year=1944,
                      relation_to_head=Relation.HEAD, is_social_protection=True)
    assessment_save(acting_user=admin, household=household, year=2024, has_social_protection_member=social, **inputs)


@pytest.fixture
def protected(users):
    admin = users["admin"]
    make("SP1", "90101", POOR, admin, social=True)
    make("SP2", "90101", POOR, admin)
    make("SP3", "90102", NEAR, admin, social=True)
    make("SP4", "90201", POOR, admin, social=True, elderly=True)
    make("SP5", "90201", NEAR, admin, social=True)
    make("SP6", "90201", NOT, admin, social=True)  # not poor: in no column


KEYS = ("poor", "poor_social_protection", "poor_no_labour_capacity", "near_poor", "near_poor_social_protection")


@pytest.mark.django_db
def test_rows_by_hand(protected, users):
    report = poverty_summary(user=users["admin"], area_code="90", year=2024)
    rows = {row["area"]["code"]: row for row in report["rows"]}
    assert tuple(rows["901"][k] for k in KEYS) == (2, 1, 0, 1, 1)
    assert tuple(rows["902"][k] for k in KEYS) == (1, 1, 1, 1, 1)
    assert tuple(report["total"][k] for k in KEYS) == (3, 2, 1, 2, 2)


@pytest.mark.django_db
def test_page_and_excel(protected, client, users):
    client.force_login(users["admin"])
    page = client.get("/reports/poverty/", {"area": "90", "year": 2024})
    html = page.content.decode()
    assert "Hộ nghèo – Có thành viên thuộc đối tượng bảo trợ xã hội" in html
    assert "Hộ cận nghèo – Có thành viên thuộc đối tượng bảo trợ xã hội" in html
    assert (page.context["total"]["poor_social_protection"], page.context["total"]["near_poor_social_protection"]) == (
        2, 2)
    sheet = Sheet(workbook(client.get("/reports/poverty/", {"area": "90", "year": 2024, "format": "xlsx"})).active,
                  "Đơn vị")
    # next to the meritorious-people columns, in both groups
    poor_columns = [h[1] for h in sheet.headers if h[0] == "Hộ nghèo"]
    assert poor_columns.index(SP[0]) == poor_columns.index("Có thành viên là người có công") + 1
    for label, poor, near in (("Huyện Một", 1, 1), ("Huyện Hai", 1, 1), ("Tổng cộng", 2, 2)):
        assert sheet.cell(label, "Hộ nghèo", *SP).value == poor, label
        assert sheet.cell(label, "Hộ cận nghèo", *SP).value == near, label
    assert sheet.cell("Huyện Hai", "Hộ nghèo", "Không có khả năng lao động").value == 1
    assert sheet.cell("Huyện Một", "Hộ nghèo", "Không có khả năng lao động").value in (0, None)
