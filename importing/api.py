"""API of the Excel import.

Without a broker: one synchronous, all-or-nothing request (200 with the counts, 400 with every error).
With CELERY_BROKER_URL set: the POST queues the job for the workers and answers 202 at once with its token
and `Location: /api/v1/imports/<token>/`; GET there answers 202 with the progress (and the place in the queue)
while it runs, then the same body and status as the synchronous answer (200 or 400) once done. The job
belongs to the user who sent it: anyone else gets 404.
"""
import secrets
import tempfile

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api.base import EditorOrReadOnly
from importing import jobs, slots
from importing.reading import FileRefused, Issue, check_upload
from importing.service import ImportResult, households_import


class ImportUpload(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


def _progress(token, job):
    body = {key: job.get(key) for key in ("status", "phase", "done", "total", "position")}
    return {"token": token, **body, "url": reverse("api:import-detail", kwargs={"pk": token})}


class ImportView(viewsets.ViewSet):
    """POST multipart `file` (+ `dry_run=true`): counts per kind and every error, all or nothing."""

    permission_classes = [EditorOrReadOnly]
    write_permissions = ["households.add_household", "review.add_assessment"]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportUpload

    @extend_schema(request=ImportUpload,
                   responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT,
                              429: OpenApiTypes.OBJECT})
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
        if jobs.uses_workers():
            return self._queue(request, upload, dry_run)
        slot = slots.acquire()
        if slot is None:  # IMPORT_MAX_CONCURRENT imports are running on this server
            return Response({"detail": slots.busy_message()}, status=429,
                            headers={"Retry-After": str(slots.RETRY_AFTER_SECONDS)})
        with slot, tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            result = households_import(acting_user=request.user, path=handle.name, filename=upload.name,
                                       dry_run=dry_run, size=upload.size)
        return Response(result.as_dict(), status=400 if result.errors else 200)

    def _queue(self, request, upload, dry_run):
        token = secrets.token_urlsafe(16)
        jobs.store_upload(token, upload)
        jobs.submit(token, kind="import", task="importing.import_job", user=request.user, dry_run=dry_run,
                    kwargs={"token": token, "user_id": request.user.pk, "filename": upload.name, "dry_run": dry_run,
                            "size": upload.size, "discard_upload": True})
        body = _progress(token, jobs.describe(token))
        return Response(body, status=202, headers={"Location": body["url"]})

    @extend_schema(parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH,
                                                description="Mã lần nhập (token) trả về khi gửi tệp.")],
                   responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT,
                              404: OpenApiTypes.OBJECT})
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
