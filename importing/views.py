"""The import page: upload → check in the background (progress shown) → preview (counts and every error) →
commit (in the background too) or cancel.

Uploads are kept only while they can still be committed: one refused at once (too big, not .xlsx) is never
stored, one refused whole by its check (unreadable) is removed once its page has said why, and one nobody
came back for is removed at a later upload. Where the file waits and where the job runs (a thread of this
server, at most IMPORT_MAX_CONCURRENT at once, the next answered 429 with a message to wait; or the Celery
workers' queue, its place shown on the job's page) is the job framework's choice (core/jobs, importing/jobs.py).
"""
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import can_edit
from core import jobs
from core.xlsx import xlsx_response
from importing import jobs as import_jobs
from importing.reading import FileRefused, check_upload
from importing.template import error_workbook_bytes, template_bytes

SESSION_KEY = "pending_imports"


def _launch(request, *, name, dry_run, size=None, upload=None, token=None, inline=False):
    """Check (dry_run) or commit the officer's file; its file stays until the officer is done with it."""
    params, fields = import_jobs.params(filename=name, dry_run=dry_run, size=size)
    launched = jobs.launch(import_jobs.KIND, user=request.user, params=params, fields=fields, upload=upload,
                           token=token, keep_upload=True, inline=inline)
    if launched.token is not None:
        pending = request.session.get(SESSION_KEY, {})
        pending[launched.token] = {"name": name}
        request.session[SESSION_KEY] = pending
    return launched


def _pending(request, token):
    """Only the officer who uploaded a file can see, commit or cancel it."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None or not jobs.upload_exists(token):
        raise Http404("Không có tệp đang chờ này (đã nhập, đã huỷ hoặc hết phiên).")
    return entry


def _forget(request, token):
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry:
        jobs.drop_upload(token)
    jobs.forget(token)


def _busy(request, busy, back):
    """Too many imports on the server: the officer is told to wait (nothing stored, nothing started)."""
    response = render(request, "importing/busy.html", {"error": busy.message, "back": back}, status=429)
    response["Retry-After"] = str(busy.retry_after)
    return response


@login_required
def upload(request):
    if not can_edit(request.user):
        return render(request, "importing/upload.html", {"error": "Tài khoản của bạn chỉ được xem, không được nhập dữ liệu.",
                                                         "read_only": True}, status=403)
    if request.method == "POST":
        jobs.clean_stale_uploads()
        upload_file = request.FILES.get("file")
        if upload_file is None:
            return render(request, "importing/upload.html", {"error": "Hãy chọn một tệp .xlsx."}, status=400)
        try:
            check_upload(upload_file.name, upload_file.size)  # too big, .xls, .csv: said at once, never stored
        except FileRefused as error:
            return render(request, "importing/upload.html", {"error": f"Tệp {upload_file.name}: {error}"},
                          status=400)
        try:
            launched = _launch(request, name=upload_file.name, dry_run=True, size=upload_file.size, upload=upload_file)
        except jobs.Busy as busy:
            return _busy(request, busy, back=reverse("importing:upload"))
        return redirect("importing:job", token=launched.token)
    return render(request, "importing/upload.html")


def _kinds(result):
    labels = {"households": "Hộ", "members": "Nhân khẩu", "assessments": "Kết quả rà soát"}
    # the preview: what the file would write (nothing is written before "Ghi vào sổ")
    return [(labels[k], result.would_create[k], result.would_update[k], result.unchanged[k]) for k in labels]


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
    result = import_jobs.result_of(state["result"])
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
    if not jobs.is_running(token):  # a second click while it runs starts nothing more
        try:  # the file checked (however long ago) is imported
            _launch(request, name=entry["name"], dry_run=False, token=token)
        except jobs.Busy as busy:
            return _busy(request, busy, back=reverse("importing:job", kwargs={"token": token}))
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
        result = import_jobs.result_of(state["result"])
    else:  # the check's result expired: check again (here if there is no worker, else its page follows it)
        try:
            launched = _launch(request, name=entry["name"], dry_run=True, token=token, inline=True)
        except jobs.Busy as busy:
            return _busy(request, busy, back=reverse("importing:job", kwargs={"token": token}))
        if launched.token is not None:
            return redirect("importing:job", token=token)
        result = import_jobs.result_of(launched.outcome.result)
    if any(issue.row is None and "Tệp" in issue.message for issue in result.errors):
        raise Http404("Tệp không đọc được: không có bảng lỗi.")
    try:
        with jobs.upload_path(token) as path:
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
    """The template for the review year asked (?year=2026), else the review open now: its indicators' columns."""
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    return xlsx_response(template_bytes(year), f"mau-nhap-ho-ngheo{f'-{year}' if year else ''}")
