"""Request bodies: JSON that cannot hurt the server, and whose errors say in Vietnamese where it is wrong."""
import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, with nesting too deep to parse answered 400 instead of a RecursionError (500), and
    a body that is not JSON named by line and column (DRF's own message is an untranslatable English text)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("Dữ liệu JSON lồng nhau quá sâu.") from None
        except ParseError as error:
            cause = error.__context__
            if isinstance(cause, json.JSONDecodeError):
                raise ParseError(f"Dữ liệu JSON không đọc được: lỗi ở dòng {cause.lineno}, cột {cause.colno}.") from None
            if isinstance(cause, UnicodeDecodeError):
                raise ParseError("Dữ liệu JSON phải được mã hoá UTF-8.") from None
            raise ParseError("Dữ liệu JSON không đọc được.") from None


class SafeMultiPartParser(MultiPartParser):
    """DRF's multipart parser, its English "Multipart form parse error - …" said in Vietnamese."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError:
            raise ParseError("Dữ liệu gửi lên (multipart) không đọc được: hãy kiểm tra cách gửi tệp.") from None
