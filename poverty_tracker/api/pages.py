"""The API's own pages in Vietnamese (issue 26.9): the root of /api/v1/ and the schema's file name.

The titles and descriptions themselves: SPECTACULAR_SETTINGS (the docs page, the schema's info) and the
browsable API's template (templates/rest_framework/api.html)."""
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import APIRootView


class ApiRoot(APIRootView):
    """Các tài nguyên của API (phiên bản 1): hộ, nhân khẩu, rà soát, chính sách hỗ trợ, báo cáo. Đăng nhập hoặc gửi
    khoá truy cập (Authorization: Token …); tài liệu đầy đủ ở /api/v1/docs/."""

    def get_view_name(self):
        return "Trang gốc của API (phiên bản 1)"


class SchemaView(SpectacularAPIView):
    """The schema, saved under a plain file name (drf-spectacular names it after the title, which has
    diacritics and spaces, and a header can carry only Latin-1)."""

    def _get_filename(self, request, version):
        suffix = self.perform_content_negotiation(request, force=True)[0].format
        return f"poverty_tracker-api.{suffix}"
