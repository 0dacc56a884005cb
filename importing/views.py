"""The import page: upload → check in the background (progress shown) → preview (counts and every error) →
commit (in the background too) or cancel.

Uploads are kept only while they can still be committed: one refused at once (too big, not .xlsx) is never
stored, one refused whole by its check (unreadable) is removed once its page has said why, and one nobody
came back for is removed at a later upload (importing/uploads.py). At most IMPORT_MAX_CONCURRENT checks and
commits run at once on the server (importing/slots.py); the next is answered 429 with a message to wait.

With CELERY_BROKER_URL set the file is kept in Redis instead (expiring with its job's state), the check and
the commit go to the workers' queue, and a job beyond the limits waits there with its place shown on its
page instead of being refused (importing/jobs.py).
"""
import contextlib
import secrets
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import can_edit
from core.xlsx import xlsx_response
from importing import jobs, slots
from importing.reading import FileRefused, check_upload
from importing.service import households_import
from importing.template import error_workbook_bytes, template_bytes
from importing.uploads import cleanup_stale_uploads, touch, upload_folder

SESSION_KEY = "pending_imports"


def _store(request, upload):
    token = secrets.token_urlsafe(16)
    if jobs.uses_workers():  # a worker on another machine reads it: the bytes go to Redis
        jobs.store_upload(token, upload)
        path = None
    else:
        folder = upload_folder()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{token}.xlsx"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"path": str(path) if path else "", "name": upload.name, "stored": path is None}
    request.session[SESSION_KEY] = pending
    return token, path


