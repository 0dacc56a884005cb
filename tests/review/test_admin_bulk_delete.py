"""The admin's "delete selected" on assessments is all or nothing: one locked round among the selection and
nothing is deleted, with a message naming the locked round."""
import pytest
from django.contrib.admin.models import DELETION, LogEntry

from review.models import Assessment
from tests.factories import HouseholdFactory
from tests.review.procedure import recognise_in_order

CHANGELIST = "/admin/review/assessment/"


@pytest.fixture
def open_and_locked(assess, users):
    """Two assessments of an open round around one of an approved round (in any order one open comes first)."""
    first = assess(HouseholdFactory(code="HH-1", commune_id="90102"), 2024, income=1_200_000)
    locked = assess(HouseholdFactory(code="HH-2", commune_id="90101"), 2024, income=1_200_000)
    last = assess(HouseholdFactory(code="HH-3", commune_id="90102"), 2024, income=1_200_000)
    recognise_in_order(locked.review_round)  # the chairman locks it, in the order of Art. 4
    return first, locked, last


def delete_selected(client, *assessments):
    return client.post(CHANGELIST, {"action": "delete_selected", "post": "yes",
                                    "_selected_action": [a.pk for a in assessments]}, follow=True)


@pytest.mark.django_db
def test_bulk_delete_with_a_locked_round_deletes_nothing(client, users, open_and_locked):
    first, locked, last = open_and_locked
    client.force_login(users["district"])
    response = delete_selected(client, first, locked, last)
    assert response.status_code == 200
    assert set(Assessment.objects.values_list("pk", flat=True)) == {first.pk, locked.pk, last.pk}
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1, shown
    assert "Không xoá kết quả nào" in shown[0] and "xã 90101 năm 2024" in shown[0]
    assert "đã được công nhận và đang khoá" in shown[0]
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()  # no log of deletions that did not happen


@pytest.mark.django_db
def test_bulk_delete_of_open_rounds_still_deletes(client, users, open_and_locked):
    first, locked, last = open_and_locked
    client.force_login(users["district"])
    response = delete_selected(client, first, last)
    assert response.status_code == 200
    assert list(Assessment.objects.values_list("pk", flat=True)) == [locked.pk]
    assert set(LogEntry.objects.filter(action_flag=DELETION).values_list("object_id", flat=True)) == {
        str(first.pk), str(last.pk)}
