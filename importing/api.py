"""API of the Excel import: one synchronous, all-or-nothing request."""
import tempfile

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api.base import EditorOrReadOnly
from importing import slots
from importing.reading import FileRefused, Issue, check_upload
from importing.service import ImportResult, households_import


class ImportUpload(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportView(viewsets.ViewSet):
    """POST multipart `file` (+ `dry_run=true`): counts per kind and every error, all or nothing."""

    permission_classes = [EditorOrReadOnly]
    write_permissions = ["households.add_household", "review.add_assessment"]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportUpload

    @extend_schema(request=ImportUpload,
                   responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT})
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

