"""The import and a hand edit of the same household, member or review result at the same moment, on two
connections: never a lost update, never a server error — one of them answers a conflict naming the record.

Before: the import read the stored rows without a lock and wrote every column back from them, so a hand edit
committed while the file was being checked was silently overwritten (both ended at the same version with
different content); and it locked rounds before households while a member edit locked the member before its
household, so an import racing a member edit died of a PostgreSQL deadlock (500).
"""
import threading

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.test import Client

from core.versioning import ConcurrentEditError
from households.models import Household, Member
from households.services import household_update, member_save
from importing import service
from importing.service import households_import
from review.models import Assessment
from review.services import assessment_save
from tests.factories import HouseholdFactory, MemberFactory
from tests.importing.builders import workbook

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                       reason="two connections writing at once with row locks: PostgreSQL (CI runs it there); "
                              "SQLite runs one writer at a time"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
WAIT = 10
URL = "/review/90102/2024/"


@pytest.fixture
def stored(users):
    household = HouseholdFactory(code="RACE-1", commune_id="90102", village_id="90102-01", head_name="A Blưk")
    child = MemberFactory(household=household, full_name="Y Hoa", birth_year=2010, national_id="062010000001")
    assessment = assessment_save(acting_user=users["admin"], household=household, year=2024,
                                 income_per_capita=1_200_000)
    return {"household": Household.objects.get(pk=household.pk), "child": Member.objects.get(pk=child.pk),
            "assessment": Assessment.objects.get(pk=assessment.pk)}


@pytest.fixture
def the_file(tmp_path):
    """The household's address, the child's birth year and the 2024 income, changed by the file."""
    return workbook(tmp_path / "race.xlsx",
                    [["RACE-1", "A Blưk", "90102", "90102-01", "14", "Địa chỉ theo tệp"]],
                    [["RACE-1", "A Blưk", "Nam", 1980, "", "Chủ hộ", ""], ["RACE-1", "Y Hoa", "Nữ", 2011, "", "Con", "062010000001"]],
                    [["RACE-1", 2024, "3.000.000", "", "", "", "", "", ""]])


class Thread(threading.Thread):
    """`body` on its own connection, committing; its answer or error kept for the test."""

    def __init__(self, body):
        super().__init__(daemon=True)
        self.body, self.result, self.error = body, None, None

    def run(self):
        try:
            self.result = self.body()
        except Exception as error:  # noqa: BLE001 - handed to the test
            self.error = error
        finally:
            connection.close()

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive(), "stuck: waiting on a lock nobody releases"
        return self


def in_thread(body):
    thread = Thread(body)
    thread.start()
    return thread.finish()


def import_file(users, path):
    return households_import(acting_user=users["district"], path=str(path), filename="race.xlsx")


def edit_after_the_check(monkeypatch, edit):
    """The hand edit commits on another connection once the import has checked every sheet, before it writes."""
    checked = service.check_reviews

    def check_then_edit(plan, sheet):
        checked(plan, sheet)
        assert plan.result.errors == []
        done = in_thread(edit)
        assert done.error is None, done.error

    monkeypatch.setattr(service, "check_reviews", check_then_edit)


def worksheet_post(users, household, version, income):
    client = Client()
    client.force_login(users["district"])
    return client.post(URL, {f"h{household.pk}-version": str(version), f"h{household.pk}-income": income})


def refused_naming(result, words):
    assert not result.committed
    messages = " ".join(error.message for error in result.errors)
    assert words in messages and "không ghi gì" in messages.lower(), messages


def test_household_edited_while_the_file_is_checked_is_not_overwritten(users, stored, the_file, monkeypatch):
    household = stored["household"]
    edit_after_the_check(monkeypatch, lambda: household_update(
        acting_user=users["admin"], household=household, expected_version=household.version, address="Sửa tay"))
    result = import_file(users, the_file)
    refused_naming(result, "Hộ RACE-1 vừa được người khác sửa")
    after = Household.objects.get(pk=household.pk)
    assert (after.address, after.version) == ("Sửa tay", household.version + 1)
    assert Assessment.objects.get(pk=stored["assessment"].pk).income_per_capita == 1_200_000  # nothing written


def test_member_edited_while_the_file_is_checked_is_not_overwritten(users, stored, the_file, monkeypatch):
    child = stored["child"]
    edit_after_the_check(monkeypatch, lambda: member_save(
        acting_user=users["admin"], member=child, expected_version=child.version, birth_year=2012))
    result = import_file(users, the_file)
    refused_naming(result, "Nhân khẩu Y Hoa (hộ RACE-1) vừa được người khác sửa")
    assert Member.objects.get(pk=child.pk).birth_year == 2012
    assert Household.objects.get(pk=stored["household"].pk).address != "Địa chỉ theo tệp"


