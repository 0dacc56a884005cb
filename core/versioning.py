"""Shared model machinery: optimistic locking, and who a refused save is told changed the record."""
from django.db import models
from django.utils import formats, timezone

from core.errors import ConflictError

# A refused save names who changed the record meanwhile: another officer, or the officer themself (saved, then
# pressed Back in the browser and saved the old page again, or saved it in another tab): the record's history
# says which (issue 26.9).
OWN_SAVE = "chính bạn lưu lúc {when}, ở một thẻ khác hoặc trước khi bấm Quay lại trên trình duyệt"
OWN_SAVE_MESSAGE = ("Bạn đã lưu bản ghi này lúc {when}, sau khi mở trang đang gửi (có lẽ bạn đã bấm Quay lại trên "
                    "trình duyệt rồi lưu lần nữa, hoặc đã sửa ở một thẻ khác). Lần lưu này chưa được ghi để không đè "
                    "lên bản đã lưu: hãy tải lại trang rồi sửa tiếp nếu cần.")


class ConcurrentEditError(ConflictError):
    """Someone saved the record after it was loaded: the save is refused, nothing is written."""

    message = (
        "Bản ghi này vừa được người khác sửa sau khi bạn mở nó. "
        "Thay đổi của bạn chưa được lưu: hãy tải lại trang để xem dữ liệu mới rồi sửa lại."
    )


def own_last_save(model, pk, user):
    """When the latest change in the history (simple_history) of `model`'s record `pk` was made by `user`: its
    time, in Vietnam's time; else None (another user's, no history, no user)."""
    history = getattr(model, "history", None)
    if history is None or pk is None or not getattr(user, "pk", None):
        return None
    latest = (history.filter(**{model._meta.pk.attname: pk}).order_by("-history_date", "-history_id")
              .values_list("history_user_id", "history_date").first())
    return timezone.localtime(latest[1]) if latest and latest[0] == user.pk else None


def edited_by(model, pk, user) -> str:
    """'người khác sửa', or that `user` saved it themself and when: '… vừa được {edited_by} (phiên bản …)'."""
    when = own_last_save(model, pk, user)
    return "người khác sửa" if when is None else OWN_SAVE.format(when=formats.date_format(when, "DATETIME_FORMAT"))


def stale_message(model, pk, user) -> str:
    """The refusal of a save made on a stale version of `model`'s record `pk` by `user`."""
    when = own_last_save(model, pk, user)
    if when is None:
        return ConcurrentEditError.message
    return OWN_SAVE_MESSAGE.format(when=formats.date_format(when, "DATETIME_FORMAT"))


class VersionedModel(models.Model):
    """A `version` counter checked on every update: the second of two concurrent saves is refused.

    The UPDATE carries `WHERE version = <version loaded>`; if another save bumped it meanwhile, no row
    matches and ConcurrentEditError is raised instead of silently overwriting the other officer's work.
    """

    version = models.PositiveIntegerField("phiên bản", default=1, editable=False)

    class Meta:
        abstract = True

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = self.version
        version_field = self._meta.get_field("version")
        values = [v for v in values if v[0].attname != "version"] + [(version_field, None, expected + 1)]
        updated = super()._do_update(
            base_qs.filter(version=expected), using, pk_val, values, update_fields, forced_update
        )
        if not updated and base_qs.filter(pk=pk_val).exists():
            raise ConcurrentEditError()
        if updated:
            self.version = expected + 1
        return updated


class StaleRowsError(ConcurrentEditError):
    """Bulk writers: rows read by a check changed (or were deleted) before the write locked them.

    `stale` lists (model, pk, version read, version stored or None when deleted); the caller names each record
    in its own words. Raised inside the writing transaction, so nothing of the write is kept."""

    def __init__(self, stale):
        self.stale = list(stale)
        super().__init__(f"{len(self.stale)} bản ghi vừa được người khác sửa hoặc xoá: chưa ghi gì.")


def lock_versions(model, expected):
    """Lock the rows of `model` whose versions a check read (`expected`: {pk: version}), in primary-key order
    (the one lock order, docs/architecture.md), and compare: raise StaleRowsError naming every row changed or
    deleted meanwhile. Call it inside the writing transaction (the locks last until it ends)."""
    ids = sorted(expected)
    stored = {}
    for start in range(0, len(ids), 5000):
        # FOR NO KEY UPDATE: the rows' keys never change here, and a plain FOR UPDATE would also block the
        # foreign-key checks of other writers' inserts (a certificate naming the household, checked at their
        # commit while they hold a round this writer waits for: a deadlock).
        stored.update(model._base_manager.select_for_update(no_key=True).filter(pk__in=ids[start:start + 5000])
                      .order_by("pk").values_list("pk", "version"))
    stale = [(model, pk, expected[pk], stored.get(pk)) for pk in ids if stored.get(pk) != expected[pk]]
    if stale:
        raise StaleRowsError(stale)
