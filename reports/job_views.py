"""Pages of the report jobs that run on the workers (CELERY_BROKER_URL set): the annual package and exports
of the full register are queued (reports/tasks.py); their page shows the progress or the place in the queue,
then the download. Re-classification of a year is queued from here too (administrators). A job is seen only
by the officer who asked for it; anyone else gets 404."""
import secrets

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role, role_of
from core.xlsx import xlsx_response
from importing import jobs
from reports import tasks
from reports.params import BadParameter, parse_year

TITLES = {"export": "Xuất tệp Excel", "package": "Bộ báo cáo năm (Excel)", "reclassify": "Phân loại lại cả năm"}


def queue(request, *, kind, task, title, **kwargs):
    """Queue a report job for this officer; the redirect to its page."""
    token = secrets.token_urlsafe(16)
    jobs.submit(token, kind="reclassify" if kind == "reclassify" else "export", task=task, user=request.user,
                title=title, kwargs={"token": token, "user_id": request.user.pk, **kwargs})
    return redirect("reports:job", token=token)


def _own(request, token):
    job = jobs.describe(token)
    if not job or job.get("kind") not in ("export", "reclassify") or job.get("user_id") != request.user.pk:
        raise Http404("Không có việc này (đã xong và hết hạn, hoặc không phải của bạn).")
    return job


@login_required
def job(request, token):
    job = _own(request, token)
    return render(request, "reports/job.html", {"token": token, "job": job,
                                                "stored": tasks.stored_file(token) is not None},
                  status=500 if job["status"] == "failed" and job["phase"].startswith("Lỗi hệ thống") else 200)


@login_required
def status(request, token):
    job = _own(request, token)
    return JsonResponse({key: job.get(key) for key in ("status", "phase", "done", "total", "position")})


@login_required
def download(request, token):
    _own(request, token)
    stored = tasks.stored_file(token)
    if stored is None:
        raise Http404("Tệp đã hết hạn: hãy tạo lại.")
    content, filename = stored
    return xlsx_response(content, filename)


@login_required
@require_POST
def reclassify(request):
    """Re-classify every assessment of the posted years (`year`, once or more; administrators), in turn, on a
    worker or in a thread."""
    if role_of(request.user) != Role.ADMIN:
        raise Http404("Chỉ quản trị viên được phân loại lại cả năm.")
    try:
        years = sorted({parse_year(value, None) for value in request.POST.getlist("year")} - {None})
    except BadParameter as error:
        return render(request, "reports/job.html", {"error": str(error)}, status=400)
    if not years:
        return render(request, "reports/job.html", {"error": "Hãy chọn năm."}, status=400)
    title = f"Phân loại lại năm {', '.join(map(str, years))}"
    if jobs.uses_workers():
        return queue(request, kind="reclassify", task="reports.reclassify_job", title=title, years=years)
    token = secrets.token_urlsafe(16)
    jobs._save(token, status="running", queued=False, kind="reclassify", user_id=request.user.pk, title=title,
               phase="Đang phân loại lại…", done=0, total=0, result=None)
    tasks.start_thread(token, lambda: (tasks.reclassify(user=request.user, years=years), None))
    return redirect("reports:job", token=token)
