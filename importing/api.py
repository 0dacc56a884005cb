"""API of the Excel import.

Without a broker: one synchronous, all-or-nothing request (200 with the counts, 400 with every error).
With CELERY_BROKER_URL set: the POST queues the job for the workers and answers 202 at once with its token
and `Location: /api/v1/imports/<token>/`; GET there answers 202 with the progress (and the place in the queue)
while it runs, then the same body and status as the synchronous answer (200 or 400) once done. The job
belongs to the user who sent it: anyone else gets 404.
"""
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import can_edit
from core import jobs
from core.api.base import EditorOrReadOnly
from importing import jobs as import_jobs
from importing.reading import FileRefused, Issue, check_upload
from importing.service import ImportResult


class ImportUpload(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportIssue(serializers.Serializer):
    sheet = serializers.CharField(help_text="Trang tính (trống: cả tệp).")
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


def _counts(help_text):
    return serializers.DictField(child=serializers.IntegerField(), help_text=help_text)


class ImportAnswer(serializers.Serializer):
    """The answer of a finished import (200, or 400 with every error): what was written under `created` and
    `updated` (zero unless `committed`), what the file would write under `would_create` and `would_update`
    (a check with dry_run, a file with errors, or one refused at commit: then nothing was written)."""

    created = _counts("Bản ghi đã thêm vào sổ, theo loại (households, members, assessments); 0 nếu không ghi.")
    updated = _counts("Bản ghi đã sửa trong sổ, theo loại; 0 nếu không ghi.")
    would_create = _counts("Bản ghi tệp sẽ thêm (kiểm tra thử, hoặc tệp bị từ chối: không ghi gì); 0 khi đã ghi.")
    would_update = _counts("Bản ghi tệp sẽ sửa (kiểm tra thử, hoặc tệp bị từ chối: không ghi gì); 0 khi đã ghi.")
    unchanged = _counts("Bản ghi trong tệp giống hệt sổ, theo loại.")
    errors = ImportIssue(many=True)
    notices = serializers.ListField(child=serializers.CharField())
    committed = serializers.BooleanField(help_text="true: đã ghi tất cả vào sổ; false: không ghi gì.")


def _progress(token, job):
    body = {key: job.get(key) for key in ("status", "phase", "done", "total", "position")}
    return {"token": token, **body, "url": reverse("api:import-detail", kwargs={"pk": token})}


class ImportsData(permissions.BasePermission):
    """A read-only role is refused (403) before its file is looked at, with the import's own words."""

    message = "Tài khoản của bạn chỉ được xem, không được nhập dữ liệu."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or can_edit(request.user)


class ImportView(viewsets.ViewSet):
    """POST multipart `file` (+ `dry_run=true`): counts per kind and every error, all or nothing."""

    permission_classes = [permissions.IsAuthenticated, ImportsData, EditorOrReadOnly]
    write_permissions = ["households.add_household", "review.add_assessment"]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportUpload

    @extend_schema(request=ImportUpload,
                   responses={200: ImportAnswer, 202: OpenApiTypes.OBJECT, 400: ImportAnswer, 429: OpenApiTypes.OBJECT})
    def create(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["Hãy gửi tệp .xlsx trong trường multipart “file”."]}, status=400)
        dry_run = str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes", "on")
        try:
            check_upload(upload.name, upload.size)  # too big, .xls, .csv: answered before any copy is made
        except FileRefused as error:
            refused = ImportResult(errors=[Issue("", None, None, str(error))])
            return Response(refused.as_dict(), status=400)
        params, fields = import_jobs.params(filename=upload.name, dry_run=dry_run, size=upload.size)
        try:  # on a worker when there are workers (202, then GET its state), else here and now, all or nothing
            launched = jobs.launch(import_jobs.KIND, user=request.user, params=params, fields=fields, upload=upload,
                                   inline=True)
        except jobs.Busy as busy:  # IMPORT_MAX_CONCURRENT imports are running on this server
            return Response({"detail": busy.message}, status=429, headers={"Retry-After": str(busy.retry_after)})
        if launched.token is not None:
            body = _progress(launched.token, jobs.describe(launched.token))
            return Response(body, status=202, headers={"Location": body["url"]})
        result = launched.outcome.result
        return Response(result, status=400 if result["errors"] else 200)

    @extend_schema(parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH,
                                                description="Mã lần nhập (token) trả về khi gửi tệp.")],
                   responses={200: ImportAnswer, 202: OpenApiTypes.OBJECT, 400: ImportAnswer, 404: OpenApiTypes.OBJECT})
    def retrieve(self, request, pk=None, format=None):  # noqa: A002 - DRF passes ?format= suffixes by this name
        """The state of an import sent by this user: 202 while it runs, then its answer (200 or 400)."""
        job = jobs.describe(str(pk))
        if not job or job.get("kind", "import") != "import" or job.get("user_id") != request.user.pk:
            return Response({"detail": "Không có lần nhập này (đã hết hạn hoặc không phải của bạn)."}, status=404)
        if job["status"] == "running":
            return Response(_progress(pk, job), status=202)
        if job["status"] == "failed":
            return Response({"token": pk, "status": "failed", "detail": job["phase"]}, status=500)
        result = job["result"]
        return Response({"token": pk, "status": "done", **result}, status=400 if result["errors"] else 200)
