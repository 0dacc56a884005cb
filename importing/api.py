"""API of the Excel import: one synchronous, all-or-nothing request."""
import tempfile

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api.base import EditorOrReadOnly
from importing.service import households_import


class ImportUpload(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportView(viewsets.ViewSet):
    """POST multipart `file` (+ `dry_run=true`): counts per kind and every error, all or nothing."""

    permission_classes = [EditorOrReadOnly]
    write_permissions = ["households.add_household", "review.add_assessment"]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportUpload

    @extend_schema(request=ImportUpload, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def create(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["Hãy gửi tệp .xlsx trong trường multipart “file”."]}, status=400)
        dry_run = str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes", "on")
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            result = households_import(acting_user=request.user, path=handle.name, filename=upload.name,
                                       dry_run=dry_run, size=upload.size)
        return Response(result.as_dict(), status=400 if result.errors else 200)

