"""The village meetings of a round and the public posting of its results (Decision 24/2021/QĐ-TTg): recorded,
corrected or deleted while the round is open; the round's row is locked and its status checked under the
lock (review.locks), so a recognised round's meetings stay as recorded."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import EDITING_ROLES, role_of
from areas.scoping import can_see_area
from core.versioning import ConcurrentEditError, edited_by
from review.locks import refresh_locked
from review.models import RoundLockedError, VillageMeeting


def check_meeting_role(user) -> None:
    """A role that enters no records is refused (403 over HTTP), before anything it sent is looked at."""
    if role_of(user) not in EDITING_ROLES:
        raise PermissionDenied("Tài khoản của bạn không được ghi biên bản họp thôn.")


def _check_meeting_editor(user, review_round):
    check_meeting_role(user)
    if not can_see_area(user, review_round.commune_id):
        raise ValidationError({"village": "Xã này không thuộc địa bàn của bạn."})


MEETING_FIELDS = ("meeting_date", "attendees", "in_favour", "posted_from", "posted_to", "note")


@transaction.atomic
def village_meeting_save(*, acting_user, review_round, village, expected_version=None, **fields) -> VillageMeeting:
    """Record (or correct) the village meeting and public posting of `village` for the round. The round is
    locked and checked under the lock: a recognised round's meetings stay as recorded. `fields`: keys of
    MEETING_FIELDS; those not given keep their stored values. A correction names the version it was made
    on (`expected_version`); a stale one is refused."""
    unknown = sorted(set(fields) - set(MEETING_FIELDS))
    if unknown:
        raise TypeError(f"village_meeting_save() got unexpected keyword argument(s): {', '.join(unknown)}")
    _check_meeting_editor(acting_user, review_round)
    refresh_locked(review_round)
    if review_round.is_locked:
        raise RoundLockedError(review_round)
    village_id = getattr(village, "pk", village)
    meeting = VillageMeeting.objects.select_for_update().filter(review_round=review_round,
                                                                village_id=village_id).first()
    if meeting is not None and expected_version is not None and meeting.version != int(expected_version):
        raise ConcurrentEditError(
            f"Biên bản họp thôn {village_id} vừa được {edited_by(VillageMeeting, meeting.pk, acting_user)} "
            f"(phiên bản hiện tại là {meeting.version}, bạn "
            f"sửa trên phiên bản {int(expected_version)}). Thay đổi của bạn chưa được lưu: hãy tải lại rồi sửa lại.")
    if meeting is None:
        meeting = VillageMeeting(review_round=review_round, village_id=village_id)
    for name, value in fields.items():
        setattr(meeting, name, (value or "").strip() if name == "note" else value)
    meeting.review_round = review_round
    meeting.full_clean(exclude=["version"])
    meeting._history_user = acting_user
    meeting.save()
    return meeting


@transaction.atomic
def village_meeting_delete(*, acting_user, meeting: VillageMeeting) -> None:
    """Delete a meeting record of an open round (its round locked and checked under the lock)."""
    review_round = meeting.review_round
    _check_meeting_editor(acting_user, review_round)
    refresh_locked(review_round)
    if review_round.is_locked:
        raise RoundLockedError(review_round)
    meeting._history_user = acting_user
    meeting.delete()
