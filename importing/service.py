"""households_import: read every sheet, check every row, then write everything in one transaction or nothing.

Matching: households by Mã hộ, members by household + national ID or name + birth year, review results by
household + year. Lookups are bulk (a constant number of queries per 5,000 rows), writes are bulk with their
audit rows, the change reason naming the file.

Each sheet's module checks its rows with the domain's own rules (the register's for households and members,
the review's for results) into an import plan (importing/plan.py), with each error at (sheet, row, column);
importing/writer.py writes the plan through the domain's bulk write paths, which lock the rows in the one lock
order and compare their versions with what the check read: what the check accepts, the commit writes, and a
row someone changed meanwhile refuses the file instead of being overwritten.
"""
import logging
import os

from django.db import IntegrityError, transaction

from accounts.models import can_edit
from core.errors import ConflictError
from importing.columns import HOUSEHOLDS, MEMBERS, REVIEWS
from importing.plan import KINDS, ImportPlan, ImportResult, chunked
from importing.reading import SHEETS, FileRefused, Issue, check_upload, open_workbook, read_sheet
from importing.sheet_households import check_households
from importing.sheet_members import check_members, ids_taken_meanwhile
from importing.sheet_reviews import check_reviews, labour_notice
from importing.writer import refused, write_plan
from review.locks import held_back_notice

__all__ = ["KINDS", "ImportResult", "chunked", "households_import"]
log = logging.getLogger(__name__)
NO_SHEET = "Không thấy trang tính nào tên “Hộ gia đình”, “Nhân khẩu” hoặc “Rà soát”."
WRITTEN_MEANWHILE = ("Sổ vừa được người khác sửa trong lúc ghi (cùng mã hộ hoặc số CCCD?): không ghi gì. Hãy kiểm "
                     "tra lại tệp rồi nhập lại.")


class _Abort(Exception):
    pass


def households_import(*, acting_user, path, filename: str, dry_run: bool = False, size: int | None = None,
                      progress=None) -> ImportResult:
    """Import the workbook at `path`. Returns an ImportResult; writes only when there is no error.
    `progress(phase, done, total)`, when given, hears how far the check and the writing have come."""
    result = ImportResult()
    try:
        if not can_edit(acting_user):
            raise FileRefused("Tài khoản của bạn chỉ được xem, không được nhập dữ liệu.")
        check_upload(filename, size if size is not None else os.path.getsize(path))
        workbook = open_workbook(path)
    except FileRefused as error:
        result.errors.append(Issue("", None, None, str(error)))
        return result
    try:
        _import(ImportPlan(acting_user, filename, result, progress), workbook, dry_run)
    except _Abort:
        pass
    finally:
        workbook.close()
    return result


def _read(workbook, result):
    try:
        sheets = {name: read_sheet(workbook, name, result.errors) for name in SHEETS}
    except FileRefused as error:  # a sheet too big to read, or not readable: nothing more to check
        result.errors[:] = [Issue("", None, None, str(error))]
        raise _Abort from error
    if not any(sheets.values()) and not result.errors:
        result.errors.append(Issue("", None, None, NO_SHEET))
    for sheet in sheets.values():
        if sheet and sheet.name != REVIEWS:
            for header in sheet.extra:
                result.notices.append(f"Trang “{sheet.name}”: bỏ qua cột không dùng “{header}”.")
    return sheets


def _import(plan, workbook, dry_run):
    result = plan.result
    sheets = _read(workbook, result)
    # Every usable sheet is still read, so the officer gets all the errors of the file at once.
    try:
        with transaction.atomic():
            check_households(plan, sheets[HOUSEHOLDS])
            check_members(plan, sheets[MEMBERS])
            check_reviews(plan, sheets[REVIEWS])
            notice = labour_notice(plan)
            if notice:
                result.notices.append(notice)
            if result.errors or dry_run:
                raise _Abort
            write_plan(plan)
        result.written()
        if plan.held_back:
            result.notices.append(held_back_notice(plan.held_back))
    except ConflictError as error:  # a row changed, assessed or recognised meanwhile: nothing was written
        refused(plan, error)
    except IntegrityError:
        # The check holds every rule of the models; what is left is someone else's insert in between (the same
        # new code or ID number stored meanwhile). Nothing was written.
        log.exception("import of %s refused at commit", plan.filename)
        if not ids_taken_meanwhile(plan):  # a national ID stored meanwhile is said on its row, in the rule's words
            result.errors.append(Issue("", None, None, WRITTEN_MEANWHILE))

