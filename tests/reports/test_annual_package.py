"""The annual package: one map for every sheet, and the body that issues it named the same on each sheet."""
import datetime
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.services import officer_save
from areas.models import AdministrativeUnit
from households.services import household_update
from programs.models import CooperativeGroup, GroupMembership
from review.services import assessment_save
from tests.factories import HouseholdFactory


@pytest.fixture
def kontum(db, client):
    call_command("import_areas", "areas/data/admin_units_kontum.csv")
    admin, _ = officer_save(username="boss", role="admin", password="x", check_password=False)
    household = HouseholdFactory(code="TC-1", commune_id="23437", village_id=None)
    assessment_save(acting_user=admin, household=household, year=2024, income_per_capita=500_000,
                    deprivations=["1", "2", "3"])
    # merged into xã Đăk Tô on 1 July 2025: the household is moved there and reviewed there from 2025
    household = household_update(acting_user=admin, household=household,
                                 commune=AdministrativeUnit.objects.get(pk="23401"))
    assessment_save(acting_user=admin, household=household, year=2025, income_per_capita=500_000,
                    deprivations=["1", "2", "3"])
    group = CooperativeGroup.objects.create(name="Tổ nuôi bò", commune_id="23437", founded_on=datetime.date(2023, 1, 1),
                                            activity="Bò")
    GroupMembership.objects.create(group=group, household=household, joined_on=datetime.date(2023, 1, 1))
    client.force_login(admin)
    return client


def package(client, **query):
    response = client.get("/reports/annual-package/", query)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def issuing_lines(book):
    return {sheet.title: (sheet["A1"].value, sheet["A2"].value) for sheet in book.worksheets}


def test_every_sheet_names_the_same_issuing_body(kontum):
    """Regression: "HUYỆN ĐẮK TÔ" on one sheet and "ĐẮK TÔ" on the others."""
    lines = issuing_lines(package(kontum, area="612", year=2024))
    assert set(lines.values()) == {("ỦY BAN NHÂN DÂN", "HUYỆN ĐẮK TÔ")}, lines


def test_after_the_reform_the_province_issues_what_the_abolished_district_covered(kontum):
    lines = issuing_lines(package(kontum, area="612", year=2025))
    assert set(lines.values()) == {("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI")}, lines


def rows_of(sheet):
    return [row for row in sheet.iter_rows(values_only=True) if row and row[0]]


def test_one_package_one_map(kontum):
    """Regression: the poverty sheet used the year's communes and the cooperatives sheet today's. In 2025 the
    group recorded in Tân Cảnh (merged into xã Đăk Tô) counts under xã Đăk Tô on every sheet."""
    book = package(kontum, area="612", year=2025)
    cooperatives = book["Tổ hợp tác"] if "Tổ hợp tác" in book.sheetnames else next(
        sheet for sheet in book.worksheets if any("tổ hợp tác" in str(v).lower() for v in rows_of(sheet)[3]))
    names = [row[0] for row in rows_of(cooperatives)]
    assert "Xã Đăk Tô" in names and "Tân Cảnh" not in names and "Xã Tân Cảnh" not in names
    on_2024_map = package(kontum, area="612", year=2024)
    sheet = next(s for s in on_2024_map.worksheets if s.title == cooperatives.title)
    assert "Xã Tân Cảnh" in [row[0] for row in rows_of(sheet)]
