"""Pages of the report jobs (core/jobs): the annual package and exports of the full register launched on the
workers (CELERY_BROKER_URL set) show their progress or their place in the queue, then the download; the
re-classification of years (administrators) runs as a job on a worker or in a thread. A job is seen only by
the officer who asked for it; anyone else gets 404."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role, role_of
from core import jobs
from core.xlsx import xlsx_response
from reports.params import BadParameter, parse_year


def _own(request, token):
    job = jobs.describe(token)
    if not job or job.get("kind") not in ("export", "reclassify") or job.get("user_id") != request.user.pk:
        raise Http404("Không có việc này (đã xong và hết hạn, hoặc không phải của bạn).")
    return job


@login_required
def job(request, token):
    job = _own(request, token)
    return render(request, "reports/job.html", {"token": token, "job": job,
                                                "stored": jobs.stored_file(token) is not None},
                  status=500 if job["status"] == "failed" and job["phase"].startswith("Lỗi hệ thống") else 200)


@login_required
def status(request, token):
    job = _own(request, token)
    return JsonResponse({key: job.get(key) for key in ("status", "phase", "done", "total", "position")})


@login_required
def download(request, token):
    _own(request, token)
    stored = jobs.stored_file(token)
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
        raise PermissionDenied("Chỉ quản trị viên được phân loại lại cả năm.")  # a refusal by role: 403
    try:
        years = sorted({parse_year(value, None) for value in request.POST.getlist("year")} - {None})
    except BadParameter as error:
        return render(request, "reports/job.html", {"error": str(error)}, status=400)
    if not years:
        return render(request, "reports/job.html", {"error": "Hãy chọn năm."}, status=400)
    launched = jobs.launch("reclassify", user=request.user, params={"years": years},
                           fields={"title": f"Phân loại lại năm {', '.join(map(str, years))}"})
    return redirect("reports:job", token=launched.token)
