"""Shared model machinery: optimistic locking."""
from django.db import models

from core.errors import ConflictError


class ConcurrentEditError(ConflictError):
    """Someone else saved the record after it was loaded: the save is refused, nothing is written."""

    message = (
        "Bản ghi này vừa được người khác sửa sau khi bạn mở nó. "
        "Thay đổi của bạn chưa được lưu: hãy tải lại trang để xem dữ liệu mới rồi sửa lại."
    )


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