def _pending(request, token):
    """Only the officer who uploaded a file can see, commit or cancel it."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None or not (jobs.upload_exists(token) if entry.get("stored") else Path(entry["path"]).exists()):
        raise Http404("Không có tệp đang chờ này (đã nhập, đã huỷ hoặc hết phiên).")
    return entry


def _forget(request, token):
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry and entry.get("stored"):
        jobs.drop_upload(token)
    elif entry:
        Path(entry["path"]).unlink(missing_ok=True)
    jobs.forget(token)


def _submit(request, token, entry, *, dry_run, size=None):
    """Queue the check or the commit for the workers (CELERY_BROKER_URL set)."""
    jobs.submit(token, kind="import", task="importing.import_job", user=request.user, dry_run=dry_run,
                kwargs={"token": token, "user_id": request.user.pk, "filename": entry["name"], "dry_run": dry_run,
                        "size": size})


def _busy(request, back):
    """Too many imports on the server: the officer is told to wait (nothing stored, nothing started)."""
    response = render(request, "importing/busy.html", {"error": slots.busy_message(), "back": back}, status=429)
    response["Retry-After"] = str(slots.RETRY_AFTER_SECONDS)
    return response


@login_required
def upload(request):
    if not can_edit(request.user):
        return render(request, "importing/upload.html", {"error": "Tài khoản của bạn chỉ được xem: không nhập dữ liệu.",
                                                         "read_only": True}, status=403)
    if request.method == "POST":
        cleanup_stale_uploads(running=jobs.is_running)
        upload_file = request.FILES.get("file")
        if upload_file is None:
            return render(request, "importing/upload.html", {"error": "Hãy chọn một tệp .xlsx."}, status=400)
        try:
            check_upload(upload_file.name, upload_file.size)  # too big, .xls, .csv: said at once, never stored
        except FileRefused as error:
            return render(request, "importing/upload.html", {"error": f"Tệp {upload_file.name}: {error}"},
                          status=400)
        if jobs.uses_workers():
            token, _ = _store(request, upload_file)
            _submit(request, token, request.session[SESSION_KEY][token], dry_run=True, size=upload_file.size)
            return redirect("importing:job", token=token)
        slot = slots.acquire()
        if slot is None:
            return _busy(request, back=reverse("importing:upload"))
        try:
            token, path = _store(request, upload_file)
            jobs.start(token, user=request.user, path=str(path), filename=upload_file.name, dry_run=True,
                       size=upload_file.size, slot=slot)
        except BaseException:
            slot.release()
            raise
        return redirect("importing:job", token=token)
    return render(request, "importing/upload.html")


def _kinds(result):
    labels = {"households": "Hộ", "members": "Nhân khẩu", "assessments": "Kết quả rà soát"}
    return [(labels[k], result.created[k], result.updated[k], result.unchanged[k]) for k in labels]


@login_required
def job(request, token):
    """While the job runs: its progress. Then: the preview of a check, or the outcome of an import."""
    entry = _pending(request, token)
    state = jobs.describe(token)
    if state is None:
        _forget(request, token)
        return render(request, "importing/upload.html", {
            "error": f"Không còn kết quả kiểm tra tệp {entry['name']} (quá hạn hoặc máy chủ đã khởi động lại): "
                     "hãy tải tệp lên lại."}, status=410)
    if state["status"] == "running":
        return render(request, "importing/progress.html", {"token": token, "name": entry["name"], "job": state})
    if state["status"] == "failed":
        return render(request, "importing/upload.html", {"error": f"Tệp {entry['name']}: {state['phase']}"},
                      status=500)
    result = jobs.result_of(state)
    if result.committed:
        _forget(request, token)
        created, updated = sum(result.created.values()), sum(result.updated.values())
        messages.success(request, f"Đã nhập tệp {entry['name']}: {created} bản ghi mới, {updated} bản ghi sửa.")
        return redirect("importing:upload")
    # a file refused whole (not a workbook, damaged, a sheet too big) has no rows to correct: its page says
    # why once, and the stored copy goes
    refused = any(issue.sheet == "" and issue.row is None for issue in result.errors)
    if refused:
        _forget(request, token)
    # a file with errors (bad rows, or refused whole) answers 400, as the API does
    return render(request, "importing/preview.html", {"token": token, "name": entry["name"], "result": result,
                                                      "kinds": _kinds(result), "refused": refused},
                  status=400 if result.errors else 200)


@login_required
def status(request, token):
    _pending(request, token)
    state = jobs.describe(token) or {"status": "gone", "phase": "", "done": 0, "total": 0}
    return JsonResponse({key: state.get(key) for key in ("status", "phase", "done", "total", "position")})


@login_required
@require_POST
def commit(request, token):
    entry = _pending(request, token)
    state = jobs.state(token)
    if (state is None or state["status"] != "running") and jobs.uses_workers():
        jobs.keep_upload(token)
        _submit(request, token, entry, dry_run=False)
    elif state is None or state["status"] != "running":  # a second click while it runs starts nothing more
        slot = slots.acquire()
        if slot is None:
            return _busy(request, back=reverse("importing:job", kwargs={"token": token}))
        touch(entry["path"])  # in use: not abandoned, however long ago it was checked
        jobs.start(token, user=request.user, path=entry["path"], filename=entry["name"], dry_run=False, slot=slot)
    return redirect("importing:job", token=token)


@login_required
@require_POST
def cancel(request, token):
    _pending(request, token)
    state = jobs.state(token)
    if state and state["status"] == "running" and not state["dry_run"]:
        messages.error(request, "Đang ghi vào sổ: không huỷ được giữa chừng (ghi tất cả hoặc không ghi gì).")
        return redirect("importing:job", token=token)
    _forget(request, token)
    messages.info(request, "Đã huỷ, không ghi gì.")
    return redirect("importing:upload")


@login_required
def error_file(request, token):
    entry = _pending(request, token)
    state = jobs.state(token)
    if state and state["status"] == "done":
        result = jobs.result_of(state)
    elif entry.get("stored"):  # with workers the file and its check expire together: nothing to annotate
        raise Http404("Kết quả kiểm tra đã hết hạn: hãy tải tệp lên lại.")
    else:  # the check's result expired: check again, here, as one of the server's imports
        slot = slots.acquire()
        if slot is None:
            return _busy(request, back=reverse("importing:job", kwargs={"token": token}))
        with slot:
            result = households_import(acting_user=request.user, path=entry["path"], filename=entry["name"],
                                       dry_run=True)
    if any(issue.row is None and "Tệp" in issue.message for issue in result.errors):
        raise Http404("Tệp không đọc được: không có bảng lỗi.")
    try:
        with (jobs.upload_path(token) if entry.get("stored") else contextlib.nullcontext(entry["path"])) as path:
            if path is None:
                raise Http404("Tệp tải lên đã hết hạn: hãy tải tệp lên lại.")
            content = error_workbook_bytes(path, result.errors)
    except Http404:
        raise
    except Exception as error:  # a file openpyxl cannot open has no rows to annotate (its text is English)
        raise Http404("Không tạo được tệp lỗi từ tệp này: tệp không mở được như một bảng tính Excel.") from error
    return xlsx_response(content, f"loi-{Path(entry['name']).stem}")


@login_required
def template(request):
    return xlsx_response(template_bytes(), "mau-nhap-ho-ngheo")
