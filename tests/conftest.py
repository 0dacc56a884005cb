"""Shared fixtures: a small area tree with two districts, and one user per role."""
import datetime
import os

import pytest

from accounts.services import officer_save
from areas.services import areas_import_text

AREAS_CSV = """code,name,level,kind,parent_code,valid_from,valid_to,successor_code,note
90,Tỉnh Thử,province,tỉnh,,,,,
901,Huyện Một,district,huyện,90,,,,
902,Huyện Hai,district,huyện,90,,,,
90101,Đắk Tô,commune,thị trấn,901,,,,
90102,Xã Hai,commune,xã,901,,,,
90201,Xã Ba,commune,xã,902,,,,
90101-01,Thôn Một,village,thôn,90101,,,,
90102-01,Thôn Hai,village,thôn,90102,,,,
90201-01,Làng Ba,village,làng,90201,,,,
"""


@pytest.fixture
def areas(db):
    areas_import_text(AREAS_CSV)
    from areas.models import AdministrativeUnit

    return AdministrativeUnit.objects.in_bulk()


@pytest.fixture
def moved_village(areas):
    from areas.models import AdministrativeUnit, AdministrativeUnitVersion

    """Thôn Năm: under 90102 until the 2025 reform (30 June 2025), under 90101 since."""
    moved = AdministrativeUnit.objects.create(code="90102-05", name="Năm", kind="thôn", level="village",
                                              parent_id="90101", valid_from=None)
    AdministrativeUnitVersion.objects.create(unit=moved, valid_from=None, valid_to=datetime.date(2025, 6, 30),
                                             name="Năm", kind="thôn", parent_id="90102")
    return moved


@pytest.fixture
def users(areas):
    """admin; district officer of 901; commune officers of 90101 and 90201; leader of 901."""
    specs = {
        "admin": ("admin", []),
        "district": ("district_officer", ["901"]),
        "commune": ("commune_officer", ["90101"]),
        "other_commune": ("commune_officer", ["90201"]),
        "leader": ("leader", ["901"]),
    }
    return {
        name: officer_save(username=name, role=role, area_codes=codes, password="x", check_password=False)[0]
        for name, (role, codes) in specs.items()
    }


def pytest_report_header(config):
    return [f"database: {os.environ.get('DATABASE_URL') or 'SQLite (DATABASE_URL unset)'}"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Tests roll back, and SQLite then reuses history ids: start every test with an empty report cache."""
    from django.core.cache import cache

    cache.clear()
    yield