def test_worksheet_saved_while_the_file_is_checked_is_not_overwritten(users, stored, the_file, monkeypatch):
    assessment = stored["assessment"]

    def save_the_worksheet():
        response = worksheet_post(users, stored["household"], assessment.version, "2.500.000")
        assert response.status_code == 302, response.content[:500]

    edit_after_the_check(monkeypatch, save_the_worksheet)
    result = import_file(users, the_file)
    refused_naming(result, "Kết quả rà soát năm 2024 của hộ RACE-1 vừa được người khác sửa")
    after = Assessment.objects.get(pk=assessment.pk)
    assert (after.income_per_capita, after.version) == (2_500_000, assessment.version + 1)


@pytest.fixture
def import_holding(users, the_file, monkeypatch):
    """The import in a thread, its write done and its transaction still open (every lock held)."""
    inside, release = threading.Event(), threading.Event()
    written = service.write_plan

    def write_and_hold(plan):
        written(plan)
        inside.set()
        release.wait(WAIT)

    monkeypatch.setattr(service, "write_plan", write_and_hold)
    thread = Thread(lambda: import_file(users, the_file))
    thread.start()
    assert inside.wait(WAIT), "the import did not reach its write"
    yield release
    release.set()
    thread.finish()
    assert thread.error is None and thread.result.committed, (thread.error, thread.result)


@pytest.mark.parametrize("edit", ["household", "member", "worksheet"])
def test_a_hand_edit_made_while_the_import_writes_waits_and_is_told_of_the_conflict(users, stored, import_holding,
                                                                                       edit):
    household, child, assessment = stored["household"], stored["child"], stored["assessment"]
    bodies = {
        "household": lambda: household_update(acting_user=users["admin"], household=household,
                                              expected_version=household.version, address="Sửa tay"),
        "member": lambda: member_save(acting_user=users["admin"], member=child, expected_version=child.version,
                                      birth_year=2012),
        "worksheet": lambda: worksheet_post(users, household, assessment.version, "2.500.000"),
    }
    editing = Thread(bodies[edit])
    editing.start()
    editing.join(1.5)
    assert editing.is_alive(), "the hand edit did not wait for the import's locks"
    import_holding.set()
    editing.finish()
    assert not isinstance(editing.error, OperationalError), editing.error  # no deadlock, no lock timeout
    if edit == "worksheet":
        assert editing.error is None and editing.result.status_code == 200
        assert "vừa được người khác sửa" in editing.result.content.decode()
    else:
        assert isinstance(editing.error, ConcurrentEditError), editing.error
    # the file's values stand, the hand edit was refused (not applied over them)
    assert Household.objects.get(pk=household.pk).address == "Địa chỉ theo tệp"
    assert Member.objects.get(pk=child.pk).birth_year == 2011
    assert Assessment.objects.get(pk=assessment.pk).income_per_capita == 3_000_000


@pytest.mark.parametrize("edit", ["household", "member", "worksheet"])
def test_an_import_written_while_a_hand_edit_is_open_waits_and_names_the_record(users, stored, the_file, edit):
    household, child, assessment = stored["household"], stored["child"], stored["assessment"]
    inside, release = threading.Event(), threading.Event()

    def edit_and_hold():
        with transaction.atomic():
            if edit == "household":
                household_update(acting_user=users["admin"], household=household, address="Sửa tay")
            elif edit == "member":
                member_save(acting_user=users["admin"], member=child, birth_year=2012)
            else:
                assessment_save(acting_user=users["admin"], household=household, year=2024,
                                expected_version=assessment.version, income_per_capita=2_500_000)
            inside.set()
            release.wait(WAIT)

    editing = Thread(edit_and_hold)
    editing.start()
    assert inside.wait(WAIT)
    importing = Thread(lambda: import_file(users, the_file))
    importing.start()
    importing.join(1.5)
    assert importing.is_alive(), "the import did not wait for the hand edit's locks"
    release.set()
    editing.finish()
    importing.finish()
    assert editing.error is None, editing.error
    assert importing.error is None, importing.error  # no deadlock: a conflict in the result, not a 500
    named = {"household": "Hộ RACE-1", "member": "Nhân khẩu Y Hoa (hộ RACE-1)",
             "worksheet": "Kết quả rà soát năm 2024 của hộ RACE-1"}[edit]
    refused_naming(importing.result, f"{named} vừa được người khác sửa")
    assert Household.objects.get(pk=household.pk).address != "Địa chỉ theo tệp"  # nothing of the file written
